package org.qmon.client;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An asynchronous QMP client for one connection to a QMP server (qmon or QEMU), with blocking
 * conveniences.
 *
 * <h2>Connecting</h2>
 * Every way to open a session comes as a blocking method and as an {@code ...Async} method that
 * returns a future:
 * <ul>
 * <li>{@link #connect(String, QmpClientOptions)} / {@link #connectAsync(String, QmpClientOptions)}
 *     connect to a server listening on {@code unix:PATH} or {@code tcp:HOST:PORT} (QEMU's
 *     {@code -qmp unix:PATH,server=on,wait=off});</li>
 * <li>{@link #accept(String, QmpClientOptions)} / {@link #acceptAsync(String, QmpClientOptions)}
 *     listen on the endpoint and accept one connection from the server (QEMU's
 *     {@code -qmp unix:PATH} without {@code server=on}): start the listener first, then QEMU, with no
 *     race at start-up.</li>
 * </ul>
 * Then the client reads the greeting and sends {@code qmp_capabilities}, enabling {@code oob} when
 * the server offers it (unless the options say otherwise); the session is ready in command mode.
 * All of it is bounded by {@link QmpClientOptions#connectTimeout()}. A connection fails with a
 * {@link QmpConnectException} when the socket cannot be connected (or bound, or accepted), a
 * {@link QmpTimeoutException} after the connect timeout, a {@link QmpException} when the server
 * refuses the negotiation, a {@link QmpProtocolException} on a bad greeting, or a
 * {@link QmpConnectionClosedException} when the server hangs up. Cancelling the future of an
 * {@code ...Async} method (or failing it, e.g. with {@code orTimeout}) abandons the attempt: the
 * socket is closed, and a session that would have completed later is not established.
 *
 * <h2>Calls</h2>
 * {@link #execute(String, Object)} and its overloads return a {@link CompletableFuture};
 * {@link #call(String, Object)} and its overloads wait for the reply and return the result or throw
 * the {@link QmpClientException} (never wrapped). Results are the raw {@link JsonNode}, or converted
 * with the options' object mapper to a {@code Class}, a {@link TypeReference} (for generic types such
 * as {@code List<CommandInfo>}) or a {@link JavaType}. Every request carries a unique {@code id}
 * ({@code "qmon-client-N"}) and replies are matched by id, so any number of calls may be in flight
 * (pipelining), from any number of threads. A reply with an unknown id is dropped, as the QMP
 * specification requires. Requests are queued and written, as compact JSON followed by
 * {@code "\n"}, by one writer thread per connection, so {@code execute} never blocks on the socket
 * and concurrent requests never interleave.
 *
 * <h2>Where callbacks run</h2>
 * Every future the client hands out is completed on the callback executor, whatever completes it:
 * a reply, an error reply, a timeout, the server hanging up or a local {@link #close()}; and event
 * listeners run there too. Never on the reader thread, so a callback may block or issue further
 * calls. The executor is {@link QmpClientOptions#callbackExecutor()}, or by default a pool owned by
 * the client with at most {@link QmpClientOptions#CALLBACK_THREADS} threads running callbacks at once;
 * a callback of that pool that waits for another future of this client (with {@code get},
 * {@code join} or {@link #call}) does not count against the bound while it waits, so such waits
 * cannot starve the pool. (A future that is already complete when returned, e.g. a call on a closed
 * client, runs dependents registered later on the registering thread, as any
 * {@code CompletableFuture} does.)
 *
 * <h3>Replies without an id</h3>
 * A server answers a request it cannot parse with an error that carries no {@code id}. Since QMP
 * answers in-band requests strictly in order, the client attributes such an error to the oldest
 * in-band request still unanswered (exec-oob requests are not counted: they may overtake) and fails
 * that call with the {@link QmpException}. Calls that timed out or were cancelled keep their place
 * in that order until their own reply arrives, so a late answer never lands on the wrong call. If
 * the server is ever seen answering in-band requests out of order, the attribution is switched off
 * for the rest of the connection and id-less errors are logged and dropped. The client always sends
 * well-formed JSON, so these errors arise only when a request exceeds the server's parser limits
 * (QEMU: 64 MiB, 2<sup>21</sup> tokens, nesting 1024); it refuses requests larger than 64 MiB or
 * with more than 2<sup>21</sup> tokens itself (and its mapper refuses nesting deeper than 1000),
 * because one oversized request could produce several id-less errors. Id-less success
 * replies are logged and dropped.
 *
 * <h2>Events</h2>
 * {@link #subscribe(Set, Consumer)} (by name) and {@link #subscribe(Predicate, Consumer)} (by filter)
 * register a listener with a bounded buffer (see {@link EventSubscription});
 * {@link #nextEvent(String)} and {@link #nextEvent(Predicate)} complete with the next matching event.
 * {@link QmpEvent#data(Class)} converts an event's data. Subscribe <em>before</em> issuing the
 * command that causes an event: QMP servers often send the event before the command's reply (e.g.
 * {@code STOP} before the reply to {@code stop}).
 *
 * <h2>Reading and limits</h2>
 * One daemon reader thread per connection parses the server's stream of JSON values with Jackson's
 * streaming parser (it does not rely on line breaks). A message larger than
 * {@link QmpClientOptions#maxReplySize()} closes the connection with a {@link QmpProtocolException}.
 *
 * <h2>Closing</h2>
 * {@link #close()}, the server closing the socket, an I/O error or a protocol violation all end the
 * connection: every pending call then fails with a {@link QmpConnectionClosedException}, later calls
 * fail at once with one, and {@link #closeFuture()} completes after the pending calls have failed.
 * {@link #closeCause()} says why. The client's threads end with it.
 *
 * <h2>Logging</h2>
 * {@link System.Logger}: lifecycle and failures on {@code org.qmon.client.QmpClient} (a server
 * hanging up is an expected end and is logged at {@code DEBUG}, without a stack trace), every message
 * sent and received at {@code DEBUG} on {@code org.qmon.client.wire}. Nothing is printed to stdout.
 */
public final class QmpClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(QmpClient.class.getName());
    private static final System.Logger WIRE = System.getLogger("org.qmon.client.wire");

    /** QEMU's input limit per JSON message (MAX_TOKEN_SIZE); larger requests are refused. */
    static final long MAX_REQUEST_SIZE = 64L << 20;
    /** QEMU's limit of JSON tokens per message (MAX_TOKEN_COUNT); requests with more are refused. */
    static final long MAX_REQUEST_TOKENS = 1L << 21;
    /** Read-ahead allowance beyond a message's size limit (Jackson reads in 8000-byte chunks). */
    private static final long READ_SLACK = 64 * 1024;
    /** How much of a message the wire log shows. */
    private static final int WIRE_LOG_LIMIT = 4096;
    /** How long close() waits for the reader and writer threads to end. */
    private static final long THREAD_JOIN_MILLIS = 5000;
    /**
     * How long the connection lives on after a write failed, for the reader to consume the replies
     * the server sent before it went away; the reader normally ends it sooner, at end of stream.
     */
    private static final long WRITE_FAILURE_GRACE_MILLIS = 5000;
    /** How long a blocking connect waits beyond the connect timeout, whose watchdog ends the attempt. */
    private static final long CONNECT_MARGIN_MILLIS = 5000;
    private static final AtomicLong CONNECTIONS = new AtomicLong();
    private static final Outgoing POISON = new Outgoing(null, null);

    /** A request ready for the wire. */
    private record Outgoing(ByteBuffer bytes, PendingCall call) {
    }

    private final Endpoint endpoint;
    private final QmpClientOptions options;
    /** {@code true} when this client listens and the server connects (accept mode). */
    private final boolean accepting;
    /** Reads the wire and writes request envelopes; configured for the reply size limit. */
    private final ObjectMapper wire;
    private final String threadPrefix;
    private final Executor callbackExecutor;
    /** The client-owned callback pool; {@code null} when the options supply an executor. */
    private final CallbackPool ownPool;
    /** Call and connect timeouts; its one thread ends when idle. */
    private final ScheduledThreadPoolExecutor timer;
    private final PendingCalls pending = new PendingCalls();
    private final AtomicLong nextId = new AtomicLong();
    /**
     * Guards registration plus queueing of a request, so that the in-band order in
     * {@link #pending} is the order of {@link #outgoing}, which is the order on the wire.
     */
    private final Object sendLock = new Object();
    /** Requests for the writer thread, unbounded: the callers decide how much they pipeline. */
    private final LinkedBlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
    private final CopyOnWriteArrayList<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final QmpFuture<QmpClient> connectFuture;
    private final QmpFuture<Void> closeFuture;
    /** Set once, by {@link #teardown(Throwable)}; everything after that is cleanup. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Guards {@link #channel} and {@link #listener}: their assignment (checked against
     * {@link #closed}) and their closing, so that teardown never misses a socket the reader opens.
     */
    private final Object channelLock = new Object();
    /** The connection; assigned under channelLock, read by the writer after the greeting. */
    private volatile SocketChannel channel;
    /** Accept mode: the listening socket until one connection is accepted. Guarded by channelLock. */
    private ServerSocketChannel listener;
    private final Thread reader;
    private final Thread writer;
    // Written by the reader before the connect future completes; read by anyone afterwards.
    private volatile JsonNode greeting;
    private volatile Set<String> serverCapabilities = Set.of();
    private volatile Set<String> enabledCapabilities = Set.of();
    private volatile Throwable closeCause;

    private QmpClient(Endpoint endpoint, QmpClientOptions options, boolean accepting) {
        this.endpoint = endpoint;
        this.options = options;
        this.accepting = accepting;
        long number = CONNECTIONS.incrementAndGet();
        this.threadPrefix = "qmon-client-" + number + "-";
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, options.maxReplySize()))
                .maxNestingDepth(2048)
                .build();
        this.wire = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build()).build();
        if (options.callbackExecutor() != null) {
            this.ownPool = null;
            this.callbackExecutor = options.callbackExecutor();
        } else {
            this.ownPool = new CallbackPool(threadPrefix + "callback-", QmpClientOptions.CALLBACK_THREADS);
            this.callbackExecutor = ownPool;
        }
        this.connectFuture = new QmpFuture<>(ownPool);
        this.closeFuture = new QmpFuture<>(ownPool);
        this.timer = new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory(threadPrefix + "timer-"));
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        this.reader = new Thread(this::readLoop, threadPrefix + "reader");
        reader.setDaemon(true);
        this.writer = new Thread(this::writeLoop, threadPrefix + "writer");
        writer.setDaemon(true);
    }

    // ------------------------------------------------------------------ opening a session

    /**
     * Connects with {@link QmpClientOptions#defaults()} and waits for the session.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} (IPv6 hosts in brackets)
     * @return the connected client, in command mode
     * @throws QmpClientException as {@link #connect(String, QmpClientOptions)}
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static QmpClient connect(String endpoint) {
        return connect(endpoint, QmpClientOptions.defaults());
    }

    /**
     * Connects to a listening server and waits for the session, at most the connect timeout.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} (IPv6 hosts in brackets)
     * @param options the client options
     * @return the connected client, in command mode (or right after the greeting when
     *     {@link QmpClientOptions#negotiate()} is {@code false})
     * @throws QmpConnectException if the socket cannot be connected
     * @throws QmpTimeoutException if there is no session within the connect timeout
     * @throws QmpException if the server refuses the negotiation
     * @throws QmpProtocolException on a bad greeting
     * @throws QmpConnectionClosedException if the server hangs up first
     * @throws QmpClientException if the calling thread is interrupted (its interrupt status is set
     *     again, and the attempt is abandoned)
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static QmpClient connect(String endpoint, QmpClientOptions options) {
        return awaitSession(connectAsync(endpoint, options), endpoint, options);
    }

    /**
     * Connects asynchronously with {@link QmpClientOptions#defaults()}.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"}
     * @return a future of the connected client, as {@link #connectAsync(String, QmpClientOptions)}
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static CompletableFuture<QmpClient> connectAsync(String endpoint) {
        return connectAsync(endpoint, QmpClientOptions.defaults());
    }

    /**
     * Connects asynchronously: opens the socket, reads the greeting and negotiates capabilities.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} (IPv6 hosts in brackets)
     * @param options the client options
     * @return a future that completes, on the callback executor, with the connected client once the
     *     session is in command mode (or right after the greeting when
     *     {@link QmpClientOptions#negotiate()} is {@code false}); it fails with a
     *     {@link QmpConnectException}, {@link QmpTimeoutException}, {@link QmpException} (negotiation
     *     refused), {@link QmpProtocolException} or {@link QmpConnectionClosedException}. Cancelling
     *     it, or failing it (e.g. {@code orTimeout}), closes the socket; if {@code cancel} returns
     *     {@code false}, the session was already established and the caller must close it
     * @throws IllegalArgumentException if the endpoint is malformed
     * @throws NullPointerException if an argument is {@code null}
     */
    public static CompletableFuture<QmpClient> connectAsync(String endpoint, QmpClientOptions options) {
        Objects.requireNonNull(options, "options");
        return new QmpClient(Endpoint.parse(endpoint), options, false).start();
    }

    /**
     * Accept mode with {@link QmpClientOptions#defaults()}: listens, accepts one connection from the
     * server and waits for the session.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} to listen on
     * @return the connected client, in command mode
     * @throws QmpClientException as {@link #accept(String, QmpClientOptions)}
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static QmpClient accept(String endpoint) {
        return accept(endpoint, QmpClientOptions.defaults());
    }

    /**
     * Accept mode: listens on the endpoint, accepts one connection from the server, then reads the
     * greeting and negotiates, waiting at most the connect timeout for all of it. Since this method
     * blocks while listening, the server must be started by another thread or retry its connection
     * (QEMU: {@code -chardev socket,...,reconnect=N}); otherwise use {@link #acceptAsync}, which
     * returns as soon as the socket listens.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} to listen on
     * @param options the client options; the connect timeout includes the wait for the server
     * @return the connected client, in command mode
     * @throws QmpConnectException if the socket cannot be bound or accepting fails
     * @throws QmpTimeoutException if there is no session within the connect timeout
     * @throws QmpException if the server refuses the negotiation
     * @throws QmpProtocolException on a bad greeting
     * @throws QmpConnectionClosedException if the server hangs up first
     * @throws QmpClientException if the calling thread is interrupted (its interrupt status is set again)
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static QmpClient accept(String endpoint, QmpClientOptions options) {
        return awaitSession(acceptAsync(endpoint, options), endpoint, options);
    }

    /**
     * Accept mode, asynchronously, with {@link QmpClientOptions#defaults()}.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} to listen on
     * @return a future of the client, as {@link #acceptAsync(String, QmpClientOptions)}
     * @throws IllegalArgumentException if the endpoint is malformed
     */
    public static CompletableFuture<QmpClient> acceptAsync(String endpoint) {
        return acceptAsync(endpoint, QmpClientOptions.defaults());
    }

    /**
     * Accept mode, asynchronously, as qemu.qmp's {@code accept()}: the socket is bound and listening
     * when this method returns, so the server can be started right after it, with no race:
     * <pre>{@code
     * CompletableFuture<QmpClient> session = QmpClient.acceptAsync("unix:" + socket, options);
     * Process qemu = new ProcessBuilder("qemu-system-x86_64", ..., "-qmp", "unix:" + socket).start();
     * try (QmpClient qmp = session.get(30, TimeUnit.SECONDS)) { ... }
     * }</pre>
     * One connection is accepted; then the listening socket is closed and a unix socket file is
     * removed. A unix socket file left behind by a listener that is gone is replaced; if a server
     * listens on it, or the path is not a socket, binding fails.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} to listen on
     * @param options the client options; the connect timeout starts now and includes the wait for
     *     the server
     * @return a future that completes as {@link #connectAsync(String, QmpClientOptions)}'s does; it
     *     fails with a {@link QmpConnectException} if the socket cannot be bound. Cancelling it
     *     stops listening and removes the socket file
     * @throws IllegalArgumentException if the endpoint is malformed
     * @throws NullPointerException if an argument is {@code null}
     */
    public static CompletableFuture<QmpClient> acceptAsync(String endpoint, QmpClientOptions options) {
        Objects.requireNonNull(options, "options");
        return new QmpClient(Endpoint.parse(endpoint), options, true).start();
    }

    /** Waits for a connect or accept future on behalf of a blocking method. */
    private static QmpClient awaitSession(CompletableFuture<QmpClient> future, String endpoint, QmpClientOptions options) {
        try {
            // The connect watchdog ends the attempt after connectTimeout; the margin only guards that.
            return future.get(options.connectTimeout().toMillis() + CONNECT_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(future);
            throw new QmpClientException("interrupted while connecting to " + endpoint, e);
        } catch (TimeoutException e) {
            abandon(future);
            throw new QmpTimeoutException("no QMP session with " + endpoint + " within " + options.connectTimeout());
        } catch (ExecutionException e) {
            throw forCaller(e.getCause());
        }
    }

    /** Gives up on a connect future: cancelling it closes the socket; a session that won the race is closed. */
    private static void abandon(CompletableFuture<QmpClient> future) {
        if (!future.cancel(false)) {
            future.thenAccept(QmpClient::close);
        }
    }

    private CompletableFuture<QmpClient> start() {
        // Registered first: whoever fails the connect future (watchdog, reader, caller's cancel or
        // orTimeout) ends the connection, so an abandoned attempt never leaves a socket open.
        connectFuture.whenComplete((c, e) -> {
            if (e != null) {
                teardown(unwrap(e));
            }
        });
        try {
            if (accepting) {
                // Bound on the caller's thread: the socket listens when acceptAsync returns.
                ServerSocketChannel server;
                try {
                    server = endpoint.bind();
                } catch (IOException e) {
                    teardown(new QmpConnectException("cannot listen on " + endpoint + ": " + e.getMessage(), e));
                    return connectFuture;
                }
                synchronized (channelLock) {
                    listener = server;
                }
                LOG.log(DEBUG, "listening on {0}", endpoint);
            }
            Future<?> watchdog = timer.schedule(() -> dispatch(() -> connectFuture.completeExceptionally(
                    new QmpTimeoutException("no QMP session with " + endpoint + " within " + options.connectTimeout()))),
                    options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            connectFuture.whenComplete((c, e) -> watchdog.cancel(false));
            reader.start();
            writer.start();
        } catch (RuntimeException | Error e) {
            teardown(e);
        }
        return connectFuture;
    }

    // ------------------------------------------------------------------ public API

    /**
     * The endpoint this client was connected to (or accepted on), as given.
     *
     * @return the endpoint string
     */
    public String endpoint() {
        return endpoint.text();
    }

    /**
     * The options this client runs with.
     *
     * @return the options
     */
    public QmpClientOptions options() {
        return options;
    }

    /**
     * The server's greeting, the whole {@code {"QMP": {"version": ..., "capabilities": [...]}}} object.
     *
     * @return a copy of the greeting
     */
    public JsonNode greeting() {
        JsonNode g = greeting;
        return g == null ? null : g.deepCopy();
    }

    /**
     * The capabilities the server offered in its greeting ({@code QMP.capabilities}).
     *
     * @return an unmodifiable set, in the server's order
     */
    public Set<String> serverCapabilities() {
        return serverCapabilities;
    }

    /**
     * The capabilities enabled by a successful {@code qmp_capabilities} (by {@code connect}, or by
     * the caller when {@link QmpClientOptions#negotiate()} is {@code false}).
     *
     * @return an unmodifiable set; empty before negotiation or when nothing was enabled
     */
    public Set<String> enabledCapabilities() {
        return enabledCapabilities;
    }

    // ------------------------------------------------------------------ asynchronous calls

    /**
     * Executes a command without arguments, with the default call timeout.
     *
     * @param command the command name
     * @return a future of the {@code return} value (for most commands an object, {@code {}} when the
     *     command returns nothing); fails with {@link QmpException} on an error reply,
     *     {@link QmpTimeoutException} or {@link QmpConnectionClosedException}. Cancelling it abandons
     *     the call (a late reply is ignored)
     */
    public CompletableFuture<JsonNode> execute(String command) {
        return execute(command, null);
    }

    /**
     * Executes a command with arguments, with the default call timeout.
     *
     * @param command the command name
     * @param arguments {@code null} (no {@code arguments} member), a {@code Map}, a Jackson
     *     {@code ObjectNode}, or any record or POJO, serialised with the options' object mapper;
     *     it must serialise to a JSON object
     * @return a future of the {@code return} value; fails with {@link QmpException} on an error reply,
     *     {@link QmpTimeoutException} or {@link QmpConnectionClosedException}
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public CompletableFuture<JsonNode> execute(String command, Object arguments) {
        return send(command, arguments, false, options.callTimeout(), null);
    }

    /**
     * Executes a command with its own timeout. When it expires the future fails with a
     * {@link QmpTimeoutException}; a reply that arrives later is ignored.
     *
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return a future of the {@code return} value
     * @throws IllegalArgumentException if the command name is empty, the arguments are not an
     *     object, or the timeout is not positive
     */
    public CompletableFuture<JsonNode> execute(String command, Object arguments, Duration timeout) {
        return send(command, arguments, false, checked(timeout), null);
    }

    /**
     * Executes a command and converts its {@code return} value with the options' object mapper.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the class to convert to; {@code Void.class} yields {@code null},
     *     {@code JsonNode.class} the raw value
     * @return a future of the converted value; fails as {@link #execute(String, Object)} does, or with
     *     a {@link QmpClientException} when the value cannot be converted
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, Class<T> resultType) {
        return send(command, arguments, false, options.callTimeout(), typeOf(resultType));
    }

    /**
     * Executes a command with its own timeout and converts its {@code return} value.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the class to convert to, as for {@link #execute(String, Object, Class)}
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return a future of the converted value
     * @throws IllegalArgumentException if the command name is empty, the arguments are not an
     *     object, or the timeout is not positive
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, Class<T> resultType, Duration timeout) {
        return send(command, arguments, false, checked(timeout), typeOf(resultType));
    }

    /**
     * Executes a command and converts its {@code return} value to a generic type, e.g.
     * {@code new TypeReference<List<CommandInfo>>() {}}.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @return a future of the converted value; fails as {@link #execute(String, Object, Class)} does
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, TypeReference<T> resultType) {
        return send(command, arguments, false, options.callTimeout(), typeOf(resultType));
    }

    /**
     * Executes a command with its own timeout and converts its {@code return} value to a generic type.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return a future of the converted value
     * @throws IllegalArgumentException if the command name is empty, the arguments are not an
     *     object, or the timeout is not positive
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, TypeReference<T> resultType,
            Duration timeout) {
        return send(command, arguments, false, checked(timeout), typeOf(resultType));
    }

    /**
     * Executes a command and converts its {@code return} value to a Jackson {@link JavaType}.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to, e.g. from the mapper's {@code TypeFactory}
     * @return a future of the converted value; fails as {@link #execute(String, Object, Class)} does
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, JavaType resultType) {
        return send(command, arguments, false, options.callTimeout(), Objects.requireNonNull(resultType, "resultType"));
    }

    /**
     * Executes a command with its own timeout and converts its {@code return} value to a Jackson
     * {@link JavaType}.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return a future of the converted value
     * @throws IllegalArgumentException if the command name is empty, the arguments are not an
     *     object, or the timeout is not positive
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, JavaType resultType, Duration timeout) {
        return send(command, arguments, false, checked(timeout), Objects.requireNonNull(resultType, "resultType"));
    }

    /**
     * Executes a command out-of-band ({@code "exec-oob"}), with the default call timeout. The reply
     * may overtake replies to earlier in-band commands. The server rejects commands that do not
     * allow OOB with a {@link QmpException}.
     *
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @return a future of the {@code return} value; fails at once with an
     *     {@link IllegalStateException} when the {@code oob} capability is not enabled
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public CompletableFuture<JsonNode> executeOob(String command, Object arguments) {
        return send(command, arguments, true, options.callTimeout(), null);
    }

    // ------------------------------------------------------------------ blocking calls

    /**
     * Executes a command without arguments and waits for its result.
     *
     * @param command the command name
     * @return the {@code return} value
     * @throws QmpException on an error reply
     * @throws QmpTimeoutException when the default call timeout expires
     * @throws QmpConnectionClosedException when the connection ends first, or is closed
     * @throws QmpClientException when the calling thread is interrupted (the call is abandoned and
     *     the interrupt status set again)
     */
    public JsonNode call(String command) {
        return call(command, null);
    }

    /**
     * Executes a command and waits for its result. Throws what {@link #execute(String, Object)}'s
     * future would fail with, unwrapped, with the caller's stack trace. On a callback thread of this
     * client's own pool the wait does not count against the pool's bound.
     *
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @return the {@code return} value
     * @throws QmpException on an error reply
     * @throws QmpTimeoutException when the default call timeout expires
     * @throws QmpConnectionClosedException when the connection ends first, or is closed
     * @throws QmpClientException when the calling thread is interrupted (the call is abandoned and
     *     the interrupt status set again)
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public JsonNode call(String command, Object arguments) {
        return await(execute(command, arguments), command, options.callTimeout());
    }

    /**
     * Executes a command with its own timeout and waits for its result.
     *
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return the {@code return} value
     * @throws QmpClientException as {@link #call(String, Object)}
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public JsonNode call(String command, Object arguments, Duration timeout) {
        return await(execute(command, arguments, timeout), command, timeout);
    }

    /**
     * Executes a command and waits for its result, converted to a class.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType as for {@link #execute(String, Object, Class)}
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object)}, or when the value cannot be converted
     */
    public <T> T call(String command, Object arguments, Class<T> resultType) {
        return await(execute(command, arguments, resultType), command, options.callTimeout());
    }

    /**
     * Executes a command with its own timeout and waits for its result, converted to a class.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType as for {@link #execute(String, Object, Class)}
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object, Class)}
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public <T> T call(String command, Object arguments, Class<T> resultType, Duration timeout) {
        return await(execute(command, arguments, resultType, timeout), command, timeout);
    }

    /**
     * Executes a command and waits for its result, converted to a generic type.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType e.g. {@code new TypeReference<List<CommandInfo>>() {}}
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object, Class)}
     */
    public <T> T call(String command, Object arguments, TypeReference<T> resultType) {
        return await(execute(command, arguments, resultType), command, options.callTimeout());
    }

    /**
     * Executes a command with its own timeout and waits for its result, converted to a generic type.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object, Class)}
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public <T> T call(String command, Object arguments, TypeReference<T> resultType, Duration timeout) {
        return await(execute(command, arguments, resultType, timeout), command, timeout);
    }

    /**
     * Executes a command and waits for its result, converted to a Jackson {@link JavaType}.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object, Class)}
     */
    public <T> T call(String command, Object arguments, JavaType resultType) {
        return await(execute(command, arguments, resultType), command, options.callTimeout());
    }

    /**
     * Executes a command with its own timeout and waits for its result, converted to a Jackson
     * {@link JavaType}.
     *
     * @param <T> the result type
     * @param command the command name
     * @param arguments as for {@link #execute(String, Object)}
     * @param resultType the type to convert to
     * @param timeout positive, or {@code null} for no timeout at all (overriding the default)
     * @return the converted value
     * @throws QmpClientException as {@link #call(String, Object, Class)}
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public <T> T call(String command, Object arguments, JavaType resultType, Duration timeout) {
        return await(execute(command, arguments, resultType, timeout), command, timeout);
    }

    // ------------------------------------------------------------------ events

    /**
     * Subscribes to events by name. The listener runs on the callback executor, one event at a
     * time, in arrival order; the subscription buffers at most
     * {@link QmpClientOptions#eventBufferSize()} undelivered events and drops the oldest beyond that
     * (see {@link EventSubscription#dropped()}).
     *
     * @param eventNames the names to receive; empty for all events
     * @param listener receives the events
     * @return the subscription; close it to stop delivery. On a closed client it is inactive
     */
    public EventSubscription subscribe(Set<String> eventNames, Consumer<? super QmpEvent> listener) {
        Objects.requireNonNull(eventNames, "eventNames");
        Objects.requireNonNull(listener, "listener");
        return register(new EventSubscription(this, eventNames, null, listener, options.eventBufferSize(), false, null));
    }

    /**
     * Subscribes to the events a filter accepts, as qemu.qmp's {@code EventListener} with an event
     * filter, e.g. {@code e -> e.name().equals("JOB_STATUS_CHANGE") && "concluded".equals(e.data(Job.class).status())}.
     * The listener runs as for {@link #subscribe(Set, Consumer)}.
     *
     * <p>The filter runs on the client's reader thread, for every event, so that only the events
     * it accepts take room in the subscription's buffer: it must be quick and must not block (reading
     * {@link QmpEvent#data(Class)} is fine). A filter that throws rejects the event; the exception is
     * logged.
     *
     * @param filter accepts the events to receive
     * @param listener receives the events
     * @return the subscription; close it to stop delivery. On a closed client it is inactive
     */
    public EventSubscription subscribe(Predicate<? super QmpEvent> filter, Consumer<? super QmpEvent> listener) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        return register(new EventSubscription(this, Set.of(), filter, listener, options.eventBufferSize(), false, null));
    }

    /**
     * A future of the next event with this name. Call it before the command that causes the event.
     *
     * @param name the event name, e.g. {@code "STOP"}
     * @return a future that completes, on the callback executor, with the event, or fails with a
     *     {@link QmpConnectionClosedException} when the connection ends first. Cancelling it
     *     removes the underlying subscription
     */
    public CompletableFuture<QmpEvent> nextEvent(String name) {
        Objects.requireNonNull(name, "name");
        return nextEvent(Set.of(name), null, "event " + name);
    }

    /**
     * A future of the next event a filter accepts. Call it before the command that causes the
     * event. The filter runs on the reader thread, as for {@link #subscribe(Predicate, Consumer)}.
     *
     * @param filter accepts the event to wait for
     * @return a future as {@link #nextEvent(String)}'s
     */
    public CompletableFuture<QmpEvent> nextEvent(Predicate<? super QmpEvent> filter) {
        Objects.requireNonNull(filter, "filter");
        return nextEvent(Set.of(), filter, "a matching event");
    }

    /**
     * The JSON tokens of a serialised request as QEMU's lexer counts them: each of {@code {}[],:}, each
     * string, each number or literal.
     *
     * @param json compact JSON, as the client's mapper writes it
     * @return the number of tokens
     */
    static long tokens(byte[] json) {
        long n = 0;
        int i = 0;
        while (i < json.length) {
            byte b = json[i];
            if (b == '"') {
                n++;
                i++;
                while (i < json.length && json[i] != '"') {
                    i += json[i] == '\\' ? 2 : 1;
                }
                i++;
            } else if (b == '{' || b == '}' || b == '[' || b == ']' || b == ',' || b == ':') {
                n++;
                i++;
            } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                i++;
            } else {
                n++;
                while (i < json.length && "{}[],: \n\r\t\"".indexOf(json[i]) < 0) {
                    i++;
                }
            }
        }
        return n;
    }

    /**
     * {@link #subscribe(Predicate, Consumer)}, told once the connection has ended (after what was
     * buffered has been delivered): for {@link QmpJob}, whose {@code done()} must not wait for ever.
     */
    EventSubscription subscribe(Predicate<? super QmpEvent> filter, Consumer<? super QmpEvent> listener,
            Consumer<Throwable> onConnectionClosed) {
        return register(new EventSubscription(this, Set.of(), filter, listener, options.eventBufferSize(), false,
                onConnectionClosed));
    }

    /** Where this client connects or listens, for messages. */
    String endpointText() {
        return String.valueOf(endpoint);
    }

    private CompletableFuture<QmpEvent> nextEvent(Set<String> names, Predicate<? super QmpEvent> filter, String what) {
        QmpFuture<QmpEvent> future = new QmpFuture<>(ownPool);
        EventSubscription subscription = new EventSubscription(this, names, filter, future::complete, 1, true,
                cause -> future.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + endpoint + " ended before " + what + " arrived", cause)));
        future.whenComplete((e, x) -> subscription.close());
        register(subscription);
        return future;
    }

    // ------------------------------------------------------------------ state and closing

    /**
     * Whether the connection is open (connected and not yet ended).
     *
     * @return {@code true} while open
     */
    public boolean isOpen() {
        return !closed.get() && connectFuture.isDone() && !connectFuture.isCompletedExceptionally();
    }

    /**
     * A future that completes normally, on the callback executor, when the connection ends for any
     * reason (local close, server hang-up, I/O error, protocol violation). By then every pending
     * call has failed.
     *
     * @return the close future
     */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /**
     * Why the connection ended.
     *
     * @return {@code null} while open and after a local {@link #close()}; otherwise the cause: a
     *     {@link QmpConnectionClosedException} when the server hung up or the socket failed (its
     *     cause is the {@link IOException}, if there was one), a {@link QmpProtocolException}, or,
     *     for a connection that was never established, the exception its connect future failed with
     */
    public Throwable closeCause() {
        return closeCause;
    }

    /**
     * Closes the connection: closes the socket, fails every pending call with a
     * {@link QmpConnectionClosedException} and completes {@link #closeFuture()}, both on the
     * callback executor. Returns after the client's reader and writer threads have ended (unless
     * called on one of them); the failures and {@code closeFuture()} may follow a moment later, so
     * wait for {@code closeFuture()} if that order matters. Idempotent.
     */
    @Override
    public void close() {
        teardown(null);
        joinThreads();
    }

    @Override
    public String toString() {
        return "QmpClient[" + endpoint + (closed.get() ? ", closed]" : ", open]");
    }

    // ------------------------------------------------------------------ package-private (tests, subscriptions)

    /** The prefix of every thread this client starts. */
    String threadNamePrefix() {
        return threadPrefix;
    }

    /** Number of calls awaiting a reply. */
    int pendingCalls() {
        return pending.size();
    }

    /** Threads of the client-owned callback pool right now; {@code -1} with a caller-supplied executor. */
    int callbackThreads() {
        return ownPool == null ? -1 : ownPool.threads();
    }

    void unsubscribe(EventSubscription subscription) {
        subscriptions.remove(subscription);
    }

    /**
     * Runs a task on the callback executor. The client's own pool never rejects; a caller-supplied
     * executor that does (e.g. shut down) gets the task run on a new thread instead, never inline:
     * the caller may be the reader thread.
     */
    void dispatch(Runnable task) {
        try {
            callbackExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            Thread t = new Thread(task, threadPrefix + "callback-rejected");
            t.setDaemon(true);
            t.start();
        }
    }

    // ------------------------------------------------------------------ sending

    private static Duration checked(Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return timeout;
    }

    private JavaType typeOf(Class<?> type) {
        Objects.requireNonNull(type, "resultType");
        return options.objectMapper().getTypeFactory().constructType(type);
    }

    private JavaType typeOf(TypeReference<?> type) {
        Objects.requireNonNull(type, "resultType");
        return options.objectMapper().getTypeFactory().constructType(type);
    }

    /** Waits for a call on behalf of a blocking method; see {@link #call(String, Object)}. */
    /**
     * Waits for a call's future. The timer fails a call that timed out through the callback pool, like
     * every completion; when callbacks that block hold every thread of that pool, the failure would
     * come late (or, if they wait for other calls, never), so the caller's own wait is bounded by the
     * timeout as well, plus {@link #AWAIT_GRACE_NANOS} for the timer's failure to arrive first.
     */
    private static <T> T await(CompletableFuture<T> future, String command, Duration timeout) {
        try {
            // A QmpFuture: on a thread of the own pool, the wait lends its place to another thread.
            if (timeout == null) {
                return future.get();
            }
            try {
                return future.get(saturatedAdd(timeout.toNanos(), AWAIT_GRACE_NANOS), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                future.cancel(false); // its late reply, if any, is dropped
                throw new QmpTimeoutException("no reply to " + command + " within " + timeout
                        + " (the client's callback threads are all busy)");
            }
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new QmpClientException("interrupted while waiting for the reply to " + command, e);
        } catch (ExecutionException e) {
            throw forCaller(e.getCause());
        }
    }

    /** How much later than its timeout a blocking call gives up by itself (see {@link #await}). */
    private static final long AWAIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** What a blocking method throws for a future's failure: a copy with the caller's stack trace. */
    private static RuntimeException forCaller(Throwable cause) {
        if (cause instanceof QmpClientException q) {
            return q.copyForCaller();
        }
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new QmpClientException(String.valueOf(cause), cause);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private EventSubscription register(EventSubscription subscription) {
        subscriptions.add(subscription);
        if (closed.get()) {
            // Raced with teardown, or subscribed after it: either path may notify; it is idempotent.
            subscription.connectionClosed(closeCause);
        }
        return subscription;
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> send(String command, Object arguments, boolean oob, Duration timeout,
            JavaType resultType) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command name");
        }
        ObjectNode args = toArguments(arguments);
        QmpFuture<Object> future = new QmpFuture<>(ownPool);
        if (closed.get()) {
            future.completeExceptionally(new QmpConnectionClosedException(
                    "connection to " + endpoint + " is closed; " + command + " not sent", closeCause));
            return (CompletableFuture<T>) future;
        }
        if (oob && !enabledCapabilities.contains("oob")) {
            future.completeExceptionally(new IllegalStateException(
                    "exec-oob needs the oob capability, which is not enabled on " + endpoint));
            return (CompletableFuture<T>) future;
        }
        Set<String> requested = null;
        if (command.equals("qmp_capabilities")) {
            requested = new LinkedHashSet<>();
            JsonNode enable = args == null ? null : args.get("enable");
            if (enable != null && enable.isArray()) {
                for (JsonNode cap : enable) {
                    requested.add(cap.asText());
                }
            }
        }
        String id = "qmon-client-" + nextId.incrementAndGet();
        ObjectNode request = wire.createObjectNode();
        request.put(oob ? "exec-oob" : "execute", command);
        if (args != null) {
            request.set("arguments", args);
        }
        request.put("id", id);
        byte[] json;
        try {
            json = wire.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the arguments of " + command, e);
        }
        if (json.length > MAX_REQUEST_SIZE) {
            future.completeExceptionally(new QmpClientException("request " + command + " of " + json.length
                    + " bytes exceeds the QMP input limit of " + MAX_REQUEST_SIZE + " bytes; not sent"));
            return (CompletableFuture<T>) future;
        }
        // Every token is at least a byte: only a request this long can have too many (counted then).
        if (json.length > MAX_REQUEST_TOKENS) {
            long tokens = tokens(json);
            if (tokens > MAX_REQUEST_TOKENS) {
                future.completeExceptionally(new QmpClientException("request " + command + " of " + tokens
                        + " JSON tokens exceeds the QMP input limit of " + MAX_REQUEST_TOKENS + " tokens; not sent"));
                return (CompletableFuture<T>) future;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();

        PendingCall call = new PendingCall(id, command, oob, requested == null ? null : Set.copyOf(requested),
                resultType, future);
        // Registered first, so it runs whoever completes the future: a reply, the timeout, the
        // caller (cancel) or teardown. Only the latter ones leave a registration behind.
        future.whenComplete((r, e) -> {
            call.cancelTimeout();
            pending.abandon(call);
        });
        synchronized (sendLock) {
            if (!pending.register(call)) {
                // Teardown drained the calls before this one registered: fail it like them.
                dispatch(() -> future.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + endpoint + " is closed; " + command + " not sent", closeCause)));
                return (CompletableFuture<T>) future;
            }
            outgoing.add(new Outgoing(bytes, call));
        }
        if (timeout != null) {
            try {
                call.timeout = timer.schedule(() -> dispatch(() -> future.completeExceptionally(
                        new QmpTimeoutException("no reply to " + command + " (id " + id + ") within " + timeout))),
                        timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (future.isDone()) {
                    call.cancelTimeout();
                }
            } catch (RejectedExecutionException e) {
                // The timer is shut down only by teardown, which has failed (or is failing) this call.
            }
        }
        return (CompletableFuture<T>) future;
    }

    private ObjectNode toArguments(Object arguments) {
        if (arguments == null) {
            return null;
        }
        JsonNode tree = arguments instanceof JsonNode node ? node : options.objectMapper().valueToTree(arguments);
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return null;
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException("QMP arguments must be a JSON object, not " + tree.getNodeType());
        }
        return (ObjectNode) tree;
    }

    private void writeLoop() {
        try {
            while (true) {
                Outgoing next = outgoing.take();
                if (next == POISON || closed.get()) {
                    return;
                }
                if (WIRE.isLoggable(DEBUG)) {
                    WIRE.log(DEBUG, "{0} -> {1}", endpoint,
                            abbreviate(new String(next.bytes().array(), 0, next.bytes().limit() - 1, StandardCharsets.UTF_8)));
                }
                SocketChannel ch = channel;
                ByteBuffer bytes = next.bytes();
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            teardown(new QmpConnectionClosedException("writer thread interrupted"));
        } catch (IOException e) {
            if (closed.get()) {
                return;
            }
            // Broken pipe, connection reset: the server went away, e.g. QEMU after quit while the
            // next request was on its way. Its last replies (quit's) may still be unread: the reader
            // consumes them and ends the connection at end of stream. Nothing more is written; calls
            // queued meanwhile fail when the connection ends. A server that stopped reading but
            // keeps the connection open would leave the reader waiting: the grace period bounds that.
            QmpConnectionClosedException cause = new QmpConnectionClosedException(
                    "connection to " + endpoint + " lost while writing: " + e.getMessage(), e);
            LOG.log(DEBUG, "writing to {0} failed: {1}; the reader ends the connection", endpoint, e.getMessage());
            try {
                timer.schedule(() -> dispatch(() -> teardown(cause)), WRITE_FAILURE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // Teardown shut the timer down: the connection is ending anyway.
            }
        } catch (RuntimeException e) {
            teardown(closed.get() ? null : e);
        }
    }

    // ------------------------------------------------------------------ reading

    private void readLoop() {
        Throwable failure = null;
        BoundedChannelInputStream in = null;
        boolean connected = false;
        try {
            SocketChannel ch = accepting ? acceptOne() : connectOne();
            if (ch == null) {
                return; // closed while connecting or accepting
            }
            connected = true;
            LOG.log(DEBUG, accepting ? "accepted a connection on {0}" : "connected to {0}", endpoint);
            in = new BoundedChannelInputStream(ch);
            long max = options.maxReplySize();
            in.limit(max + READ_SLACK);
            try (JsonParser parser = wire.createParser(in)) {
                long lastEnd = 0;
                while (!closed.get()) {
                    in.limit(lastEnd + max + READ_SLACK);
                    JsonToken token = parser.nextToken();
                    if (token == null) {
                        failure = new QmpConnectionClosedException("the server closed the connection to " + endpoint);
                        break;
                    }
                    long start = parser.currentTokenLocation().getByteOffset();
                    in.limit(start + max + READ_SLACK);
                    JsonNode message = wire.readTree(parser);
                    long end = parser.currentLocation().getByteOffset();
                    if (end - start > max) {
                        throw new QmpProtocolException(tooLarge(end - start));
                    }
                    lastEnd = end;
                    handle(message, end - start);
                }
            }
        } catch (Throwable t) {
            failure = classify(t, in, connected);
        } finally {
            teardown(failure);
        }
    }

    /** Connect mode: opens and connects the socket; {@code null} when the client was closed meanwhile. */
    private SocketChannel connectOne() throws IOException {
        SocketChannel ch = endpoint.newChannel();
        synchronized (channelLock) {
            if (closed.get()) {
                ch.close();
                return null;
            }
            channel = ch;
        }
        endpoint.connect(ch);
        return ch;
    }

    /**
     * Accept mode: accepts one connection, then stops listening; {@code null} when the client was
     * closed meanwhile.
     */
    private SocketChannel acceptOne() throws IOException {
        ServerSocketChannel server;
        synchronized (channelLock) {
            server = listener;
        }
        if (server == null) {
            return null;
        }
        SocketChannel ch = server.accept();
        synchronized (channelLock) {
            closeListener();
            if (closed.get()) {
                ch.close();
                return null;
            }
            channel = ch;
        }
        endpoint.configure(ch);
        return ch;
    }

    /** Closes the listening socket and removes its file. Caller holds channelLock. */
    private void closeListener() {
        ServerSocketChannel server = listener;
        if (server == null) {
            return;
        }
        listener = null;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(DEBUG, "closing the listening socket failed: {0}", e.getMessage());
        }
        endpoint.removeSocketFile();
    }

    private String tooLarge(long size) {
        return "a message from " + endpoint + " of " + (size < 0 ? "more than " + options.maxReplySize() : size)
                + " bytes exceeds the maximum reply size of " + options.maxReplySize() + " bytes";
    }

    /** Turns what ended the reader into the connection's close cause ({@code null}: closed locally). */
    private Throwable classify(Throwable t, BoundedChannelInputStream in, boolean connected) {
        if (closed.get()) {
            return null; // the socket was closed under the reader: expected
        }
        if (in != null && in.limitExceeded()) {
            return new QmpProtocolException(tooLarge(-1), t);
        }
        if (t instanceof JsonProcessingException) {
            return new QmpProtocolException("malformed JSON from " + endpoint + ": " + t.getMessage(), t);
        }
        if (t instanceof IOException io) {
            if (!connected) {
                return new QmpConnectException((accepting ? "accepting a connection on " : "cannot connect to ")
                        + endpoint + ": " + io.getMessage(), io);
            }
            // Connection reset, broken pipe: the server went away (QEMU after quit resets the socket).
            return new QmpConnectionClosedException("connection to " + endpoint + " lost: " + io.getMessage(), io);
        }
        return t;
    }

    private void handle(JsonNode message, long size) {
        if (WIRE.isLoggable(DEBUG)) {
            WIRE.log(DEBUG, "{0} <- ({1} bytes) {2}", endpoint, size, abbreviate(message.toString()));
        }
        if (!message.isObject()) {
            if (greeting == null) {
                throw new QmpProtocolException("expected a QMP greeting from " + endpoint + ", got " + abbreviate(message.toString()));
            }
            LOG.log(WARNING, "dropping a message from {0} that is not a JSON object", endpoint);
            return;
        }
        if (greeting == null) {
            if (message.path("event").isTextual() && !message.has("QMP")) {
                // QEMU 7.2 emits events to a monitor whose client connected before the monitor's
                // "opened" handler ran (it sends the greeting): seen as RESUME ahead of the greeting
                // when connecting while QEMU starts. Nobody can have subscribed yet: drop it.
                LOG.log(DEBUG, "dropping an event from {0} that came before the greeting", endpoint);
                return;
            }
            onGreeting(message);
            return;
        }
        JsonNode event = message.get("event");
        if (event != null && event.isTextual()) {
            onEvent(event.asText(), message);
        } else if (message.has("error") || message.has("return")) {
            onReply(message);
        } else {
            LOG.log(DEBUG, "dropping an unknown message from {0}", endpoint);
        }
    }

    private void onGreeting(JsonNode message) {
        JsonNode qmp = message.get("QMP");
        if (qmp == null || !qmp.isObject()) {
            throw new QmpProtocolException("expected a QMP greeting from " + endpoint + ", got " + abbreviate(message.toString()));
        }
        Set<String> caps = new LinkedHashSet<>();
        JsonNode capabilities = qmp.get("capabilities");
        if (capabilities != null && capabilities.isArray()) {
            for (JsonNode cap : capabilities) {
                if (cap.isTextual()) {
                    caps.add(cap.asText());
                }
            }
        }
        serverCapabilities = Collections.unmodifiableSet(caps);
        greeting = message;
        if (!options.negotiate()) {
            dispatch(() -> connectFuture.complete(this));
            return;
        }
        ObjectNode args = null;
        if (options.negotiateOob() && caps.contains("oob")) {
            args = wire.createObjectNode();
            args.putArray("enable").add("oob");
        }
        // Completed on the callback executor, so the connect future is too.
        send("qmp_capabilities", args, false, null, null).whenComplete((r, e) -> {
            if (e == null) {
                connectFuture.complete(this);
            } else {
                connectFuture.completeExceptionally(unwrap(e));
            }
        });
    }

    private void onEvent(String name, JsonNode message) {
        JsonNode data = message.get("data");
        long seconds = -1;
        long micros = -1;
        JsonNode timestamp = message.get("timestamp");
        if (timestamp != null && timestamp.isObject()) {
            seconds = timestamp.path("seconds").asLong(-1);
            micros = timestamp.path("microseconds").asLong(-1);
        }
        QmpEvent event = new QmpEvent(name, data, seconds, micros, options.objectMapper());
        for (EventSubscription subscription : subscriptions) {
            if (subscription.accepts(event)) {
                subscription.offer(event);
            }
        }
    }

    private void onReply(JsonNode message) {
        JsonNode id = message.get("id");
        if (id == null) {
            if (!message.has("error")) {
                LOG.log(DEBUG, "dropping a reply without id from {0}", endpoint);
                return;
            }
            PendingCalls.Oldest oldest = pending.takeOldestInBand();
            if (!oldest.found()) {
                LOG.log(WARNING, "dropping an error without id from {0} that matches no call: {1}", endpoint,
                        abbreviate(message.toString()));
            } else if (oldest.live() == null) {
                LOG.log(DEBUG, "an error without id from {0} answered a call the client gave up on", endpoint);
            } else {
                complete(oldest.live(), message);
            }
            return;
        }
        PendingCall call = id.isTextual() ? pending.takeReply(id.asText()) : null;
        if (call == null) {
            LOG.log(DEBUG, "dropping a reply with unknown id {0} from {1}", id, endpoint);
            return;
        }
        complete(call, message);
    }

    /** Called by the reader; the future is completed (and the result converted) on the callback executor. */
    private void complete(PendingCall call, JsonNode message) {
        JsonNode error = message.get("error");
        if (error != null) {
            QmpException failure = new QmpException(
                    error.path("class").isTextual() ? error.get("class").asText() : null,
                    error.path("desc").isTextual() ? error.get("desc").asText() : error.toString(),
                    call.command);
            dispatch(() -> call.future.completeExceptionally(failure));
            return;
        }
        if (call.requestedCapabilities != null) {
            // Before the future completes, so whoever waits on it sees the new capabilities.
            enabledCapabilities = call.requestedCapabilities;
        }
        JsonNode value = message.get("return");
        dispatch(() -> {
            Object result;
            try {
                result = call.resultType == null
                        ? value
                        : Conversions.convert(options.objectMapper(), value, call.resultType, "the result of " + call.command);
            } catch (QmpClientException e) {
                call.future.completeExceptionally(e);
                return;
            }
            call.future.complete(result);
        });
    }

    // ------------------------------------------------------------------ closing

    /**
     * Ends the connection once; later calls do nothing. {@code cause} is {@code null} for a local
     * close. Closes the sockets and stops the writer and timer here, on the calling thread (which may
     * be the reader); every future is completed by one task on the callback executor, which fails
     * the pending calls first and completes {@link #closeFuture} last.
     */
    private void teardown(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeCause = cause;
        synchronized (channelLock) {
            closeListener();
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    LOG.log(DEBUG, "closing the socket failed: {0}", e.getMessage());
                }
            }
        }
        logEnd(cause);
        String reason = cause == null ? "the client closed the connection" : String.valueOf(cause.getMessage());
        List<PendingCall> calls = pending.closeAndDrain();
        synchronized (sendLock) {
            outgoing.clear();
            outgoing.add(POISON);
        }
        timer.shutdownNow();
        dispatch(() -> {
            for (PendingCall call : calls) {
                call.cancelTimeout();
                call.future.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + endpoint + " ended before the reply to " + call.command + " arrived: " + reason,
                        cause));
            }
            if (!connectFuture.isDone()) {
                Throwable failure = cause instanceof QmpClientException
                        ? cause
                        : new QmpConnectionClosedException("connecting to " + endpoint + " failed: " + reason, cause);
                connectFuture.completeExceptionally(failure);
            }
            for (EventSubscription subscription : subscriptions) {
                subscription.connectionClosed(cause);
            }
            closeFuture.complete(null);
        });
        if (ownPool != null) {
            ownPool.retire();
        }
    }

    /**
     * Logs why the connection ended. Expected ends (local close, hang-up, a connect attempt that
     * failed and is reported through its future) at DEBUG without a stack trace; a protocol
     * violation at WARNING with its message; anything else, which would be a bug, with its stack trace.
     */
    private void logEnd(Throwable cause) {
        boolean established = connectFuture.isDone() && !connectFuture.isCompletedExceptionally();
        if (cause == null) {
            LOG.log(DEBUG, "closed the connection to {0}", endpoint);
        } else if (!established && (cause instanceof QmpClientException || cause instanceof CancellationException
                || cause instanceof java.util.concurrent.TimeoutException)) {
            // The caller gave up on the attempt (cancel, or orTimeout as documented): expected, not a fault.
            LOG.log(DEBUG, "connection attempt with {0} ended: {1}", endpoint, cause);
        } else if (cause instanceof QmpConnectionClosedException) {
            LOG.log(DEBUG, "connection to {0} ended: {1}", endpoint, cause.getMessage());
        } else if (cause instanceof QmpProtocolException) {
            LOG.log(WARNING, "connection to {0} ended: {1}", endpoint, cause.getMessage());
        } else {
            LOG.log(WARNING, "connection to " + endpoint + " ended: " + cause, cause);
        }
    }

    private void joinThreads() {
        for (Thread t : new Thread[] {reader, writer}) {
            if (t != Thread.currentThread() && t.getState() != Thread.State.NEW) {
                try {
                    t.join(THREAD_JOIN_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= WIRE_LOG_LIMIT ? text : text.substring(0, WIRE_LOG_LIMIT) + "... (" + text.length() + " chars)";
    }
}

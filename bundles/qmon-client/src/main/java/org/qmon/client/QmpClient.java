package org.qmon.client;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An asynchronous QMP client for one connection to a QMP server (qmon or QEMU).
 *
 * <h2>Connecting</h2>
 * {@link #connect(String, QmpClientOptions)} opens {@code unix:PATH} or {@code tcp:HOST:PORT}, reads
 * the greeting and sends {@code qmp_capabilities}, enabling {@code oob} when the server offers it
 * (unless the options say otherwise). The returned future completes when the session is in command
 * mode, or fails: with an {@link IOException} when the socket cannot be connected, a
 * {@link QmpTimeoutException} after {@link QmpClientOptions#connectTimeout()}, a {@link QmpException}
 * when the server refuses the negotiation, a {@link QmpProtocolException} on a bad greeting, or a
 * {@link QmpConnectionClosedException} when the server hangs up.
 *
 * <h2>Calls</h2>
 * Every request carries a unique {@code id} ({@code "qmon-client-N"}) and replies are matched by id,
 * so any number of calls may be in flight (pipelining), from any number of threads. A reply with an
 * unknown id is dropped, as the QMP specification requires. Requests are queued and written, as
 * compact JSON followed by {@code "\n"}, by one writer thread per connection, so {@code execute}
 * never blocks on the socket and concurrent requests never interleave. Futures are completed on the
 * callback executor ({@link QmpClientOptions#callbackExecutor()}), never on the reader thread; a
 * callback may therefore block or issue further calls.
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
 * (QEMU: 64 MiB, 2<sup>21</sup> tokens, nesting 1024); it refuses requests larger than 64 MiB
 * itself, because one oversized request could produce several id-less errors. Id-less success
 * replies are logged and dropped.
 *
 * <h2>Events</h2>
 * {@link #subscribe(Set, Consumer)} registers a listener with a bounded buffer (see
 * {@link EventSubscription}); {@link #nextEvent(String)} completes with the next event of a name.
 * Subscribe <em>before</em> issuing the command that causes an event: QMP servers often send the
 * event before the command's reply (e.g. {@code STOP} before the reply to {@code stop}).
 *
 * <h2>Reading and limits</h2>
 * One daemon reader thread per connection parses the server's stream of JSON values with Jackson's
 * streaming parser (it does not rely on line breaks). A message larger than
 * {@link QmpClientOptions#maxReplySize()} closes the connection with a {@link QmpProtocolException}.
 *
 * <h2>Closing</h2>
 * {@link #close()}, the server closing the socket, an I/O error or a protocol violation all end the
 * connection: every pending call then fails with a {@link QmpConnectionClosedException}, later calls
 * fail at once with one, and {@link #closeFuture()} completes. The client's threads end with it.
 *
 * <h2>Logging</h2>
 * {@link System.Logger}: lifecycle and failures on {@code org.qmon.client.QmpClient}, every message
 * sent and received at {@code DEBUG} on {@code org.qmon.client.wire}. Nothing is printed to stdout.
 */
public final class QmpClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(QmpClient.class.getName());
    private static final System.Logger WIRE = System.getLogger("org.qmon.client.wire");

    /** QEMU's input limit per JSON message (MAX_TOKEN_SIZE); larger requests are refused. */
    static final long MAX_REQUEST_SIZE = 64L << 20;
    /** Read-ahead allowance beyond a message's size limit (Jackson reads in 8000-byte chunks). */
    private static final long READ_SLACK = 64 * 1024;
    /** How much of a message the wire log shows. */
    private static final int WIRE_LOG_LIMIT = 4096;
    /** How long close() waits for the reader and writer threads to end. */
    private static final long THREAD_JOIN_MILLIS = 5000;
    private static final AtomicLong CONNECTIONS = new AtomicLong();
    private static final Outgoing POISON = new Outgoing(null, null);

    /** A request ready for the wire. */
    private record Outgoing(ByteBuffer bytes, PendingCall call) {
    }

    private final Endpoint endpoint;
    private final QmpClientOptions options;
    /** Reads the wire and writes request envelopes; configured for the reply size limit. */
    private final ObjectMapper wire;
    private final String threadPrefix;
    private final Executor callbackExecutor;
    /** The client-owned callback pool; {@code null} when the options supply an executor. */
    private final ThreadPoolExecutor ownExecutor;
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
    private final CompletableFuture<QmpClient> connectFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    /** Set once, by {@link #teardown(Throwable)}; everything after that is cleanup. */
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object channelLock = new Object();
    /** Guarded by channelLock for assignment and close; read by the writer after the greeting. */
    private volatile SocketChannel channel;
    private final Thread reader;
    private final Thread writer;
    // Written by the reader before the connect future completes; read by anyone afterwards.
    private volatile JsonNode greeting;
    private volatile Set<String> serverCapabilities = Set.of();
    private volatile Set<String> enabledCapabilities = Set.of();
    private volatile Throwable closeCause;

    private QmpClient(Endpoint endpoint, QmpClientOptions options) {
        this.endpoint = endpoint;
        this.options = options;
        long number = CONNECTIONS.incrementAndGet();
        this.threadPrefix = "qmon-client-" + number + "-";
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, options.maxReplySize()))
                .maxNestingDepth(2048)
                .build();
        this.wire = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build()).build();
        if (options.callbackExecutor() != null) {
            this.ownExecutor = null;
            this.callbackExecutor = options.callbackExecutor();
        } else {
            this.ownExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), new DaemonThreadFactory(threadPrefix + "callback-"));
            this.callbackExecutor = ownExecutor;
        }
        this.timer = new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory(threadPrefix + "timer-"));
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        this.reader = new Thread(this::readLoop, threadPrefix + "reader");
        reader.setDaemon(true);
        this.writer = new Thread(this::writeLoop, threadPrefix + "writer");
        writer.setDaemon(true);
    }

    /**
     * Connects asynchronously: opens the socket, reads the greeting and negotiates capabilities.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"} (IPv6 hosts in brackets)
     * @param options the client options
     * @return a future that completes with the connected client once the session is in command mode
     *     (or right after the greeting when {@link QmpClientOptions#negotiate()} is {@code false}); it
     *     fails with an {@link IOException} (socket), {@link QmpTimeoutException},
     *     {@link QmpException} (negotiation refused), {@link QmpProtocolException} or
     *     {@link QmpConnectionClosedException}
     * @throws IllegalArgumentException if the endpoint is malformed
     * @throws NullPointerException if an argument is {@code null}
     */
    public static CompletableFuture<QmpClient> connect(String endpoint, QmpClientOptions options) {
        Objects.requireNonNull(options, "options");
        QmpClient client = new QmpClient(Endpoint.parse(endpoint), options);
        return client.start();
    }

    /**
     * Connects with {@link QmpClientOptions#defaults()} and waits for the session, at most the
     * connect timeout.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"}
     * @return the connected client
     * @throws IOException if the socket cannot be connected, or the calling thread is interrupted
     *     ({@link InterruptedIOException})
     * @throws QmpClientException on timeout, refused negotiation, protocol violation or hang-up
     */
    public static QmpClient connect(String endpoint) throws IOException {
        return open(endpoint, QmpClientOptions.defaults());
    }

    /**
     * Connects with the given options and waits for the session, at most the connect timeout.
     *
     * @param endpoint {@code "unix:/path/to.sock"} or {@code "tcp:HOST:PORT"}
     * @param options the client options
     * @return the connected client
     * @throws IOException if the socket cannot be connected, or the calling thread is interrupted
     *     ({@link InterruptedIOException})
     * @throws QmpClientException on timeout, refused negotiation, protocol violation or hang-up
     */
    public static QmpClient open(String endpoint, QmpClientOptions options) throws IOException {
        CompletableFuture<QmpClient> future = connect(endpoint, options);
        try {
            // The connect watchdog completes the future after connectTimeout; the margin only guards that.
            return future.get(options.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.thenAccept(QmpClient::close);
            future.cancel(false);
            throw new InterruptedIOException("interrupted while connecting to " + endpoint);
        } catch (TimeoutException e) {
            future.thenAccept(QmpClient::close);
            future.cancel(false);
            throw new QmpTimeoutException("no QMP session with " + endpoint + " within " + options.connectTimeout());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new QmpClientException("connecting to " + endpoint + " failed", cause);
        }
    }

    private CompletableFuture<QmpClient> start() {
        try {
            Future<?> watchdog = timer.schedule(() -> {
                QmpTimeoutException timeout = new QmpTimeoutException(
                        "no QMP session with " + endpoint + " within " + options.connectTimeout());
                if (connectFuture.completeExceptionally(timeout)) {
                    teardown(timeout);
                }
            }, options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            connectFuture.whenComplete((c, e) -> {
                watchdog.cancel(false);
                if (e != null) {
                    // Also covers a caller that cancels the connect future.
                    teardown(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                }
            });
            reader.start();
            writer.start();
        } catch (RuntimeException | Error e) {
            connectFuture.completeExceptionally(e);
            teardown(e);
        }
        return connectFuture;
    }

    // ------------------------------------------------------------------ public API

    /**
     * The endpoint this client was connected to, as given.
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

    /**
     * Executes a command without arguments, with the default call timeout.
     *
     * @param command the command name
     * @return a future of the {@code return} value (for most commands an object, {@code {}} when the
     *     command returns nothing); fails with {@link QmpException} on an error reply,
     *     {@link QmpTimeoutException} or {@link QmpConnectionClosedException}
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
        return send(command, arguments, false, options.callTimeout());
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
     *     a {@link QmpClientException} when the value cannot be converted. Cancelling it abandons the call
     * @throws IllegalArgumentException if the command name is empty or the arguments are not an object
     */
    public <T> CompletableFuture<T> execute(String command, Object arguments, Class<T> resultType) {
        Objects.requireNonNull(resultType, "resultType");
        CompletableFuture<JsonNode> raw = execute(command, arguments);
        CompletableFuture<T> typed = raw.thenApply(value -> convert(value, command, resultType));
        typed.whenComplete((v, e) -> {
            if (typed.isCancelled()) {
                raw.cancel(false);
            }
        });
        return typed;
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
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return send(command, arguments, false, timeout);
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
        return send(command, arguments, true, options.callTimeout());
    }

    /**
     * Subscribes to events. The listener runs on the callback executor, one event at a time, in
     * arrival order; the subscription buffers at most {@link QmpClientOptions#eventBufferSize()}
     * undelivered events and drops the oldest beyond that (see {@link EventSubscription#dropped()}).
     *
     * @param eventNames the names to receive; empty for all events
     * @param listener receives the events
     * @return the subscription; close it to stop delivery. On a closed client it is inactive
     */
    public EventSubscription subscribe(Set<String> eventNames, Consumer<QmpEvent> listener) {
        Objects.requireNonNull(eventNames, "eventNames");
        Objects.requireNonNull(listener, "listener");
        return register(new EventSubscription(this, eventNames, listener, options.eventBufferSize(), false, null));
    }

    /**
     * A future of the next event with this name. Call it before the command that causes the event.
     *
     * @param name the event name, e.g. {@code "STOP"}
     * @return a future that completes with the event, or fails with a
     *     {@link QmpConnectionClosedException} when the connection ends first. Cancelling it
     *     removes the underlying subscription
     */
    public CompletableFuture<QmpEvent> nextEvent(String name) {
        Objects.requireNonNull(name, "name");
        CompletableFuture<QmpEvent> future = new CompletableFuture<>();
        EventSubscription subscription = new EventSubscription(this, Set.of(name), future::complete, 1, true,
                cause -> future.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + endpoint + " ended before event " + name + " arrived", cause)));
        future.whenComplete((e, x) -> subscription.close());
        register(subscription);
        return future;
    }

    /**
     * Whether the connection is open (connected and not yet ended).
     *
     * @return {@code true} while open
     */
    public boolean isOpen() {
        return !closed.get() && connectFuture.isDone() && !connectFuture.isCompletedExceptionally();
    }

    /**
     * A future that completes normally when the connection ends for any reason (local close,
     * server hang-up, I/O error, protocol violation). By then every pending call has failed.
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
     *     {@link QmpConnectionClosedException} when the server closed the socket, an
     *     {@link IOException}, a {@link QmpProtocolException} or a {@link QmpTimeoutException}
     */
    public Throwable closeCause() {
        return closeCause;
    }

    /**
     * Closes the connection: closes the socket, fails every pending call with a
     * {@link QmpConnectionClosedException} and completes {@link #closeFuture()}. Returns after the
     * client's reader and writer threads have ended (unless called on one of them). Idempotent.
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

    void unsubscribe(EventSubscription subscription) {
        subscriptions.remove(subscription);
    }

    /** Runs a task on the callback executor; inline when that executor no longer accepts tasks. */
    void dispatch(Runnable task) {
        try {
            callbackExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    // ------------------------------------------------------------------ sending

    private EventSubscription register(EventSubscription subscription) {
        subscriptions.add(subscription);
        if (closed.get()) {
            // Raced with teardown, or subscribed after it: either path may notify; it is idempotent.
            subscription.connectionClosed(closeCause);
        }
        return subscription;
    }

    private CompletableFuture<JsonNode> send(String command, Object arguments, boolean oob, Duration timeout) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command name");
        }
        ObjectNode args = toArguments(arguments);
        if (closed.get()) {
            return CompletableFuture.failedFuture(new QmpConnectionClosedException(
                    "connection to " + endpoint + " is closed; " + command + " not sent", closeCause));
        }
        if (oob && !enabledCapabilities.contains("oob")) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "exec-oob needs the oob capability, which is not enabled on " + endpoint));
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
            return CompletableFuture.failedFuture(new QmpClientException("request " + command + " of " + json.length
                    + " bytes exceeds the QMP input limit of " + MAX_REQUEST_SIZE + " bytes; not sent"));
        }
        ByteBuffer bytes = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();

        PendingCall call = new PendingCall(id, command, oob, requested == null ? null : Set.copyOf(requested));
        // Registered first, so it runs whoever completes the future: the reader (reply), the timer
        // (timeout), the caller (cancel) or teardown. Only the latter ones leave a registration behind.
        call.future.whenComplete((r, e) -> {
            call.cancelTimeout();
            pending.abandon(call);
        });
        synchronized (sendLock) {
            if (!pending.register(call)) {
                call.future.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + endpoint + " is closed; " + command + " not sent", closeCause));
                return call.future;
            }
            outgoing.add(new Outgoing(bytes, call));
        }
        if (timeout != null) {
            try {
                call.timeout = timer.schedule(() -> dispatch(() -> call.future.completeExceptionally(
                        new QmpTimeoutException("no reply to " + command + " (id " + id + ") within " + timeout))),
                        timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (call.future.isDone()) {
                    call.cancelTimeout();
                }
            } catch (RejectedExecutionException e) {
                // The timer is shut down only by teardown, which has failed (or is failing) this call.
            }
        }
        return call.future;
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

    private <T> T convert(JsonNode value, String command, Class<T> type) {
        if (type == Void.class) {
            return null;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        try {
            return options.objectMapper().treeToValue(value, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new QmpClientException("cannot convert the result of " + command + " to " + type.getName(), e);
        }
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
        } catch (IOException | RuntimeException e) {
            teardown(closed.get() ? null : e);
        }
    }

    // ------------------------------------------------------------------ reading

    private void readLoop() {
        Throwable failure = null;
        BoundedChannelInputStream in = null;
        try {
            SocketChannel ch = endpoint.newChannel();
            synchronized (channelLock) {
                if (closed.get()) {
                    ch.close();
                    return;
                }
                channel = ch;
            }
            endpoint.connect(ch);
            LOG.log(DEBUG, "connected to {0}", endpoint);
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
            failure = classify(t, in);
        } finally {
            teardown(failure);
        }
    }

    private String tooLarge(long size) {
        return "a message from " + endpoint + " of " + (size < 0 ? "more than " + options.maxReplySize() : size)
                + " bytes exceeds the maximum reply size of " + options.maxReplySize() + " bytes";
    }

    private Throwable classify(Throwable t, BoundedChannelInputStream in) {
        if (closed.get()) {
            return null; // the socket was closed under the reader: expected
        }
        if (in != null && in.limitExceeded()) {
            return new QmpProtocolException(tooLarge(-1), t);
        }
        if (t instanceof JsonProcessingException) {
            return new QmpProtocolException("malformed JSON from " + endpoint + ": " + t.getMessage(), t);
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
        send("qmp_capabilities", args, false, null).whenComplete((r, e) -> {
            if (e == null) {
                connectFuture.complete(this);
            } else {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                connectFuture.completeExceptionally(cause);
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
        QmpEvent event = new QmpEvent(name, data, seconds, micros);
        for (EventSubscription subscription : subscriptions) {
            if (subscription.accepts(name)) {
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
        dispatch(() -> call.future.complete(value));
    }

    // ------------------------------------------------------------------ closing

    /**
     * Ends the connection once; later calls do nothing. {@code cause} is {@code null} for a local close.
     * Completes everything inline, so that when {@link #closeFuture()} completes, every pending call
     * has already failed.
     */
    private void teardown(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeCause = cause;
        synchronized (channelLock) {
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    LOG.log(DEBUG, "closing the socket failed", e);
                }
            }
        }
        boolean established = connectFuture.isDone() && !connectFuture.isCompletedExceptionally();
        if (cause == null) {
            LOG.log(DEBUG, "closed the connection to {0}", endpoint);
        } else if (!established || cause instanceof QmpConnectionClosedException) {
            // A failed connect is reported through the connect future; a hang-up through closeFuture().
            LOG.log(DEBUG, "connection to " + endpoint + " ended: " + cause, cause);
        } else {
            LOG.log(WARNING, "connection to " + endpoint + " ended: " + cause, cause);
        }
        String reason = cause == null ? "the client closed the connection" : String.valueOf(cause.getMessage());
        for (PendingCall call : pending.closeAndDrain()) {
            call.cancelTimeout();
            call.future.completeExceptionally(new QmpConnectionClosedException(
                    "connection to " + endpoint + " ended before the reply to " + call.command + " arrived: " + reason,
                    cause));
        }
        synchronized (sendLock) {
            outgoing.clear();
            outgoing.add(POISON);
        }
        if (!connectFuture.isDone()) {
            Throwable failure = cause instanceof IOException || cause instanceof QmpClientException
                    ? cause
                    : new QmpConnectionClosedException("connecting to " + endpoint + " failed: " + reason, cause);
            connectFuture.completeExceptionally(failure);
        }
        for (EventSubscription subscription : subscriptions) {
            subscription.connectionClosed(cause);
        }
        timer.shutdownNow();
        closeFuture.complete(null);
        if (ownExecutor != null) {
            ownExecutor.shutdown();
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

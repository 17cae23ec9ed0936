package org.qmon.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny QMP server for tests, on a real unix or TCP socket: it sends a greeting, answers
 * {@code qmp_capabilities}, records every request, and hands the others to a scripted
 * {@link Handler} (by default: echo the arguments as the return value).
 *
 * <p>It listens ({@link #start}) or, for the client's accept mode, connects to the client as QEMU's
 * {@code -qmp unix:PATH} without {@code server=on} does ({@link #dialing()}, {@link #dial(String)}).
 *
 * <p>Each accepted connection is a {@link Session} with its own daemon reader thread. Handlers run on
 * that thread, so a handler that only records requests lets the test answer them later, in any order.
 */
final class ScriptedQmpServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String GREETING_WITH_OOB =
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}";
    static final String GREETING_WITHOUT_OOB =
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}";
    private static final long WAIT_SECONDS = 10;

    enum Transport { UNIX, TCP }

    /** Script for requests other than the auto-answered {@code qmp_capabilities}. */
    @FunctionalInterface
    interface Handler {
        void handle(ObjectNode request, Session session) throws IOException;
    }

    /** Echoes the arguments (or {@code {}}) as the return value. */
    static final Handler ECHO = (request, session) -> session.reply(request.get("id"),
            request.has("arguments") ? request.get("arguments") : JSON.createObjectNode());
    /** Records the request and answers nothing; the test answers through the session. */
    static final Handler HOLD = (request, session) -> { };

    private final ServerSocketChannel server;
    private final String endpoint;
    private final Thread acceptor;
    private final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
    private final List<Session> all = new CopyOnWriteArrayList<>();
    volatile String greeting = GREETING_WITH_OOB;
    volatile boolean sendGreeting = true;
    volatile boolean autoNegotiate = true;
    volatile Handler handler = ECHO;

    private final Path unixSocket;

    private ScriptedQmpServer(ServerSocketChannel server, String endpoint, Path unixSocket) {
        this.server = server;
        this.unixSocket = unixSocket;
        this.endpoint = endpoint;
        if (server == null) {
            this.acceptor = null;
        } else {
            this.acceptor = new Thread(this::acceptLoop, "scripted-qmp-server-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    /** A server that does not listen: it connects to listening clients with {@link #dial(String)}. */
    static ScriptedQmpServer dialing() {
        return new ScriptedQmpServer(null, null, null);
    }

    /**
     * Connects to a client listening on {@code unix:PATH} or {@code tcp:HOST:PORT}, sends the
     * greeting (when {@link #sendGreeting}) and serves the connection like an accepted one.
     */
    Session dial(String clientEndpoint) throws IOException {
        SocketChannel ch;
        if (clientEndpoint.startsWith("unix:")) {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(clientEndpoint.substring("unix:".length())));
        } else {
            String rest = clientEndpoint.substring("tcp:".length());
            int colon = rest.lastIndexOf(':');
            ch = SocketChannel.open(new InetSocketAddress(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1))));
        }
        return serve(ch);
    }

    static ScriptedQmpServer start(Transport transport, Path dir) throws IOException {
        if (transport == Transport.UNIX) {
            Path socket = dir.resolve("qmp.sock");
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(socket));
            return new ScriptedQmpServer(ch, "unix:" + socket, socket);
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        return new ScriptedQmpServer(ch, "tcp:127.0.0.1:" + port, null);
    }

    String endpoint() {
        return endpoint;
    }

    /** The next accepted connection, waiting at most 10 s. */
    Session awaitSession() throws InterruptedException {
        Session s = sessions.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no client connected within " + WAIT_SECONDS + " s");
        }
        return s;
    }

    private void acceptLoop() {
        try {
            while (true) {
                serve(server.accept());
            }
        } catch (IOException e) {
            // server closed
        }
    }

    private Session serve(SocketChannel ch) throws IOException {
        Session session = new Session(ch);
        all.add(session);
        if (sendGreeting) {
            session.send(greeting);
        }
        session.start();
        sessions.add(session);
        return session;
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        if (unixSocket != null) {
            Files.deleteIfExists(unixSocket);
        }
        for (Session s : all) {
            s.close();
        }
        try {
            if (acceptor != null) {
                acceptor.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            for (Session s : all) {
                s.reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One client connection. */
    final class Session {
        private final SocketChannel channel;
        private final Thread reader;
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        final BlockingQueue<ObjectNode> requests = new LinkedBlockingQueue<>();
        /** Completes when the session's reader stops: the client closed the connection (or the test did). */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** Set by {@link #shutdownInput()}: the reader's end of stream then does not close the connection. */
        private volatile boolean keepOpen;

        Session(SocketChannel channel) {
            this.channel = channel;
            this.reader = new Thread(this::readLoop, "scripted-qmp-server-session");
            reader.setDaemon(true);
        }

        void start() {
            reader.start();
        }

        private void readLoop() {
            try (JsonParser parser = JSON.createParser(new RecordingInput())) {
                while (parser.nextToken() != null) {
                    JsonNode node = JSON.readTree(parser);
                    if (!(node instanceof ObjectNode request)) {
                        send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}");
                        continue;
                    }
                    requests.add(request);
                    if (autoNegotiate && "qmp_capabilities".equals(request.path("execute").asText())) {
                        reply(request.get("id"), JSON.createObjectNode());
                    } else {
                        handler.handle(request, this);
                    }
                }
            } catch (IOException e) {
                // connection closed
            } finally {
                if (!keepOpen) {
                    close();
                }
                ended.complete(null);
            }
        }

        /** Waits (at most 10 s) until the client has closed the connection; fails otherwise. */
        void awaitEnd() throws Exception {
            try {
                ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the client did not close the connection within " + WAIT_SECONDS + " s");
            }
        }

        /** The next request received, waiting at most 10 s. */
        ObjectNode takeRequest() throws InterruptedException {
            ObjectNode r = requests.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no request within " + WAIT_SECONDS + " s");
            }
            return r;
        }

        /** The next request that is not qmp_capabilities. */
        ObjectNode takeCommand() throws InterruptedException {
            while (true) {
                ObjectNode r = takeRequest();
                if (!"qmp_capabilities".equals(r.path("execute").asText())) {
                    return r;
                }
            }
        }

        /** Everything the client sent so far. */
        String rawInput() {
            synchronized (raw) {
                return raw.toString(StandardCharsets.UTF_8);
            }
        }

        /** Writes one message followed by CRLF, as QEMU does. */
        synchronized void send(String json) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }

        void send(JsonNode message) throws IOException {
            send(JSON.writeValueAsString(message));
        }

        void reply(JsonNode id, JsonNode value) throws IOException {
            ObjectNode r = JSON.createObjectNode();
            r.set("return", value);
            if (id != null) {
                r.set("id", id);
            }
            send(r);
        }

        void error(JsonNode id, String errorClass, String desc) throws IOException {
            ObjectNode r = JSON.createObjectNode();
            r.putObject("error").put("class", errorClass).put("desc", desc);
            if (id != null) {
                r.set("id", id);
            }
            send(r);
        }

        void event(String name, JsonNode data) throws IOException {
            ObjectNode e = JSON.createObjectNode();
            e.put("event", name);
            if (data != null) {
                e.set("data", data);
            }
            e.putObject("timestamp").put("seconds", 1258551470).put("microseconds", 802384);
            send(e);
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // ignore
            }
        }

        /** Stops reading (shutdown(SHUT_RD)) but keeps the connection: the client's next write fails. */
        void shutdownInput() throws IOException {
            keepOpen = true;
            channel.shutdownInput();
        }

        /** TCP only: closes with SO_LINGER 0, so the client sees "Connection reset" instead of end of stream. */
        void reset() throws IOException {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
        }

        /** Reads the channel directly (not Channels.newInputStream: it blocks writes on Java 17). */
        private final class RecordingInput extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, len));
                if (n > 0) {
                    synchronized (raw) {
                        raw.write(b, off, n);
                    }
                }
                return n;
            }
        }
    }
}

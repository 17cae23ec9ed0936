package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the differential tests share: QEMU and the qmon distribution started side by side as processes,
 * a bounded wait until a socket answers, a raw connection (bytes out, CRLF lines in, every read and
 * write bounded), and the QMP exchange most rows need (negotiate, send, collect the replies).
 *
 * <p>What differs from test to test stays with the test and is passed in: QEMU's options (the machine
 * decides which commands QEMU has), qmon's options, the working directory, and how a connection encodes
 * what it sends. Both processes always log to {@code qemu.log} and {@code qmon.log} in the test's
 * directory.
 */
final class DiffHarness {

    /** The bound on one read or write: a server silent for longer fails the test. */
    static final long WAIT_MS = 10_000;
    /** How long a freshly started process may take until its socket answers. */
    private static final long START_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEGOTIATE = "{\"execute\": \"qmp_capabilities\"}\n";

    /** Where the two processes run, which decides what a relative file name in a request means. */
    enum WorkingDirectory {
        /** The test's directory, so that a relative file name means the same file to both. */
        TEST_DIR,
        /** The test JVM's own working directory. */
        INHERITED
    }

    private final Process qemu;
    private final Process qmon;

    private DiffHarness(Process qemu, Process qmon) {
        this.qemu = qemu;
        this.qmon = qmon;
    }

    /** Whether {@code program} is an executable on the PATH. */
    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    static boolean qemuInstalled() {
        return onPath("qemu-system-x86_64");
    }

    /** Skips the calling test class where QEMU is missing: there is nothing to compare against. */
    static void assumeQemuInstalled() {
        assumeTrue(qemuInstalled(), "qemu-system-x86_64 is not on the PATH: install Debian's qemu-system-x86 "
                + "(.ci/run does) to run the differential tests");
    }

    /** The option value of a unix listening socket that neither process waits on: {@code unix:PATH,server=on,wait=off}. */
    static String unixServer(Path socket) {
        return "unix:" + socket + ",server=on,wait=off";
    }

    /**
     * Starts {@code qemu-system-x86_64 qemuOptions} and {@code java -jar qmon.jar qmonOptions} (the jar
     * named by the system property {@code qmon.distribution.jar}, stdin at end of file as when headless),
     * logging to {@code qemu.log} and {@code qmon.log} in {@code dir}. Returns once both are started, not
     * once they listen (the caller waits for its own sockets; {@link #startWithQmp} does so itself).
     */
    static DiffHarness start(Path dir, WorkingDirectory cwd, List<String> qemuOptions, List<String> qmonOptions)
            throws IOException {
        List<String> qemuCommand = new ArrayList<>(List.of("qemu-system-x86_64"));
        qemuCommand.addAll(qemuOptions);
        ProcessBuilder qemu = new ProcessBuilder(qemuCommand)
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile());
        List<String> qmonCommand = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("qmon.distribution.jar")));
        qmonCommand.addAll(qmonOptions);
        ProcessBuilder qmon = new ProcessBuilder(qmonCommand)
                .redirectErrorStream(true).redirectOutput(dir.resolve("qmon.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (cwd == WorkingDirectory.TEST_DIR) {
            qemu.directory(dir.toFile());
            qmon.directory(dir.toFile());
        }
        Process startedQemu = qemu.start();
        try {
            return new DiffHarness(startedQemu, qmon.start());
        } catch (IOException | RuntimeException e) {
            // The caller never gets a harness to stop, so QEMU must not outlive this failure.
            startedQemu.destroyForcibly();
            throw e;
        }
    }

    /**
     * The usual set-up: QEMU with {@code qemuOptions} and then one QMP socket, qmon with one QMP socket, and
     * a bounded wait until both greet a client connecting with {@code encoding}.
     */
    static DiffHarness startWithQmp(Path dir, WorkingDirectory cwd, RawConnection.Encoding encoding, Path qemuSocket,
            Path qmonSocket, String... qemuOptions) throws IOException, InterruptedException {
        List<String> qemu = new ArrayList<>(List.of(qemuOptions));
        qemu.addAll(List.of("-qmp", unixServer(qemuSocket)));
        DiffHarness started = start(dir, cwd, qemu, List.of("-qmp", unixServer(qmonSocket)));
        try {
            awaitConnectable(qemuSocket, encoding);
            awaitConnectable(qmonSocket, encoding);
        } catch (Throwable t) {
            // The caller never gets the harness to stop, so neither process may outlive this failure.
            started.stop();
            throw t;
        }
        return started;
    }

    /** Stops both processes: politely first, forcibly if one has not ended within 10 s. */
    void stop() throws InterruptedException {
        for (Process p : new Process[] {qemu, qmon}) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Opens one connection to a socket; null where it connected but is not ready yet (try again). */
    @FunctionalInterface
    interface Connect<T> {
        T connect(Path socket) throws IOException;
    }

    /**
     * Connects until {@code connect} returns a connection, for up to 30 s: while the socket is missing,
     * refuses ({@link IOException}) or {@code connect} returns null, it tries again every 20 ms.
     */
    static <T> T awaitSocket(Path socket, Connect<T> connect) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (true) {
            if (Files.exists(socket)) {
                try {
                    T connected = connect.connect(socket);
                    if (connected != null) {
                        return connected;
                    }
                } catch (IOException e) {
                    // not yet accepting
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(socket + " did not come up");
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Waits (bounded) until the QMP socket greets a client, connecting with the given encoding. */
    private static void awaitConnectable(Path socket, RawConnection.Encoding encoding) {
        awaitSocket(socket, s -> {
            try (RawConnection c = new RawConnection(s, encoding)) {
                return c.line(WAIT_MS) != null ? Boolean.TRUE : null;
            }
        });
    }

    /**
     * Negotiates, sends the requests one by one (as UTF-8 text), returns their replies (events skipped),
     * on a connection of its own: QEMU serves one client per socket, so it is closed before returning.
     */
    static List<JsonNode> exchange(Path socket, String... requests) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (RawConnection c = new RawConnection(socket, RawConnection.Encoding.TEXT)) {
            assertNotNull(c.line(WAIT_MS), "greeting");
            c.send(NEGOTIATE);
            assertEquals("{}", JSON.readTree(c.line(WAIT_MS)).get("return").toString());
            for (String r : requests) {
                c.send(r + "\n");
                while (true) {
                    String l = c.line(WAIT_MS);
                    assertNotNull(l, () -> socket.getFileName() + ": no reply to " + r);
                    JsonNode n = JSON.readTree(l);
                    if (!n.has("event")) {
                        out.add(n);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The request to QEMU, then to qmon, each on a fresh connection; the replies must be equal. */
    static void assertSameReplies(Path qemuSocket, Path qmonSocket, String request) throws IOException {
        assertEquals(exchange(qemuSocket, request), exchange(qmonSocket, request), () -> "request: " + request);
    }

    /** A raw connection: bytes out, CRLF lines in, each read bounded by a timeout. */
    static final class RawConnection implements AutoCloseable {

        /** How the chars of what a test sends become bytes, and which reply bytes it accepts. */
        enum Encoding {
            /** Requests are text, sent as UTF-8; replies are read as UTF-8. */
            TEXT,
            /**
             * Each char is one byte (ISO-8859-1: {@code "\u00ff"} is the byte 0xFF), so that malformed input
             * can be sent as it is; a reply byte outside ASCII fails the test, since QEMU's JSON writer
             * escapes everything beyond it.
             */
            BYTES
        }

        private final SocketChannel ch;
        private final Selector selector;
        private final Encoding encoding;
        private final StringBuilder pending = new StringBuilder();
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        /** The peer closed (end of stream), as opposed to a read that timed out. */
        private boolean closedByPeer;

        RawConnection(Path socket, Encoding encoding) throws IOException {
            this.encoding = encoding;
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.configureBlocking(false);
                selector = Selector.open();
                ch.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                // A refused connection is retried by awaitSocket: do not leak a channel per try.
                ch.close();
                throw e;
            }
        }

        /** Sends the string; a server that stops reading for longer than the bound fails the test. */
        void send(String s) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(s.getBytes(
                    encoding == Encoding.BYTES ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (b.hasRemaining()) {
                if (ch.write(b) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the server stopped reading");
                    }
                    LockSupport.parkNanos(1_000_000L);
                }
            }
        }

        /** Ends the sending side, as a pipe's end of input does; reading goes on. */
        void shutdownOutput() throws IOException {
            ch.shutdownOutput();
        }

        /** Whether the last {@link #line} returned null because the peer closed. */
        boolean closedByPeer() {
            return closedByPeer;
        }

        /** The next line, or null if none arrives within the timeout or the peer closed. */
        String line(long timeoutMs) throws IOException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (true) {
                int nl = pending.indexOf("\r\n");
                if (nl >= 0) {
                    String l = pending.substring(0, nl);
                    pending.delete(0, nl + 2);
                    return l;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || selector.select(left) == 0) {
                    if (System.currentTimeMillis() >= deadline) {
                        return null;
                    }
                    continue;
                }
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    closedByPeer = true;
                    return null;
                }
                if (encoding == Encoding.BYTES) {
                    for (int i = 0; i < n; i++) {
                        if (buf.get(i) < 0) {
                            throw new AssertionError("non-ASCII output byte " + (buf.get(i) & 0xff) + " after " + pending);
                        }
                    }
                    pending.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
                } else {
                    pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
                }
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }
}

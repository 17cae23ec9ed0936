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
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential conformance of the job commands: the same bytes to QEMU 7.2 ({@code -machine none},
 * which has no jobs) and to the qmon distribution, with no job running; the same replies expected
 * (QEMU's {@code Job not found}, its argument errors, and an empty {@code query-jobs}).
 */
class JobDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEGOTIATE = "{\"execute\": \"qmp_capabilities\"}\n";
    private static final long WAIT_MS = 10_000;

    @TempDir
    static Path dir;
    private static Process qemu;
    private static Process qmon;
    private static Path qemuSocket;
    private static Path qmonSocket;

    static boolean qemuInstalled() {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "qemu-system-x86_64")));
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(qemuInstalled(), "qemu-system-x86_64 is not on the PATH: install Debian's qemu-system-x86 "
                + "(.ci/run does) to run the differential tests");
        qemuSocket = dir.resolve("qemu.sock");
        qmonSocket = dir.resolve("qmon.sock");
        qemu = new ProcessBuilder("qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
                "-qmp", "unix:" + qemuSocket + ",server=on,wait=off")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        qmon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("qmon.distribution.jar"), "-qmp", "unix:" + qmonSocket + ",server=on,wait=off")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("qmon.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        awaitConnectable(qemuSocket);
        awaitConnectable(qmonSocket);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : new Process[] {qemu, qmon}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void awaitConnectable(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (Files.exists(socket)) {
                try (Conn c = new Conn(socket)) {
                    if (c.line(WAIT_MS) != null) {
                        return;
                    }
                } catch (IOException e) {
                    // not yet accepting
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(socket + " did not come up");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    /** A raw connection: bytes out, CRLF lines in, each read bounded by a timeout. */
    static final class Conn implements AutoCloseable {
        final SocketChannel ch;
        final Selector selector;
        final StringBuilder pending = new StringBuilder();
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        Conn(Path socket) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        }

        void send(String s) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

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
                if (left <= 0) {
                    return null;
                }
                if (selector.select(left) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return null;
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }

    /** Negotiates, sends the requests one by one, returns their replies (events skipped). */
    private static List<JsonNode> exchange(Path socket, String... requests) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Conn c = new Conn(socket)) {
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

    private static void assertSame(String request) throws IOException {
        assertEquals(exchange(qemuSocket, request), exchange(qmonSocket, request), () -> "request: " + request);
    }

    static Stream<Arguments> unknownJobRows() {
        List<Arguments> rows = new ArrayList<>();
        for (String verb : List.of("job-pause", "job-resume", "job-cancel", "job-complete", "job-dismiss", "job-finalize")) {
            rows.add(Arguments.of(verb + " on an unknown id",
                    "{\"execute\": \"" + verb + "\", \"arguments\": {\"id\": \"nope\"}, \"id\": 1}"));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownJobRows")
    void unknownJobErrorsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
        assertEquals("{\"class\":\"GenericError\",\"desc\":\"Job not found\"}",
                exchange(qmonSocket, request).get(0).get("error").toString());
    }

    static Stream<Arguments> argumentRows() {
        return Stream.of(
                Arguments.of("job-cancel without id", "{\"execute\": \"job-cancel\", \"arguments\": {}}"),
                Arguments.of("job-cancel without arguments", "{\"execute\": \"job-cancel\"}"),
                Arguments.of("job-pause id not a string", "{\"execute\": \"job-pause\", \"arguments\": {\"id\": 5}}"),
                Arguments.of("job-dismiss unexpected argument",
                        "{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"nope\", \"force\": true}}"),
                Arguments.of("job-finalize empty id", "{\"execute\": \"job-finalize\", \"arguments\": {\"id\": \"\"}}"),
                Arguments.of("query-jobs with an argument", "{\"execute\": \"query-jobs\", \"arguments\": {\"x\": 1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("argumentRows")
    void argumentErrorsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
    }

    @Test
    void queryJobsIsEmptyOnBoth() throws IOException {
        String q = "{\"execute\": \"query-jobs\", \"id\": \"q\"}";
        assertSame(q);
        assertEquals("[]", exchange(qmonSocket, q).get(0).get("return").toString());
    }
}

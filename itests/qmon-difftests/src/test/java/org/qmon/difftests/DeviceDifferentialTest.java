package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

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
 * Differential conformance of {@code screendump} and the device commands: the same bytes to QEMU 7.2
 * with a VGA console ({@code -machine pc -vga std}) and to the qmon distribution with its default
 * display; the same replies expected. Rows D9-D12 are those of shared/reference/qmp-protocol.md §13.
 *
 * <p>Where the two cannot receive the same bytes (a driver only one of them has), the test sends each
 * its own driver and expects the same reply with the driver's name in it; the test's name says so.
 */
class DeviceDifferentialTest {

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
        // Both run in the test's directory, so that a relative file name means the same file to both.
        qemu = new ProcessBuilder("qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m", "64", "-vga", "std",
                "-nodefaults", "-display", "none", "-qmp", "unix:" + qemuSocket + ",server=on,wait=off")
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

    static Stream<Arguments> screendumpRows() {
        return Stream.of(
                Arguments.of("filename not a string (D9)", "{\"execute\": \"screendump\", \"arguments\": {\"filename\": 5}}"),
                Arguments.of("head without device (D10)",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"head\": 1}}"),
                Arguments.of("unknown device (D11)",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"device\": \"nope\"}}"),
                Arguments.of("unknown device with a head",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"device\": \"nope\", \"head\": 3}}"),
                Arguments.of("bad format (D12)",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"format\": \"jpg\"}}"),
                Arguments.of("format not a string",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"format\": 5}}"),
                Arguments.of("head not an integer",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"head\": \"a\"}}"),
                Arguments.of("filename missing", "{\"execute\": \"screendump\", \"arguments\": {}}"),
                Arguments.of("unexpected argument",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\", \"bogus\": 1}}"),
                Arguments.of("missing directory",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"/nonexistent-qmon-difftest/x.ppm\"}}"),
                Arguments.of("empty file name", "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"\"}}"),
                Arguments.of("a directory", "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \".\"}}"),
                Arguments.of("a file in place of a directory",
                        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"qemu.log/x.ppm\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("screendumpRows")
    void screendumpErrorsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
    }

    static Stream<Arguments> deviceRows() {
        return Stream.of(
                Arguments.of("device_add without driver", "{\"execute\": \"device_add\", \"arguments\": {}}"),
                Arguments.of("device_add unknown driver", "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nope\"}}"),
                Arguments.of("device_add unknown driver with an id",
                        "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nope\", \"id\": \"x\"}}"),
                Arguments.of("device_add driver as a number",
                        "{\"execute\": \"device_add\", \"arguments\": {\"driver\": 5}}"),
                Arguments.of("device_add driver as a boolean",
                        "{\"execute\": \"device_add\", \"arguments\": {\"driver\": true}}"),
                Arguments.of("device_add driver as an object",
                        "{\"execute\": \"device_add\", \"arguments\": {\"driver\": {\"a\": 1}}}"),
                Arguments.of("device_add malformed id, checked first",
                        "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nope\", \"id\": \"1abc\"}}"),
                Arguments.of("device_add id with a blank",
                        "{\"execute\": \"device_add\", \"arguments\": {\"id\": \"a b\"}}"),
                Arguments.of("device_del unknown id", "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nope\"}}"),
                Arguments.of("device_del without id", "{\"execute\": \"device_del\", \"arguments\": {}}"),
                Arguments.of("device_del id not a string", "{\"execute\": \"device_del\", \"arguments\": {\"id\": 5}}"),
                Arguments.of("device_del unexpected argument",
                        "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nope\", \"x\": 1}}"),
                Arguments.of("device-list-properties unknown driver",
                        "{\"execute\": \"device-list-properties\", \"arguments\": {\"typename\": \"nope\"}}"),
                Arguments.of("qom-list unknown path",
                        "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"/machine/nope\"}}"),
                Arguments.of("qom-list unknown partial path", "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"nope\"}}"),
                Arguments.of("qom-get unknown path",
                        "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/machine/nope\", \"property\": \"type\"}}"),
                Arguments.of("qom-get the container's type",
                        "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/machine/peripheral\", \"property\": \"type\"}}"),
                Arguments.of("qom-get unknown property of the container",
                        "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/machine/peripheral\", \"property\": \"nope\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceRows")
    void deviceCommandsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
    }

    /** One screendump each; both must write {@code P6\n<w> <h>\n255\n} and exactly w*h RGB pixels. */
    @Test
    void ppmHeaderShapeMatchesQemu() throws Exception {
        for (Path socket : List.of(qemuSocket, qmonSocket)) {
            String name = socket.getFileName() + ".ppm";
            List<JsonNode> r = exchange(socket,
                    "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"" + dir.resolve(name) + "\"}}");
            assertEquals("{\"return\":{}}", r.get(0).toString(), name);
            byte[] ppm = Files.readAllBytes(dir.resolve(name));
            Matcher m = Pattern.compile("P6\n(\\d+) (\\d+)\n255\n").matcher(new String(ppm, 0, 20, StandardCharsets.US_ASCII));
            assertTrue(m.lookingAt(), name + " starts with a P6 header");
            int w = Integer.parseInt(m.group(1));
            int h = Integer.parseInt(m.group(2));
            assertEquals(m.end() + 3L * w * h, ppm.length, name + " has exactly " + w + "x" + h + " RGB pixels");
        }
    }

    /** Both write a PNG that ImageIO reads, when asked with {@code format: png} (QEMU 7.1+). */
    @Test
    void pngScreendumpMatchesQemu() throws Exception {
        for (Path socket : List.of(qemuSocket, qmonSocket)) {
            String name = socket.getFileName() + ".png";
            List<JsonNode> r = exchange(socket, "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \""
                    + dir.resolve(name) + "\", \"format\": \"png\"}}");
            assertEquals("{\"return\":{}}", r.get(0).toString(), name);
            BufferedImage img = ImageIO.read(dir.resolve(name).toFile());
            assertNotNull(img, name + " is a PNG");
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
        }
    }

    /**
     * Duplicate id and unknown property, which need a driver: QEMU's {@code virtio-rng-pci}, qmon's
     * {@code qmon-display}; the replies are the same with the driver's name in them.
     */
    @Test
    void duplicateIdAndUnknownPropertyMatchQemuWithEachOnesDriver() throws Exception {
        String[] drivers = {"virtio-rng-pci", "qmon-display"};
        Path[] sockets = {qemuSocket, qmonSocket};
        List<List<JsonNode>> replies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String d = drivers[i];
            replies.add(exchange(sockets[i],
                    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"" + d + "\", \"id\": \"dup1\"}}",
                    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"" + d + "\", \"id\": \"dup1\"}}",
                    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"" + d + "\", \"id\": \"dup1\", \"bogus\": 1}}",
                    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"" + d + "\", \"id\": \"p1\", \"bogus\": 1}}",
                    "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/machine/peripheral/dup1\", \"property\": \"type\"}}",
                    "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"dup1\", \"property\": \"nope\"}}",
                    "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"dup1\"}}"));
        }
        String qemuText = JSON.writeValueAsString(replies.get(0));
        String qmonText = JSON.writeValueAsString(replies.get(1)).replace("qmon-display", "virtio-rng-pci");
        assertEquals(qemuText, qmonText);
        assertEquals("Duplicate device ID 'dup1'", replies.get(1).get(1).get("error").get("desc").asText());
        assertEquals("Property 'qmon-display.bogus' not found", replies.get(1).get(3).get("error").get("desc").asText());
    }
}

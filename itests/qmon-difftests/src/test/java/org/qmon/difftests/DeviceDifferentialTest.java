package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.difftests.DiffHarness.assertSameReplies;
import static org.qmon.difftests.DiffHarness.assumeQemuInstalled;
import static org.qmon.difftests.DiffHarness.exchange;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.qmon.difftests.DiffHarness.RawConnection.Encoding;
import org.qmon.difftests.DiffHarness.WorkingDirectory;

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

    @TempDir
    static Path dir;
    private static DiffHarness processes;
    private static Path qemuSocket;
    private static Path qmonSocket;

    @BeforeAll
    static void start() throws Exception {
        assumeQemuInstalled();
        qemuSocket = dir.resolve("qemu.sock");
        qmonSocket = dir.resolve("qmon.sock");
        // Both run in the test's directory, so that a relative file name means the same file to both.
        processes = DiffHarness.startWithQmp(dir, WorkingDirectory.TEST_DIR, Encoding.TEXT, qemuSocket, qmonSocket,
                "-machine", "pc", "-accel", "tcg", "-m", "64", "-vga", "std", "-nodefaults", "-display", "none");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (processes != null) {
            processes.stop();
        }
    }

    private static void assertSame(String request) throws IOException {
        assertSameReplies(qemuSocket, qmonSocket, request);
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

package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpException;

/**
 * The distribution's display: there is one by default ({@code display0}, as QEMU gives a machine a VGA
 * console), so {@code screendump} works out of the box; {@code -display none} starts without one.
 */
class DisplayDistributionIT {

    private static final long WAIT = 30;

    @TempDir
    Path dir;

    private QmonJar qmon;

    private void start(String... args) throws IOException {
        qmon = QmonJar.start(dir, WAIT, args);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (qmon != null) {
            qmon.stop();
        }
    }

    @Test
    void screendumpWorksOutOfTheBoxOnTheDefaultDisplay() throws Exception {
        Path sock = dir.resolve("q.sock");
        start("-qmp", "unix:" + sock + ",server=on,wait=off");
        qmon.awaitLine("qmon: ready in");
        try (QmpClient c = QmpClient.connect("unix:" + sock)) {
            JsonNode peripheral = c.execute("qom-list", Map.of("path", "/machine/peripheral")).get(WAIT, TimeUnit.SECONDS);
            assertEquals("child<qmon-display>", find(peripheral, "display0").get("type").asText());
            // A relative name is relative to qmon's working directory, as with QEMU.
            c.execute("screendump", Map.of("filename", "shot.png", "format", "png")).get(WAIT, TimeUnit.SECONDS);
            c.execute("screendump", Map.of("filename", "shot.ppm")).get(WAIT, TimeUnit.SECONDS);
        }
        BufferedImage png = ImageIO.read(dir.resolve("shot.png").toFile());
        assertNotNull(png, "a PNG ImageIO can read");
        assertEquals(720, png.getWidth());
        assertEquals(400, png.getHeight());
        byte[] ppm = java.nio.file.Files.readAllBytes(dir.resolve("shot.ppm"));
        String header = "P6\n720 400\n255\n";
        assertEquals(header, new String(ppm, 0, header.length(), StandardCharsets.US_ASCII));
        assertEquals(header.length() + 720 * 400 * 3, ppm.length);
    }

    @Test
    void displayNoneStartsWithoutADisplay() throws Exception {
        Path sock = dir.resolve("q.sock");
        start("-qmp", "unix:" + sock + ",server=on,wait=off", "-display", "none");
        qmon.awaitLine("qmon: ready in");
        try (QmpClient c = QmpClient.connect("unix:" + sock)) {
            JsonNode peripheral = c.execute("qom-list", Map.of("path", "/machine/peripheral")).get(WAIT, TimeUnit.SECONDS);
            assertEquals(1, peripheral.size(), peripheral::toString);
            try {
                c.execute("screendump", Map.of("filename", "shot.ppm")).get(WAIT, TimeUnit.SECONDS);
                throw new AssertionError("screendump without a display must fail");
            } catch (ExecutionException e) {
                QmpException q = (QmpException) e.getCause();
                assertEquals("GenericError", q.errorClass());
                assertEquals("There is no console to take a screendump from", q.description());
            }
            // A display added at run time serves it.
            c.execute("device_add", Map.of("driver", "qmon-display", "id", "late")).get(WAIT, TimeUnit.SECONDS);
            c.execute("screendump", Map.of("filename", "late.ppm")).get(WAIT, TimeUnit.SECONDS);
        }
        assertTrue(java.nio.file.Files.size(dir.resolve("late.ppm")) > 720 * 400 * 3);
    }

    @Test
    void anUnsupportedDisplayOptionFailsFast() throws Exception {
        start("-qmp", "unix:" + dir.resolve("q.sock") + ",server=on,wait=off", "-display", "gtk");
        String line = qmon.awaitLine("qmon: -display");
        assertTrue(line.contains("'gtk'"), line);
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS));
        assertEquals(1, qmon.process().exitValue());
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (name.equals(n.get("name").asText())) {
                return n;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }
}

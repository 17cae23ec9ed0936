package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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

    private Process process;
    private final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();

    private void start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("qmon.distribution.jar")));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    output.add(l);
                }
            } catch (IOException e) {
                output.add("<read failed: " + e + ">");
            }
        }, "qmon-output");
        reader.setDaemon(true);
        reader.start();
    }

    private String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String l = output.poll(100, TimeUnit.MILLISECONDS);
            if (l != null) {
                seen.add(l);
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "'; output was: " + seen);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void screendumpWorksOutOfTheBoxOnTheDefaultDisplay() throws Exception {
        Path sock = dir.resolve("q.sock");
        start("-qmp", "unix:" + sock + ",server=on,wait=off");
        awaitLine("qmon: ready in");
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
        awaitLine("qmon: ready in");
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
        String line = awaitLine("qmon: -display");
        assertTrue(line.contains("'gtk'"), line);
        assertTrue(process.waitFor(WAIT, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
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

package org.qmon.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.qmon.api.device.Display;
import org.qmon.api.runtime.MonitorEndpoint;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpException;

/**
 * The asynchronous {@code screendump} under concurrency, on the real display device and the real
 * socket: it holds no thread and no session but its own, its replies keep their order, a storm of
 * them is served by shared refreshes, and a client or a display that goes away leaves nothing behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScreendumpIT extends DeviceTestSupport {

    private static Map<String, Object> dump(Path file, String device) {
        return device == null ? Map.of("filename", file.toString()) : Map.of("filename", file.toString(), "device", device);
    }

    /** Takes one screendump so that the display's next refresh is a full interval away. */
    private static void firstFrame(QmpClient c, Path dir, String id) throws Exception {
        c.execute("screendump", dump(dir.resolve("first.ppm"), id)).get(T, TimeUnit.SECONDS);
    }

    @Test
    public void withoutADisplayThereIsNoConsole() throws Exception {
        QmpClient c = connect();
        assertQmpError(c.execute("screendump", Map.of("filename", workDir().resolve("x.ppm").toString())),
                "GenericError", "There is no console to take a screendump from");
    }

    @Test
    public void argumentErrorsHaveQemusTexts() throws Exception {
        addDisplay(uniqueId("a"), Map.of());
        QmpClient c = connect();
        String f = workDir().resolve("x.ppm").toString();
        assertQmpError(c.execute("screendump", Map.of("filename", 5)), "GenericError",
                "Invalid parameter type for 'filename', expected: string");
        assertQmpError(c.execute("screendump", Map.of("filename", f, "head", 1)), "GenericError",
                "'head' must be specified together with 'device'");
        assertQmpError(c.execute("screendump", Map.of("filename", f, "device", "nope")), "DeviceNotFound",
                "Device 'nope' not found");
        assertQmpError(c.execute("screendump", Map.of("filename", f, "format", "jpg")), "GenericError",
                "Parameter 'format' does not accept value 'jpg'");
        assertQmpError(c.execute("screendump", Map.of("filename", "/nonexistent-dir/x.ppm")), "GenericError",
                "failed to open file '/nonexistent-dir/x.ppm': No such file or directory");
    }

    @Test
    public void anotherSessionIsAnsweredAtItsNormalSpeedWhileScreendumpsAreInFlight() throws Exception {
        String id = uniqueId("s");
        Display d = addDisplay(id, Map.of("refresh-rate", 0.2)); // a frame every 5 s
        Path dir = workDir();
        QmpClient a = connect();
        QmpClient b = connect();
        firstFrame(a, dir, id);
        List<CompletableFuture<JsonNode>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(a.execute("screendump", dump(dir.resolve("a" + i + ".ppm"), id)));
        }
        awaitCondition(() -> pendingFrames(d) == 1, "A's first screendump to wait for the display");
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertEquals("running", b.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse("B was answered 200 times while A's first screendump still waited for its frame ("
                + ms + " ms)", inFlight.get(0).isDone());
        assertFalse(inFlight.get(2).isDone());
        // Removing the display answers A's screendumps at once (with an error) instead of in 15 s.
        b.execute("device_del", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        for (CompletableFuture<JsonNode> f : inFlight) {
            try {
                f.get(T, TimeUnit.SECONDS);
                fail("the display is gone");
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof QmpException);
            }
        }
    }

    @Test
    public void repliesKeepRequestOrderWhenScreendumpIsPipelinedBeforeQueryStatus() throws Exception {
        String id = uniqueId("o");
        addDisplay(id, Map.of("refresh-rate", 2.0));
        Path dir = workDir();
        QmpClient a = connectOrdered();
        firstFrame(a, dir, id);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<JsonNode> shot = a.execute("screendump", dump(dir.resolve("ordered.ppm"), id));
        shot.thenRun(() -> order.add("screendump"));
        CompletableFuture<JsonNode> status = a.execute("query-status");
        status.thenRun(() -> order.add("query-status"));
        status.get(T, TimeUnit.SECONDS);
        assertTrue(shot.isDone());
        assertEquals(List.of("screendump", "query-status"), order);
        assertTrue(Files.size(dir.resolve("ordered.ppm")) > 0);
    }

    @Test
    public void hundredConcurrentScreendumpsAcrossTenSessionsAreAllAnsweredWithCompleteFiles() throws Exception {
        String id = uniqueId("h");
        addDisplay(id, Map.of("width", 640, "height", 480));
        Path dir = workDir();
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            QmpClient c = connect();
            for (int i = 0; i < 10; i++) {
                boolean png = (s + i) % 2 == 0;
                Path f = dir.resolve("s" + s + "-" + i + (png ? ".png" : ".ppm"));
                files.add(f);
                calls.add(c.execute("screendump", png ? Map.of("filename", f.toString(), "device", id, "format", "png")
                        : dump(f, id)));
            }
        }
        for (CompletableFuture<JsonNode> call : calls) {
            assertEquals(0, call.get(T, TimeUnit.SECONDS).size());
        }
        byte[] header = "P6\n640 480\n255\n".getBytes(StandardCharsets.US_ASCII);
        for (Path f : files) {
            if (f.toString().endsWith(".png")) {
                BufferedImage img = ImageIO.read(f.toFile());
                assertNotNull(f + " decodes", img);
                assertEquals(640, img.getWidth());
                assertEquals(480, img.getHeight());
            } else {
                byte[] ppm = Files.readAllBytes(f);
                assertArrayEquals(f.toString(), header, Arrays.copyOf(ppm, header.length));
                assertEquals(f.toString(), header.length + 640 * 480 * 3, ppm.length);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals("the 100 files and no temporary file", 100, s.count());
        }
        // Each session's ten requests take ten refreshes; the sessions share them (one render per
        // request would be 100).
        long frames = ((Number) display(id).orElseThrow().properties().get("frames")).longValue();
        assertTrue("shared refreshes, not one render per request: " + frames, frames <= 50);
    }

    /** Opens a QMP listener on a free TCP port; returns the port. */
    private int tcpListener() throws Exception {
        Configuration c = configurationAdmin.getFactoryConfiguration("org.qmon.qmp.listener",
                uniqueId("tcp"), "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("host", "127.0.0.1");
        p.put("port", 0);
        c.update(p);
        tcpListeners.add(c);
        AtomicReference<String> addr = new AtomicReference<>();
        awaitCondition(() -> {
            try {
                var refs = context.getServiceReferences(MonitorEndpoint.class, null);
                for (var r : refs) {
                    String a = (String) r.getProperty(MonitorEndpoint.ADDRESS);
                    if (a.startsWith("tcp:127.0.0.1:") && !a.endsWith(":0") && !knownTcp.contains(a)) {
                        addr.set(a);
                        knownTcp.add(a);
                        return true;
                    }
                }
                return false;
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }, "the TCP listener");
        return Integer.parseInt(addr.get().substring(addr.get().lastIndexOf(':') + 1));
    }

    private final List<Configuration> tcpListeners = new ArrayList<>();
    private static final Set<String> knownTcp = ConcurrentHashMap.newKeySet();

    @After
    public void closeTcpListeners() throws Exception {
        for (Configuration c : tcpListeners) {
            c.delete();
        }
    }

    /** Clients connected to every listener now. */
    private int connections() {
        int n = 0;
        try {
            for (var r : context.getServiceReferences(MonitorEndpoint.class, null)) {
                var e = context.getService(r);
                n += e.connections();
                context.ungetService(r);
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    @Test
    public void aClientThatResetsItsConnectionWithAPendingScreendumpLeavesNoFileNoWaiterNoThread() throws Exception {
        String id = uniqueId("l");
        Display d = addDisplay(id, Map.of("refresh-rate", 0.2)); // a frame every 5 s
        Path dir = workDir();
        QmpClient other = connect();
        firstFrame(other, dir, id);
        int port = tcpListener();
        int before = connections();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("{\"QMP\""));
            s.getOutputStream().write(("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"screendump\", "
                    + "\"arguments\": {\"filename\": \"" + dir.resolve("never.ppm") + "\", \"device\": \"" + id + "\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"return\": {}}", in.readLine());
            awaitCondition(() -> pendingFrames(d) == 1, "the screendump to wait for its frame");
            s.setSoLinger(true, 0); // close with a reset: the client is gone, not just done sending
        }
        // Withdrawn at once, long before the display's next refresh.
        awaitCondition(() -> pendingFrames(d) == 0, "the request to be withdrawn from the display");
        awaitCondition(() -> connections() == before, "the session to be closed");
        // The refresh that would have served it comes and goes; nothing was written for it.
        other.execute("screendump", dump(dir.resolve("after.ppm"), id)).get(T, TimeUnit.SECONDS);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("after.ppm", "first.ppm"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(1, workerThreads(id));
        other.execute("device_del", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> workerThreads(id) == 0, "the display's worker to end with the device");
    }

    @Test
    public void aClientThatClosesWithAPendingScreendumpGetsACompleteFileAndLeavesNoSessionBehind() throws Exception {
        String id = uniqueId("c");
        Display d = addDisplay(id, Map.of("refresh-rate", 1.0));
        Path dir = workDir();
        QmpClient other = connect();
        firstFrame(other, dir, id);
        int before = connections();
        QmpClient leaving = QmpClient.connect(address);
        awaitCondition(() -> connections() == before + 1, "the connection");
        leaving.execute("screendump", dump(dir.resolve("last.ppm"), id));
        awaitCondition(() -> pendingFrames(d) == 1, "the screendump to wait for its frame");
        leaving.close();
        // End of input is not a reset: what was read is still answered (the transport's half-close),
        // so the file is written, whole, and the session closes when its reply cannot be delivered.
        awaitCondition(() -> connections() == before, "the session to be closed");
        assertEquals(0, pendingFrames(d));
        byte[] ppm = Files.readAllBytes(dir.resolve("last.ppm"));
        assertEquals("P6\n720 400\n255\n".length() + 720 * 400 * 3, ppm.length);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("first.ppm", "last.ppm"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    public void deletingTheDisplayWhileAScreendumpWaitsAnswersItWithAnError() throws Exception {
        String id = uniqueId("r");
        Display d = addDisplay(id, Map.of("refresh-rate", 0.1)); // a frame every 10 s
        Path dir = workDir();
        QmpClient a = connect();
        QmpClient b = connect();
        firstFrame(a, dir, id);
        CompletableFuture<JsonNode> pending = a.execute("screendump", dump(dir.resolve("never.ppm"), id));
        awaitCondition(() -> pendingFrames(d) == 1, "the screendump to wait for its frame");
        b.execute("device_del", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        assertQmpError(pending, "GenericError", "Display '" + id + "' was removed before its next frame");
        assertEquals("running", a.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        assertFalse(Files.exists(dir.resolve("never.ppm")));
    }

    @Test
    public void uninstallingTheDisplayBundleWhileAScreendumpWaitsAnswersItWithAnError() throws Exception {
        String id = uniqueId("b");
        Display d = addDisplay(id, Map.of("refresh-rate", 0.1));
        Path dir = workDir();
        QmpClient a = connect();
        firstFrame(a, dir, id);
        CompletableFuture<JsonNode> pending = a.execute("screendump", dump(dir.resolve("never.ppm"), id));
        awaitCondition(() -> pendingFrames(d) == 1, "the screendump to wait for its frame");
        try {
            displayBundle().uninstall();
            try {
                pending.get(T, TimeUnit.SECONDS);
                fail("a screendump whose display left must fail");
            } catch (ExecutionException e) {
                // The display's removal or the command's departure, whichever the framework did first.
                QmpException q = (QmpException) e.getCause();
                assertTrue(q.description(), q.description().equals("Display '" + id + "' was removed before its next frame")
                        || q.description().equals("The command screendump has been removed while it was running"));
            }
            assertEquals("running", a.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
            assertEquals(0, workerThreads(id));
        } finally {
            ensureDisplayBundleActive();
        }
    }

    @Test
    public void thePictureFreezesWhileTheMachineIsStopped() throws Exception {
        String id = uniqueId("f");
        addDisplay(id, Map.of("refresh-rate", 50.0));
        Path dir = workDir();
        QmpClient c = connect();
        try {
            c.execute("stop").get(T, TimeUnit.SECONDS);
            for (String n : List.of("p1", "p2", "p3")) {
                c.execute("screendump", dump(dir.resolve(n + ".ppm"), id)).get(T, TimeUnit.SECONDS);
            }
            assertArrayEquals(Files.readAllBytes(dir.resolve("p1.ppm")), Files.readAllBytes(dir.resolve("p2.ppm")));
            assertArrayEquals(Files.readAllBytes(dir.resolve("p2.ppm")), Files.readAllBytes(dir.resolve("p3.ppm")));
            c.execute("cont").get(T, TimeUnit.SECONDS);
            c.execute("screendump", dump(dir.resolve("r1.ppm"), id)).get(T, TimeUnit.SECONDS);
            assertFalse("running again, the picture moves (frame counter, time)",
                    Arrays.equals(Files.readAllBytes(dir.resolve("p3.ppm")), Files.readAllBytes(dir.resolve("r1.ppm"))));
        } finally {
            c.execute("cont").get(T, TimeUnit.SECONDS);
        }
    }
}

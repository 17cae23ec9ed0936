package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.ErrorClass;

/**
 * The command against real virtual displays (their workers run), without a framework: the argument
 * checks, the lookups and their QEMU texts, sharing of one refresh, cancellation.
 */
class ScreendumpTest {

    @TempDir
    Path dir;

    private final List<VirtualDisplay> displays = new ArrayList<>();

    @AfterEach
    void removeDisplays() {
        displays.forEach(VirtualDisplay::deactivate);
    }

    static VirtualDisplay.Config config(int width, int height, double rate) {
        return new VirtualDisplay.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VirtualDisplay.Config.class;
            }

            @Override
            public String id() {
                return "";
            }

            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public double refresh$_$rate() {
                return rate;
            }
        };
    }

    private VirtualDisplay display(String id, double rate) {
        VirtualDisplay d = new VirtualDisplay(config(64, 32, rate), Map.of("id", id));
        displays.add(d);
        return d;
    }

    private static long serviceIds;

    /** Binds a device the way DS would, with a service id in registration order. */
    @SuppressWarnings("unchecked")
    private static void bind(Screendump s, org.qmon.api.device.Device d) {
        long id = ++serviceIds;
        ServiceReference<org.qmon.api.device.Device> ref = (ServiceReference<org.qmon.api.device.Device>) java.lang.reflect.Proxy
                .newProxyInstance(ScreendumpTest.class.getClassLoader(), new Class<?>[] {ServiceReference.class},
                        (proxy, method, args) -> method.getName().equals("getProperty") ? (Object) id : null);
        s.bindDevice(d, ref);
    }

    /** The platform's completion, reduced to what the command uses. */
    static final class Result extends CompletableFuture<Void> implements Completion<Void>, CommandContext {
        private final List<Runnable> onCancel = new ArrayList<>();
        private volatile boolean cancelled;

        @Override
        public boolean complete(Void result) {
            return super.complete(result);
        }

        @Override
        public boolean fail(Throwable error) {
            return completeExceptionally(error);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public synchronized void onCancel(Runnable action) {
            onCancel.add(action);
        }

        synchronized void cancelNow() {
            cancelled = true;
            onCancel.forEach(Runnable::run);
        }

        @Override
        public long sessionId() {
            return 1;
        }

        @Override
        public String frontend() {
            return FRONTEND_LOCAL;
        }

        @Override
        public Set<String> capabilities() {
            return Set.of();
        }

        @Override
        public boolean outOfBand() {
            return false;
        }

        void await() throws Exception {
            get(10, TimeUnit.SECONDS);
        }
    }

    private static Screendump.Arguments args(String filename, String device, Long head, ImageFormat format) {
        return new Screendump.Arguments(filename, Optional.ofNullable(device), Optional.ofNullable(head),
                Optional.ofNullable(format));
    }

    @Test
    void headWithoutDeviceIsRefusedWithQemusText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> args("x.ppm", null, 1L, null));
        assertEquals("'head' must be specified together with 'device'", e.getMessage());
        assertEquals(Optional.of(0L), args("x.ppm", "display0", 0L, null).head());
    }

    @Test
    void withoutADisplayThereIsNoConsole() {
        Screendump s = new Screendump();
        CommandException e = assertThrows(CommandException.class,
                () -> s.execute(args(dir.resolve("x.ppm").toString(), null, null, null), new Result(), new Result()));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("There is no console to take a screendump from", e.description());
    }

    @Test
    void unknownDeviceAndMissingHeadAnswerQemusTexts() {
        Screendump s = new Screendump();
        bind(s, display("display0", 100));
        CommandException notFound = assertThrows(CommandException.class,
                () -> s.execute(args("x.ppm", "nope", null, null), new Result(), new Result()));
        assertEquals(ErrorClass.DeviceNotFound, notFound.errorClass());
        assertEquals("Device 'nope' not found", notFound.description());
        CommandException head = assertThrows(CommandException.class,
                () -> s.execute(args("x.ppm", "display0", 1L, null), new Result(), new Result()));
        assertEquals("Device display0 (head 1) is not bound to a QemuConsole", head.description());
    }

    @Test
    void concurrentScreendumpsShareOneRefreshAndWriteEveryFile() throws Exception {
        Screendump s = new Screendump();
        VirtualDisplay d = display("display0", 2);
        bind(s, d);
        Result first = new Result();
        s.execute(args(dir.resolve("first.ppm").toString(), null, null, null), first, first);
        first.await();
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Result r = new Result();
            results.add(r);
            s.execute(args(dir.resolve("f" + i + (i % 2 == 0 ? ".ppm" : ".png")).toString(), "display0", null,
                    i % 2 == 0 ? ImageFormat.PPM : ImageFormat.PNG), r, r);
        }
        for (Result r : results) {
            r.await();
        }
        assertEquals(2L, d.properties().get("frames"), "one render for the first request, one for the eight");
        byte[] ppm = Files.readAllBytes(dir.resolve("f0.ppm"));
        for (int i = 2; i < 8; i += 2) {
            assertTrue(java.util.Arrays.equals(ppm, Files.readAllBytes(dir.resolve("f" + i + ".ppm"))));
        }
        assertEquals(64, javax.imageio.ImageIO.read(dir.resolve("f1.png").toFile()).getWidth());
    }

    @Test
    void pipesWithoutAReaderDoNotHoldTheDisplayAndAreBounded() throws Exception {
        Screendump s = new Screendump();
        VirtualDisplay d = display("display0", 50);
        bind(s, d);
        List<Path> pipes = new ArrayList<>();
        for (int i = 0; i <= Screendump.MAX_ASIDE; i++) {
            Path p = dir.resolve("pipe" + i);
            Process mkfifo;
            try {
                mkfifo = new ProcessBuilder("mkfifo", p.toString()).start();
            } catch (java.io.IOException e) {
                org.junit.jupiter.api.Assumptions.assumeTrue(false, "no mkfifo here");
                return;
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
            pipes.add(p);
        }
        List<Result> waiting = new ArrayList<>();
        for (int i = 0; i < Screendump.MAX_ASIDE; i++) {
            Result r = new Result();
            waiting.add(r);
            s.execute(args(pipes.get(i).toString(), null, null, null), r, r);
        }
        // Each waits for a reader on a thread of its own; the display serves a plain file meanwhile.
        Result plain = new Result();
        s.execute(args(dir.resolve("plain.ppm").toString(), null, null, null), plain, plain);
        plain.await();
        assertTrue(Files.size(dir.resolve("plain.ppm")) > 0);
        // Once every permit is held, one more is refused with the limit in its text.
        Result refused = new Result();
        s.execute(args(pipes.get(Screendump.MAX_ASIDE).toString(), null, null, null), refused, refused);
        ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
        String text = ((CommandException) e.getCause()).description();
        assertEquals("failed to open file '" + pipes.get(Screendump.MAX_ASIDE)
                + "': too many screendumps waiting for pipes or devices (at most " + Screendump.MAX_ASIDE + ")", text);
        // A reader lets each waiting one finish with the whole image.
        for (int i = 0; i < Screendump.MAX_ASIDE; i++) {
            try (java.io.InputStream in = Files.newInputStream(pipes.get(i))) {
                byte[] image = in.readAllBytes();
                assertTrue(new String(image, 0, 3, java.nio.charset.StandardCharsets.US_ASCII).equals("P6\n"));
            }
            waiting.get(i).await();
        }
    }

    @Test
    void aCancelledScreendumpIsWithdrawnAndWritesNothing() throws Exception {
        Screendump s = new Screendump();
        VirtualDisplay d = display("display0", 0.1);
        bind(s, d);
        Result first = new Result();
        s.execute(args(dir.resolve("first.ppm").toString(), null, null, null), first, first);
        first.await();
        Result pending = new Result();
        s.execute(args(dir.resolve("never.ppm").toString(), null, null, null), pending, pending);
        assertEquals(1, d.properties().get("pending-frames"));
        pending.cancelNow();
        assertEquals(0, d.properties().get("pending-frames"));
        assertFalse(pending.isDone());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("first.ppm")), files.toList());
        }
    }

    @Test
    void removingTheDisplayFailsAWaitingScreendump() throws Exception {
        Screendump s = new Screendump();
        VirtualDisplay d = new VirtualDisplay(config(64, 32, 0.1), new HashMap<>(Map.of("service.pid", "org.qmon.display~gone")));
        bind(s, d);
        Result first = new Result();
        s.execute(args(dir.resolve("first.ppm").toString(), null, null, null), first, first);
        first.await();
        Result pending = new Result();
        s.execute(args(dir.resolve("never.ppm").toString(), "gone", null, null), pending, pending);
        d.deactivate();
        Exception e = assertThrows(Exception.class, pending::await);
        CommandException ce = (CommandException) e.getCause();
        assertEquals("Display 'gone' was removed before its next frame", ce.description());
    }
}

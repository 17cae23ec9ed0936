package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real QEMU running a machine with a display
 * ({@code -machine pc -accel tcg -m 64 -vga std}): run-state changes and their events. Skipped when
 * {@code qemu-system-x86_64} is not on the PATH.
 */
class QemuMachineInteropTest {
    private static final long WAIT = 30;

    @TempDir
    static Path dir;

    private static QemuProcess qemu;
    private static QmpClient client;

    @BeforeAll
    static void startQemu() throws Exception {
        if (!QemuProcess.available()) {
            return; // each test is then skipped, with the reason, by requireQemu()
        }
        qemu = QemuProcess.start(dir, "-machine", "pc", "-accel", "tcg", "-m", "64", "-vga", "std",
                "-display", "none", "-nodefaults");
        client = qemu.connect(QmpClientOptions.defaults());
    }

    @BeforeEach
    void requireQemu() {
        QemuProcess.assumeAvailable();
    }

    @AfterAll
    static void stopQemu() throws Exception {
        try {
            if (client != null) {
                client.close();
                QmpClientTest.assertThreadsEnded(client);
            }
        } finally {
            if (qemu != null) {
                qemu.close();
            }
        }
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT, TimeUnit.SECONDS);
    }

    record StatusInfo(boolean running, String status) {
    }

    @Test
    void stopAndContEmitStopAndResume() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> bothSeen = new CompletableFuture<>();
        try (EventSubscription runState = client.subscribe(Set.of("STOP", "RESUME"), e -> {
            seen.add(e.name());
            if (seen.size() == 2) {
                bothSeen.complete(null);
            }
        })) {
            // Subscribe first: QEMU sends STOP before the reply to stop.
            CompletableFuture<QmpEvent> stopped = client.nextEvent("STOP");
            await(client.execute("stop"));
            QmpEvent stop = await(stopped);
            assertTrue(stop.seconds() > 0, stop.toString());
            StatusInfo paused = await(client.execute("query-status", null, StatusInfo.class));
            assertFalse(paused.running());
            assertEquals("paused", paused.status());

            CompletableFuture<QmpEvent> resumed = client.nextEvent("RESUME");
            await(client.execute("cont"));
            await(resumed);
            StatusInfo running = await(client.execute("query-status", null, StatusInfo.class));
            assertTrue(running.running());
            assertEquals("running", running.status());

            await(bothSeen);
            assertEquals(List.of("STOP", "RESUME"), seen);
            assertEquals(0, runState.dropped());
        }
    }

    @Test
    void screendumpWritesAPpm() throws Exception {
        Path file = dir.resolve("screen.ppm");
        await(client.execute("screendump", Map.of("filename", file.toString())));
        byte[] head = Files.readAllBytes(file);
        assertTrue(head.length > 15);
        assertEquals("P6", new String(head, 0, 2, StandardCharsets.US_ASCII));
    }
}

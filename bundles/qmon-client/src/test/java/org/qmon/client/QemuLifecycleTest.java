package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.ConnectionLifecycleTest.CapturedLog;

/**
 * Real QEMU ({@code -machine none}), one process per test, each ended by {@code quit}: accept mode
 * (QEMU connects to the client), and QEMU hanging up after {@code quit} as the expected end it is.
 * Skipped when {@code qemu-system-x86_64} is not on the PATH.
 */
class QemuLifecycleTest {
    private static final long WAIT = 30;
    private static final String[] MACHINE = {"-machine", "none", "-nodefaults", "-display", "none"};

    @TempDir
    Path dir;

    @BeforeEach
    void requireQemu() {
        QemuProcess.assumeAvailable();
    }

    record StatusInfo(boolean running, String status) {
    }

    record Shutdown(boolean guest, String reason) {
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT, TimeUnit.SECONDS);
    }

    /** The thread that runs a dependent of {@code future}; registered while it is pending. */
    private static CompletableFuture<String> threadOf(CompletableFuture<?> future) {
        assertFalse(future.isDone(), "registered too late to tell who completed it");
        return future.handle((v, e) -> Thread.currentThread().getName());
    }

    @Test
    void acceptModeQemuConnectsToTheListeningClient() throws Exception {
        Path socket = dir.resolve("accept.sock");
        QmpClientOptions options = QmpClientOptions.builder().connectTimeout(Duration.ofSeconds(WAIT)).build();
        // Listening when acceptAsync returns; QEMU started after it connects once, without retrying.
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync("unix:" + socket, options);
        try (QemuProcess qemu = QemuProcess.startConnectingTo(dir, socket, MACHINE)) {
            QmpClient client;
            try {
                client = await(accepting);
            } catch (ExecutionException e) {
                throw new AssertionError("no session; QEMU said: " + qemu.log(), e);
            }
            try (client) {
                assertFalse(Files.exists(socket), "the client stopped listening after accepting QEMU");
                assertEquals(7, client.greeting().get("QMP").get("version").get("qemu").get("major").asInt());
                assertEquals(java.util.Set.of("oob"), client.enabledCapabilities());
                assertEquals(new StatusInfo(true, "running"), client.call("query-status", null, StatusInfo.class));

                CompletableFuture<QmpEvent> stopped = client.nextEvent("STOP");
                client.call("stop");
                assertEquals("STOP", await(stopped).name());
                assertEquals(new StatusInfo(false, "paused"), client.call("query-status", null, StatusInfo.class));

                CompletableFuture<QmpEvent> shutdown = client.nextEvent("SHUTDOWN");
                client.call("quit");
                assertEquals(new Shutdown(false, "host-qmp-quit"), await(shutdown).data(Shutdown.class));
                await(client.closeFuture());
                assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
            }
            assertTrue(qemu.awaitExit(WAIT), "QEMU exits after quit");
            assertEquals(0, qemu.exitValue());
        }
    }

    @Test
    void quitIsAHangUpEverythingCompletesOnCallbackThreadsAndNothingIsLoggedAsAWarning() throws Exception {
        try (QemuProcess qemu = QemuProcess.start(dir, MACHINE);
                CapturedLog log = new CapturedLog();
                QmpClient client = qemu.connect(QmpClientOptions.defaults())) {
            String prefix = client.threadNamePrefix();
            // The test must see who completes each future, so it registers its dependents while they
            // are pending. QEMU quits within microseconds, so a filter (which runs on the reader thread)
            // holds the reader at SHUTDOWN, which QEMU sends before it hangs up, until the dependents
            // are registered. Only a test would block in a filter. (quit's own reply may come before
            // SHUTDOWN, so it is not checked here; replies are covered by CompletionThreadsTest.)
            CountDownLatch registered = new CountDownLatch(1);
            client.subscribe(e -> {
                if (e.name().equals("SHUTDOWN")) {
                    try {
                        registered.await(WAIT, TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
                return false;
            }, e -> { });
            CompletableFuture<QmpEvent> never = client.nextEvent("NEVER");
            CompletableFuture<Void> closed = client.closeFuture();
            CompletableFuture<JsonNode> quit = client.execute("quit");
            // QEMU executes nothing after quit and closes the socket: this call is pending when it hangs up.
            CompletableFuture<JsonNode> afterQuit = client.execute("query-status");
            List<CompletableFuture<String>> threads = List.of(threadOf(afterQuit), threadOf(never), threadOf(closed));
            registered.countDown();

            assertEquals(0, await(quit).size());
            for (CompletableFuture<String> thread : threads) {
                assertTrue(await(thread).startsWith(prefix + "callback-"), "completed on " + await(thread));
            }
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(afterQuit));
            assertInstanceOf(QmpConnectionClosedException.class, e.getCause());
            QmpConnectionClosedException cause = assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
            assertTrue(cause.getMessage().contains(client.endpoint()), cause.getMessage());
            assertEquals(List.of(), log.atOrAbove(Level.WARNING), "a hang-up after quit is expected: " + log.messages());
            assertTrue(qemu.awaitExit(WAIT));
        }
    }
}

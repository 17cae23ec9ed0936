package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpException;
import org.qmon.client.QmpJob;

/**
 * qmon-client's job handle against the real platform: progress and status as they happen, a future
 * of the end with the job's error, attaching from another client, and a start that fails.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JobClientIT extends DeviceTestSupport {

    private static Map<String, Object> series(String id, Path dir, int count, int intervalMs) {
        return Map.of("job-id", id, "directory", dir.toString(), "count", count, "interval-ms", intervalMs,
                "auto-dismiss", false);
    }

    @Test
    public void theHandleReportsProgressAndTheEndAndTidiesUp() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("j");
        QmpClient c = connect();
        List<QmpJob.Progress> progress = new CopyOnWriteArrayList<>();
        List<String> statuses = new CopyOnWriteArrayList<>();
        QmpJob job = QmpJob.start(c, id, "screendump-series", series(id, dir, 6, 100));
        job.onProgress(progress::add).onStatus(statuses::add);
        QmpJob.Result r = job.done().get(T, TimeUnit.SECONDS);
        assertTrue(r.succeeded());
        assertFalse(r.error().isPresent());
        assertEquals(new QmpJob.Progress(6, 6), r.progress());
        assertEquals(6, progress.get(progress.size() - 1).current());
        assertTrue(statuses.toString(), statuses.containsAll(List.of("running", "waiting", "pending", "concluded")));
        try (var s = Files.list(dir)) {
            assertEquals(6, s.count());
        }
        // The handle dismissed what it started, once it had read the outcome, before reporting it.
        for (var j : c.execute("query-jobs").get(T, TimeUnit.SECONDS)) {
            assertFalse("dismissed: " + j, j.get("id").asText().equals(id));
        }
    }

    @Test
    public void anotherClientAttachesAndSeesTheCancellationWithItsError() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        String id = uniqueId("k");
        QmpClient a = connect();
        QmpJob started = QmpJob.start(a, id, "screendump-series", series(id, workDir(), 1000, 100));
        QmpClient b = connect();
        awaitCondition(() -> "running".equals(started.status()), "running");
        QmpJob attached = QmpJob.attach(b, id);
        attached.refresh().get(T, TimeUnit.SECONDS);
        assertEquals("running", attached.status());
        attached.cancel().get(T, TimeUnit.SECONDS);
        QmpJob.Result seenByB = attached.done().get(T, TimeUnit.SECONDS);
        QmpJob.Result seenByA = started.done().get(T, TimeUnit.SECONDS);
        assertFalse(seenByA.succeeded());
        assertFalse(seenByB.succeeded());
        // B reads the error only if it asks before A, which started the job, dismisses it.
        seenByB.error().ifPresent(e -> assertEquals("Operation canceled", e));
        assertEquals("Operation canceled", seenByA.error().orElseThrow());
        // A, which started it, dismissed it before reporting; B only watched.
        for (var j : b.execute("query-jobs").get(T, TimeUnit.SECONDS)) {
            assertFalse("dismissed: " + j, j.get("id").asText().equals(id));
        }
    }

    @Test
    public void aStartThatFailsFailsTheFutureAndAnUnknownJobCannotBeAttached() throws Exception {
        QmpClient c = connect();
        ExecutionException e = assertThrowsExecution(QmpJob.start(c, "x", "screendump-series",
                Map.of("job-id", "x", "directory", workDir().toString(), "count", 1)));
        assertEquals("There is no console to take a screendump from", ((QmpException) e.getCause()).description());
        ExecutionException missing = assertThrowsExecution(QmpJob.attach(c, "nope"));
        assertEquals("Job not found", ((QmpException) missing.getCause()).description());
    }

    private static ExecutionException assertThrowsExecution(QmpJob job) throws Exception {
        try {
            job.done().get(T, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof QmpException);
            return e;
        }
        throw new AssertionError("expected the job's future to fail");
    }
}

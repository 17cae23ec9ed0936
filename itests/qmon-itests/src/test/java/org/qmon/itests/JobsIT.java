package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpEvent;

/**
 * Jobs on the real platform and socket, with the real job ({@code screendump-series} on a real
 * display): a job outlives its client and another client sees it, any client may cancel, pause and
 * resume it, its status changes and progress arrive as events in order, QEMU's refusals, and its human
 * monitor and schema forms.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JobsIT extends DeviceTestSupport {

    private static Map<String, Object> series(String id, Path dir, int count, int intervalMs, boolean autoDismiss) {
        return Map.of("job-id", id, "directory", dir.toString(), "count", count, "interval-ms", intervalMs,
                "auto-dismiss", autoDismiss);
    }

    private static JsonNode job(QmpClient c, String id) {
        try {
            for (JsonNode j : c.execute("query-jobs").get(T, TimeUnit.SECONDS)) {
                if (j.get("id").asText().equals(id)) {
                    return j;
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(QmpClient c, String id) {
        JsonNode j = job(c, id);
        return j == null ? "null" : j.get("status").asText();
    }

    private static long frames(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("frame-\\d{5}\\.ppm")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Records the events of one job, in arrival order. */
    private static List<QmpEvent> record(QmpClient c, String id) {
        List<QmpEvent> events = new CopyOnWriteArrayList<>();
        c.subscribe(e -> e.name().startsWith("JOB_") && id.equals(e.data().path("id").asText()), events::add);
        return events;
    }

    private static List<String> statuses(List<QmpEvent> events) {
        List<String> out = new ArrayList<>();
        for (QmpEvent e : events) {
            if (e.name().equals("JOB_STATUS_CHANGE")) {
                out.add(e.data().get("status").asText());
            }
        }
        return out;
    }

    @Test
    public void aJobSurvivesItsClientAndAnotherClientSeesItEnd() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("s");
        QmpClient starter = QmpClient.connect(address);
        starter.execute("screendump-series", series(id, dir, 8, 50, false)).get(T, TimeUnit.SECONDS);
        starter.close(); // the client that started it is gone
        QmpClient other = connect();
        awaitCondition(() -> "concluded".equals(status(other, id)), "the job to conclude for another client");
        JsonNode info = job(other, id);
        assertEquals("screendump-series", info.get("type").asText());
        assertEquals(8, info.get("current-progress").asLong());
        assertEquals(8, info.get("total-progress").asLong());
        assertNull(info.get("error"));
        assertEquals(8, frames(dir));
        other.execute("job-dismiss", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        assertEquals("null", status(other, id));
    }

    @Test
    public void aSecondClientCancelsAJobAndTheFirstSeesItAbort() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("c");
        QmpClient a = connect();
        List<QmpEvent> events = record(a, id);
        a.execute("screendump-series", series(id, dir, 1000, 100, false)).get(T, TimeUnit.SECONDS);
        QmpClient b = connect();
        awaitCondition(() -> "running".equals(status(b, id)), "running");
        b.execute("job-cancel", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> statuses(events).contains("concluded"), "the first client to see the job conclude");
        assertEquals(List.of("created", "running", "aborting", "concluded"), statuses(events));
        JsonNode info = job(a, id);
        assertEquals("Operation canceled", info.get("error").asText());
        assertTrue(frames(dir) < 1000);
        a.execute("job-dismiss", Map.of("id", id)).get(T, TimeUnit.SECONDS);
    }

    @Test
    public void pauseStopsTheWorkAndResumeGoesOn() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("p");
        QmpClient c = connect();
        List<QmpEvent> events = record(c, id);
        c.execute("screendump-series", series(id, dir, 1000, 20, true)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> frames(dir) >= 2, "two frames");
        c.execute("job-pause", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> statuses(events).contains("paused"), "the paused event");
        assertEquals("paused", status(c, id));
        long atPause = job(c, id).get("current-progress").asLong();
        long filesAtPause = frames(dir);
        // While paused, several round trips later, nothing has moved.
        for (int i = 0; i < 5; i++) {
            assertEquals(atPause, job(c, id).get("current-progress").asLong());
            c.execute("query-status").get(T, TimeUnit.SECONDS);
        }
        assertEquals(filesAtPause, frames(dir));
        c.execute("job-resume", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> job(c, id).get("current-progress").asLong() > atPause, "progress after resume");
        c.execute("job-cancel", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> statuses(events).contains("null"), "the job to go");
        assertEquals(List.of("created", "running", "paused", "running", "aborting", "concluded", "null"), statuses(events));
    }

    @Test
    public void statusChangesAndProgressArriveAsEventsInOrder() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("e");
        QmpClient c = connect();
        List<QmpEvent> events = record(c, id);
        c.execute("screendump-series", series(id, dir, 5, 100, true)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> statuses(events).contains("null"), "the job to end");
        assertEquals(List.of("created", "running", "waiting", "pending", "concluded", "null"), statuses(events));
        long last = -1;
        int waiting = -1;
        int lastProgress = -1;
        for (int i = 0; i < events.size(); i++) {
            QmpEvent e = events.get(i);
            if (e.name().equals("JOB_PROGRESS")) {
                long cur = e.data().get("current-progress").asLong();
                assertTrue("progress never goes back", cur >= last);
                assertEquals(5, e.data().get("total-progress").asLong());
                last = cur;
                lastProgress = i;
            } else if (waiting < 0 && "waiting".equals(e.data().get("status").asText())) {
                waiting = i;
            }
        }
        assertEquals("the final progress is announced", 5, last);
        assertTrue("and before the job leaves running", lastProgress < waiting);
        assertEquals(5, frames(dir));
    }

    @Test
    public void verbsInTheWrongStateAndBadIdsHaveQemusTexts() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("v");
        QmpClient c = connect();
        c.execute("screendump-series", series(id, dir, 1000, 100, true)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> "running".equals(status(c, id)), "running");
        for (String verb : List.of("dismiss", "complete", "finalize")) {
            assertQmpError(c.execute("job-" + verb, Map.of("id", id)), "GenericError",
                    "Job '" + id + "' in state 'running' cannot accept command verb '" + verb + "'");
        }
        assertQmpError(c.execute("job-resume", Map.of("id", id)), "GenericError", "Can't resume a job that was not paused");
        assertQmpError(c.execute("screendump-series", series(id, dir, 1, 0, true)), "GenericError",
                "Job ID '" + id + "' already in use");
        assertQmpError(c.execute("screendump-series", series("1x", dir, 1, 0, true)), "GenericError",
                "Invalid job ID '1x'");
        // A refused start leaves no directory behind; a file in the way is mkdir's EEXIST.
        Path fresh = dir.resolve("fresh").resolve("deeper");
        assertQmpError(c.execute("screendump-series", series(id, fresh, 1, 0, true)), "GenericError",
                "Job ID '" + id + "' already in use");
        assertTrue("nothing created for a refused start", java.nio.file.Files.notExists(dir.resolve("fresh")));
        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        assertQmpError(c.execute("screendump-series", series("ok", file, 1, 0, true)), "GenericError",
                "failed to create directory '" + file + "': File exists");
        assertQmpError(c.execute("screendump-series", series("ok", dir, 0, 0, true)), "GenericError",
                "'count' must be between 1 and 10000");
        assertQmpError(c.execute("job-cancel", Map.of("id", "nope")), "GenericError", "Job not found");
        c.execute("job-cancel", Map.of("id", id)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> "null".equals(status(c, id)), "the job to go");
    }

    @Test
    public void theHumanMonitorShowsProgressAndCancels() throws Exception {
        addDisplay(uniqueId("d"), Map.of());
        Path dir = workDir();
        String id = uniqueId("h");
        QmpClient c = connect();
        c.execute("screendump-series", series(id, dir, 1000, 100, true)).get(T, TimeUnit.SECONDS);
        awaitCondition(() -> "running".equals(status(c, id)), "running");
        String info = c.execute("human-monitor-command", Map.of("command-line", "info jobs")).get(T, TimeUnit.SECONDS).asText();
        assertTrue(info, info.matches("(?s).*Job " + id + " \\(screendump-series\\): running +\\[[#-]{20}\\] +\\d+% \\(\\d+/1000\\)\r\n.*"));
        assertEquals("", c.execute("human-monitor-command", Map.of("command-line", "job_cancel " + id))
                .get(T, TimeUnit.SECONDS).asText());
        awaitCondition(() -> "null".equals(status(c, id)), "the job to go");
        String none = c.execute("human-monitor-command", Map.of("command-line", "job_cancel " + id)).get(T, TimeUnit.SECONDS)
                .asText();
        assertTrue(none, none.contains("Job not found"));
    }

    @Test
    public void theSchemaDeclaresTheJobCommandsAndEvents() throws Exception {
        QmpClient c = connect();
        List<String> names = new ArrayList<>();
        for (JsonNode e : c.execute("query-qmp-schema").get(T, TimeUnit.SECONDS)) {
            names.add(e.get("meta-type").asText() + " " + e.get("name").asText());
        }
        for (String expected : List.of("event JOB_STATUS_CHANGE", "event JOB_PROGRESS", "command query-jobs",
                "command job-pause", "command job-resume", "command job-cancel", "command job-complete",
                "command job-finalize", "command job-dismiss", "command screendump-series")) {
            assertTrue(expected + " in " + names, names.contains(expected));
        }
        assertFalse(names.contains("command job-change"));
    }
}

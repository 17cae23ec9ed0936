package org.qmon.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.qmon.api.job.JobInfo;
import org.qmon.api.job.JobStatus;

/** {@code info jobs} and {@code qmon:jobs}: a progress bar per job, errors beneath, the empty case. */
class JobsTextTest {

    @Test
    void oneLinePerJobWithABarAndTheErrorBeneath() {
        Map<String, Object> running = new LinkedHashMap<>();
        running.put("id", "shots");
        running.put("type", "screendump-series");
        running.put("status", "running");
        running.put("current-progress", 5);
        running.put("total-progress", 10);
        Map<String, Object> failed = new LinkedHashMap<>(running);
        failed.put("id", "old");
        failed.put("status", "concluded");
        failed.put("current-progress", 1L);
        failed.put("error", "Operation canceled");
        assertEquals("Job shots (screendump-series): running   [##########----------]  50% (5/10)\n"
                + "Job old (screendump-series): concluded [##------------------]  10% (1/10)\n"
                + "    error: Operation canceled\n", JobsText.fromQmp(List.of(running, failed)));
    }

    @Test
    void theSameFromSnapshotsAndNothingToShow() {
        assertEquals("Job a (t): pending   [####################] 100% (3/3)\n",
                JobsText.of(List.of(new JobInfo("a", "t", JobStatus.PENDING, 3, 3, null))));
        assertEquals("Job b (t): created   [--------------------]   0% (0/0)\n",
                JobsText.of(List.of(new JobInfo("b", "t", JobStatus.CREATED, 0, 0, null))));
        assertEquals("No active jobs\n", JobsText.of(List.of()));
        assertEquals("No active jobs\n", JobsText.fromQmp(List.of()));
    }
}

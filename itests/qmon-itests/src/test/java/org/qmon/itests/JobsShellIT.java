package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.qmon.api.job.Job;
import org.qmon.api.job.JobManager;
import org.qmon.api.job.JobSpec;
import org.qmon.api.job.JobStatus;

/**
 * The job manager as a service to another bundle (this test's), and the Gogo view of jobs:
 * {@code qmon:jobs} lists them with their progress, {@code qmon:jobs cancel ID} cancels one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JobsShellIT extends QmonTestSupport {

    @Inject
    private CommandProcessor processor;

    @Inject
    private JobManager jobs;

    private String shell(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8), System.err)) {
            return String.valueOf(s.execute(command));
        }
    }

    @Test
    public void aBundlesJobIsListedAndCancelledFromTheShell() throws Exception {
        String id = "shell-" + UUID.randomUUID().toString().substring(0, 8);
        Job job = jobs.start(JobSpec.of(id, "test-work"), control -> {
            control.progress(3, 12);
            while (true) {
                control.sleep(Duration.ofSeconds(30)); // until cancelled: sleep is a pause point
            }
        });
        awaitCondition(() -> job.info().currentProgress() == 3, "the job's first progress");
        String listed = shell("qmon:jobs");
        assertTrue(listed, listed.contains("Job " + id + " (test-work): running   [#####---------------]  25% (3/12)"));
        shell("qmon:jobs cancel " + id);
        assertEquals("Operation canceled", job.concluded().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).error());
        awaitCondition(() -> jobs.job(id).isEmpty(), "the job to be dismissed");
        assertEquals(JobStatus.NULL, job.info().status());
        assertEquals("Error: Job not found", shell("qmon:jobs cancel " + id));
        assertTrue(shell("qmon:jobs pause " + id).contains("Job not found"));
    }
}

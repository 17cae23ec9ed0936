package org.qmon.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.CommandException;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.job.JobControl;
import org.qmon.api.job.JobDriver;
import org.qmon.api.job.JobInfo;
import org.qmon.api.job.JobProgress;
import org.qmon.api.job.JobSpec;
import org.qmon.api.job.JobStatus;
import org.qmon.api.job.JobStatusChange;
import org.qmon.api.job.JobVerb;

/**
 * The job manager with real threads: each job's statuses and events follow QEMU's life of a job
 * ({@code job.c}) for success, failure, cancellation in each state, pause and resume, ready, standby
 * and completion, manual finalize and dismiss; QEMU's texts for every refusal.
 */
class JobManagerTest {

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final ConcurrentLinkedQueue<MonitorEvent> events = new ConcurrentLinkedQueue<>();
    private final JobManagerImpl manager = new JobManagerImpl(events::add);

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** Works in steps of a few milliseconds until told to finish, then optionally becomes ready or fails. */
    static final class Worker implements JobDriver {
        volatile boolean finish;
        volatile boolean ready;
        volatile String failWith;
        volatile int steps;

        @Override
        public void run(JobControl control) throws Exception {
            control.progress(0, 10);
            while (!finish) {
                control.sleep(Duration.ofMillis(5));
                steps++;
                control.progress(Math.min(steps, 9), 10);
            }
            control.progress(10, 10);
            if (ready) {
                control.ready();
                while (!control.completionRequested()) {
                    control.sleep(Duration.ofSeconds(30));
                }
            }
            if (failWith != null) {
                throw CommandException.generic(failWith);
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The statuses announced for one job, in order. */
    private List<String> statuses(String id) {
        List<String> out = new ArrayList<>();
        for (MonitorEvent e : events) {
            if (e.data() instanceof JobStatusChange c && c.id().equals(id)) {
                out.add(c.status().wireName());
            }
        }
        return out;
    }

    private JobStatus status(String id) {
        return manager.job(id).map(JobInfo::status).orElse(JobStatus.NULL);
    }

    private void awaitStatus(String id, JobStatus s) {
        await(() -> status(id) == s, id + " " + s.wireName());
    }

    private static String error(ThrowingRunnable r) {
        return assertThrows(CommandException.class, r::run).description();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws CommandException;
    }

    @Test
    void aJobThatSucceedsPassesThroughQemusStatusesAndIsDismissed() throws Exception {
        Worker w = new Worker();
        var job = manager.start(JobSpec.of("j0", "test"), w);
        awaitStatus("j0", JobStatus.RUNNING);
        w.finish = true;
        JobInfo end = job.concluded().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertNull(end.error());
        assertEquals(10, end.currentProgress());
        assertEquals(10, end.totalProgress());
        awaitStatus("j0", JobStatus.NULL);
        assertEquals(List.of("created", "running", "waiting", "pending", "concluded", "null"), statuses("j0"));
        assertEquals(0, manager.size());
        // The last progress event has the final values, and comes before the job left running.
        List<Object> kinds = events.stream().map(MonitorEvent::data).toList();
        int lastProgress = -1;
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) instanceof JobProgress) {
                lastProgress = i;
            }
        }
        assertEquals(new JobProgress("j0", 10, 10), kinds.get(lastProgress));
        assertEquals(new JobStatusChange("j0", JobStatus.WAITING), kinds.get(lastProgress + 1));
    }

    @Test
    void progressEventsAreRateLimited() throws Exception {
        Worker w = new Worker();
        manager.start(JobSpec.of("p", "test"), w);
        await(() -> w.steps >= 60, "60 steps");
        w.finish = true;
        awaitStatus("p", JobStatus.NULL);
        long progressEvents = events.stream().filter(e -> e.name().equals(JobProgress.EVENT)).count();
        assertTrue(progressEvents >= 2 && progressEvents < w.steps / 2,
                progressEvents + " progress events for " + w.steps + " updates");
    }

    @Test
    void withoutAutoFinalizeAndDismissTheUserFinalizesAndDismisses() throws Exception {
        Worker w = new Worker();
        w.finish = true;
        manager.start(new JobSpec("m", "test", false, false), w);
        awaitStatus("m", JobStatus.PENDING);
        assertEquals("Job 'm' in state 'pending' cannot accept command verb 'dismiss'", error(() -> manager.dismiss("m")));
        assertEquals("Job 'm' in state 'pending' cannot accept command verb 'pause'", error(() -> manager.pause("m")));
        manager.finalizeJob("m");
        assertEquals(JobStatus.CONCLUDED, status("m"));
        assertNull(manager.job("m").orElseThrow().error());
        assertEquals("Job 'm' in state 'concluded' cannot accept command verb 'finalize'",
                error(() -> manager.finalizeJob("m")));
        assertEquals("Job 'm' in state 'concluded' cannot accept command verb 'cancel'", error(() -> manager.cancel("m")));
        assertEquals("Can't resume a job that was not paused", error(() -> manager.resume("m")));
        manager.dismiss("m");
        assertEquals(List.of("created", "running", "waiting", "pending", "concluded", "null"), statuses("m"));
        assertEquals("Job not found", error(() -> manager.dismiss("m")));
    }

    @Test
    void cancellingARunningJobAbortsItWithQemusError() throws Exception {
        Worker w = new Worker();
        var job = manager.start(new JobSpec("c", "test", true, false), w);
        awaitStatus("c", JobStatus.RUNNING);
        manager.cancel("c");
        JobInfo end = job.concluded().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals("Operation canceled", end.error());
        assertEquals(JobStatus.CONCLUDED, status("c"));
        assertEquals(List.of("created", "running", "aborting", "concluded"), statuses("c"));
        manager.dismiss("c");
        assertEquals(JobStatus.NULL, status("c"));
    }

    @Test
    void pauseAndResumeHappenAtPausePointsWithQemusRefusals() throws Exception {
        Worker w = new Worker();
        manager.start(JobSpec.of("p", "test"), w);
        awaitStatus("p", JobStatus.RUNNING);
        assertEquals("Can't resume a job that was not paused", error(() -> manager.resume("p")));
        manager.pause("p");
        awaitStatus("p", JobStatus.PAUSED);
        assertEquals("Job is already paused", error(() -> manager.pause("p")));
        int steps = w.steps;
        manager.resume("p");
        awaitStatus("p", JobStatus.RUNNING);
        await(() -> w.steps > steps, "work goes on after resume");
        w.finish = true;
        awaitStatus("p", JobStatus.NULL);
        assertEquals(List.of("created", "running", "paused", "running", "waiting", "pending", "concluded", "null"),
                statuses("p"));
    }

    @Test
    void cancellingAPausedJobResumesItFirstAsQemuDoes() throws Exception {
        Worker w = new Worker();
        manager.start(JobSpec.of("cp", "test"), w);
        awaitStatus("cp", JobStatus.RUNNING);
        manager.pause("cp");
        awaitStatus("cp", JobStatus.PAUSED);
        manager.cancel("cp");
        awaitStatus("cp", JobStatus.NULL);
        assertEquals(List.of("created", "running", "paused", "running", "aborting", "concluded", "null"), statuses("cp"));
    }

    @Test
    void aReadyJobStandsByWhenPausedAndEndsOnComplete() throws Exception {
        Worker w = new Worker();
        w.ready = true;
        manager.start(JobSpec.of("r", "test"), w);
        awaitStatus("r", JobStatus.RUNNING);
        assertEquals("Job 'r' in state 'running' cannot accept command verb 'complete'", error(() -> manager.complete("r")));
        w.finish = true;
        awaitStatus("r", JobStatus.READY);
        manager.pause("r");
        awaitStatus("r", JobStatus.STANDBY);
        manager.complete("r"); // QEMU 7.2 accepts it on standby: the job completes once resumed
        assertEquals(JobStatus.STANDBY, status("r"));
        manager.resume("r");
        awaitStatus("r", JobStatus.NULL);
        assertEquals(List.of("created", "running", "ready", "standby", "ready", "waiting", "pending", "concluded", "null"),
                statuses("r"));
    }

    @Test
    void aFailingJobConcludesWithItsError() throws Exception {
        Worker w = new Worker();
        w.failWith = "disk full";
        w.finish = true;
        var job = manager.start(new JobSpec("f", "test", true, false), w);
        assertEquals("disk full", job.concluded().toCompletableFuture().get(20, TimeUnit.SECONDS).error());
        assertEquals(List.of("created", "running", "aborting", "concluded"), statuses("f"));
        assertEquals("disk full", manager.jobs().get(0).error());
    }

    @Test
    void cancellingAPendingJobAbortsIt() throws Exception {
        Worker w = new Worker();
        w.finish = true;
        manager.start(new JobSpec("cd", "test", false, false), w);
        awaitStatus("cd", JobStatus.PENDING);
        manager.cancel("cd");
        assertEquals(JobStatus.CONCLUDED, status("cd"));
        assertEquals("Operation canceled", manager.job("cd").orElseThrow().error());
        assertEquals(List.of("created", "running", "waiting", "pending", "aborting", "concluded"), statuses("cd"));
    }

    @Test
    void idsAndLimitsAreCheckedWithQemusTexts() throws Exception {
        assertEquals("An explicit job ID is required", error(() -> manager.start(JobSpec.of(null, "t"), c -> { })));
        assertEquals("Invalid job ID '0x'", error(() -> manager.start(JobSpec.of("0x", "t"), c -> { })));
        Worker w = new Worker();
        manager.start(JobSpec.of("same", "t"), w);
        assertEquals("Job ID 'same' already in use", error(() -> manager.start(JobSpec.of("same", "t"), c -> { })));
        manager.modified(new JobManagerImpl.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return JobManagerImpl.Config.class;
            }

            @Override
            public int max_jobs() {
                return 1;
            }
        });
        assertEquals("Too many jobs: at most 1 may exist at once",
                error(() -> manager.start(JobSpec.of("other", "t"), c -> { })));
        w.finish = true;
        awaitStatus("same", JobStatus.NULL);
        manager.start(JobSpec.of("same", "t"), c -> { }); // the id is free again once the job is gone
    }

    @Test
    void whenTheNullEventIsSentTheJobIsGoneAndItsIdFree() throws Exception {
        java.util.concurrent.atomic.AtomicReference<JobManagerImpl> ref = new java.util.concurrent.atomic.AtomicReference<>();
        List<Boolean> listedAtNull = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobManagerImpl m = new JobManagerImpl(e -> {
            if (e.data() instanceof JobStatusChange c && c.status() == JobStatus.NULL) {
                // What a client reacting to the event would find, at that moment.
                listedAtNull.add(ref.get().job(c.id()).isPresent());
            }
        });
        ref.set(m);
        try {
            m.start(JobSpec.of("again", "t"), c -> { }).concluded().toCompletableFuture().get(20, TimeUnit.SECONDS);
            await(() -> !listedAtNull.isEmpty(), "the null event");
            assertEquals(List.of(false), listedAtNull, "not listed once its null event is out");
            m.start(JobSpec.of("again", "t"), c -> { }); // and its id is free
        } finally {
            m.close();
        }
    }

    @Test
    void aVerbOnAJobAlreadyInStateNullIsJobNotFound() {
        for (JobVerb v : JobVerb.values()) {
            assertEquals("Job not found", error(() -> JobStateMachine.apply("x", JobStatus.NULL, v)));
        }
    }

    @Test
    void everyVerbOnAnUnknownJobIsJobNotFound() {
        assertEquals("Job not found", error(() -> manager.pause("nope")));
        assertEquals("Job not found", error(() -> manager.resume("nope")));
        assertEquals("Job not found", error(() -> manager.cancel("nope")));
        assertEquals("Job not found", error(() -> manager.complete("nope")));
        assertEquals("Job not found", error(() -> manager.finalizeJob("nope")));
        assertEquals("Job not found", error(() -> manager.dismiss("nope")));
    }

    @Test
    void jobsAreListedNewestFirst() throws Exception {
        manager.start(JobSpec.of("first", "t"), new Worker());
        manager.start(JobSpec.of("second", "t"), new Worker());
        assertEquals(List.of("second", "first"), manager.jobs().stream().map(JobInfo::id).toList());
    }

    @Test
    void closingTheManagerCancelsEveryJobAndEndsItsThread() throws Exception {
        Worker w = new Worker();
        var job = manager.start(JobSpec.of("k", "t"), w);
        manager.pause("k");
        awaitStatus("k", JobStatus.PAUSED);
        manager.close();
        assertEquals("Operation canceled", job.concluded().toCompletableFuture().get(20, TimeUnit.SECONDS).error());
        assertEquals(0, manager.size());
    }

    @Test
    void aCancelActionRunsOnceWhenTheJobIsCancelled() throws Exception {
        java.util.concurrent.CountDownLatch aborted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        manager.start(JobSpec.of("io", "t"), c -> {
            java.util.concurrent.CompletableFuture<Void> io = new java.util.concurrent.CompletableFuture<>();
            c.onCancel(() -> {
                aborted.countDown();
                io.cancel(false);
            });
            waiting.countDown();
            io.join(); // a device's callback that never comes: only the cancel action ends the wait
        });
        assertTrue(waiting.await(20, TimeUnit.SECONDS));
        manager.cancel("io");
        assertTrue(aborted.await(20, TimeUnit.SECONDS));
        awaitStatus("io", JobStatus.NULL);
        assertEquals(List.of("created", "running", "aborting", "concluded", "null"), statuses("io"));
    }
}

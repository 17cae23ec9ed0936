package org.qmon.jobs.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.qmon.api.CommandException;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.job.Job;
import org.qmon.api.job.JobControl;
import org.qmon.api.job.JobDriver;
import org.qmon.api.job.JobInfo;
import org.qmon.api.job.JobProgress;
import org.qmon.api.job.JobSpec;
import org.qmon.api.job.JobStatus;
import org.qmon.api.job.JobStatusChange;
import org.qmon.api.job.JobVerb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job: QEMU's {@code Job} and its life ({@code job.c}), run on a thread of the manager's.
 *
 * <p>Locking: every field below that is not final is guarded by {@code this}. Each status change
 * happens under it and announces itself ({@code JOB_STATUS_CHANGE}) before the lock is released, so a
 * job's events leave in the order of its transitions, and those a verb causes leave before the verb
 * returns (and so before its command's reply). The job's thread waits on {@code this} at its pause
 * points; verbs {@link #notifyAll()} it. Cancel actions run outside the lock.
 */
final class JobImpl implements Job, JobControl {

    private static final Logger LOG = LoggerFactory.getLogger(JobImpl.class);

    /** QEMU's text for a cancelled job: {@code strerror(ECANCELED)}. */
    static final String CANCELED = "Operation canceled";

    private final JobManagerImpl manager;
    private final String id;
    private final String type;
    private final boolean autoFinalize;
    private final boolean autoDismiss;
    private final JobDriver driver;
    private final CompletableFuture<JobInfo> concluded = new CompletableFuture<>();

    private JobStatus status = JobStatus.UNDEFINED;
    private long current;
    private long total;
    private String error;
    /** {@code job_start} has run: the driver's thread was handed the job. */
    private boolean started;
    /** The driver has returned or thrown: the job is past waiting. */
    private boolean workEnded;
    private boolean cancelled;
    private boolean userPaused;
    /** QEMU's {@code pause_count}: the job waits at its pause points while it is above 0. */
    private int pauseCount;
    private boolean completionRequested;
    /** {@code null} once cancellation has taken them. */
    private List<Runnable> cancelActions = new ArrayList<>(0);
    /** When the last progress event was sent ({@link System#nanoTime()}), and what it said. */
    private long lastProgressNanos;
    private long sentCurrent = -1;
    private long sentTotal = -1;

    JobImpl(JobManagerImpl manager, JobSpec spec, JobDriver driver) {
        this.manager = manager;
        this.id = spec.id();
        this.type = spec.type();
        this.autoFinalize = spec.autoFinalize();
        this.autoDismiss = spec.autoDismiss();
        this.driver = driver;
    }

    // ---- life -----------------------------------------------------------------------------------

    /** {@code job_create}: undefined → created. */
    synchronized void create() {
        transition(JobStatus.CREATED);
    }

    /** {@code job_start}: created → running; the caller then runs {@link #work()} on the job's thread. */
    synchronized boolean begin() {
        if (status != JobStatus.CREATED) {
            return false; // cancelled before it could start
        }
        started = true;
        transition(JobStatus.RUNNING);
        return true;
    }

    /** The job's thread: the driver, then the end of its work. */
    void work() {
        String failure = null;
        try {
            checkpoint(); // QEMU's job_co_entry: a pause point before the work proper
            driver.run(this);
        } catch (CancellationException e) {
            failure = CANCELED;
        } catch (CommandException e) {
            failure = e.description();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = CANCELED;
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            LOG.warn("Job {} failed", id, e);
            String m = e.getMessage();
            failure = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        }
        workEnded(failure);
    }

    /** {@code job_completed}: the driver is done, successfully or not. */
    private synchronized void workEnded(String failure) {
        workEnded = true;
        sendProgress(true);
        if (failure == null && cancelled) {
            failure = CANCELED;
        }
        if (failure != null) {
            error = failure;
            abort();
            return;
        }
        transition(JobStatus.WAITING);
        transition(JobStatus.PENDING);
        if (autoFinalize) {
            finalizeNow();
        }
    }

    /** {@code job_completed_txn_abort} → {@code job_finalize_single} with an error. */
    private void abort() {
        if (error == null) {
            error = CANCELED;
        }
        transition(JobStatus.ABORTING);
        conclude();
    }

    /** {@code job_do_finalize} → {@code job_finalize_single}. */
    private void finalizeNow() {
        if (cancelled) {
            abort(); // job_update_rc: a late cancellation still fails the job
            return;
        }
        conclude();
    }

    /** {@code job_conclude}. */
    private void conclude() {
        transition(JobStatus.CONCLUDED);
        concluded.complete(snapshot());
        if (autoDismiss || !started) {
            dismissNow();
        }
    }

    /**
     * {@code job_do_dismiss}: out of the manager's list first, then the {@code null} event, so that a
     * client reacting to the event finds the job gone and its id free (QEMU does both under its lock,
     * where no client can look in between).
     */
    private void dismissNow() {
        manager.removed(this);
        transition(JobStatus.NULL);
    }

    /** {@code job_state_transition}: one step of {@code JobSTT}, announced. Caller holds the lock. */
    private void transition(JobStatus next) {
        JobStatus prev = status;
        if (!JobStateMachine.allowed(prev, next)) {
            throw new IllegalStateException("job " + id + ": " + prev.wireName() + " -> " + next.wireName()
                    + " is not a transition of QEMU's table");
        }
        status = next;
        if (prev != next) {
            LOG.debug("Job {}: {} -> {}", id, prev.wireName(), next.wireName());
            manager.send(new MonitorEvent(JobStatusChange.EVENT, new JobStatusChange(id, next)));
        }
    }

    // ---- verbs (JobManager, any thread) ---------------------------------------------------------------

    /** {@code job_user_cancel}. */
    void cancel() throws CommandException {
        List<Runnable> actions;
        synchronized (this) {
            JobStateMachine.apply(id, status, JobVerb.CANCEL);
            actions = cancelLocked();
        }
        runCancelActions(actions);
    }

    /** Cancels whatever the state, for the platform stopping. */
    void forceCancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (!JobStateMachine.accepts(JobVerb.CANCEL, status)) {
                return;
            }
            actions = cancelLocked();
        }
        runCancelActions(actions);
    }

    /** {@code job_cancel}: the actions to run once the lock is released. */
    private List<Runnable> cancelLocked() {
        if (userPaused) {
            userPaused = false;
            pauseCount--;
        }
        cancelled = true;
        if (!started || workEnded) {
            error = CANCELED;
            abort(); // nothing runs: created, waiting or pending
        } else {
            notifyAll(); // out of a pause point or a sleep
        }
        List<Runnable> actions = cancelActions;
        cancelActions = null;
        return actions == null ? List.of() : actions;
    }

    private void runCancelActions(List<Runnable> actions) {
        for (Runnable r : actions) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("A cancel action of job {} failed", id, e);
            }
        }
    }

    /** {@code job_user_pause}. */
    synchronized void pause() throws CommandException {
        JobStateMachine.apply(id, status, JobVerb.PAUSE);
        if (userPaused) {
            throw CommandException.generic("Job is already paused");
        }
        userPaused = true;
        pauseCount++;
        notifyAll(); // a sleeping job reaches its pause point now rather than when its sleep ends
    }

    /** {@code job_user_resume}: QEMU checks the pause before the verb. */
    synchronized void resume() throws CommandException {
        if (!userPaused || pauseCount <= 0) {
            throw CommandException.generic("Can't resume a job that was not paused");
        }
        JobStateMachine.apply(id, status, JobVerb.RESUME);
        userPaused = false;
        pauseCount--;
        notifyAll();
    }

    /**
     * {@code job_complete} (QEMU 7.2: also accepted on standby; the job completes once resumed).
     */
    synchronized void complete() throws CommandException {
        JobStateMachine.apply(id, status, JobVerb.COMPLETE);
        if (cancelled) {
            throw CommandException.generic("The active block job '" + id + "' cannot be completed");
        }
        completionRequested = true;
        notifyAll();
    }

    /** {@code job_finalize}. */
    synchronized void finalizeJob() throws CommandException {
        JobStateMachine.apply(id, status, JobVerb.FINALIZE);
        finalizeNow();
    }

    /** {@code job_dismiss}. */
    synchronized void dismiss() throws CommandException {
        JobStateMachine.apply(id, status, JobVerb.DISMISS);
        dismissNow();
    }

    // ---- JobControl (the driver) ------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized void progress(long current, long total) {
        this.current = Math.max(0, current);
        this.total = Math.max(this.current, total);
        sendProgress(false);
    }

    @Override
    public synchronized void advance(long done) {
        current += Math.max(0, done);
        total = Math.max(total, current);
        sendProgress(false);
    }

    /** Announces the progress if it changed, at most every {@link JobProgress#INTERVAL_MILLIS} unless final. */
    private void sendProgress(boolean last) {
        if (current == sentCurrent && total == sentTotal) {
            return;
        }
        long now = System.nanoTime();
        if (!last && sentCurrent >= 0
                && now - lastProgressNanos < TimeUnit.MILLISECONDS.toNanos(JobProgress.INTERVAL_MILLIS)) {
            return;
        }
        lastProgressNanos = now;
        sentCurrent = current;
        sentTotal = total;
        manager.send(new MonitorEvent(JobProgress.EVENT, new JobProgress(id, current, total)));
    }

    @Override
    public synchronized void checkpoint() {
        if (cancelled) {
            throw new CancellationException(CANCELED);
        }
        if (pauseCount > 0) {
            JobStatus before = status;
            transition(before == JobStatus.READY ? JobStatus.STANDBY : JobStatus.PAUSED);
            try {
                while (pauseCount > 0 && !cancelled) {
                    wait();
                }
            } catch (InterruptedException e) {
                // The platform is stopping: take it as a cancellation.
                Thread.currentThread().interrupt();
                cancelled = true;
            }
            transition(before);
        }
        if (cancelled) {
            throw new CancellationException(CANCELED);
        }
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (this) {
            checkpoint();
            long end = System.nanoTime() + duration.toNanos();
            try {
                for (;;) {
                    long left = end - System.nanoTime();
                    if (left <= 0 || cancelled || pauseCount > 0 || completionRequested) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled = true;
            }
            checkpoint();
        }
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (cancelActions != null) {
                cancelActions.add(action);
                return;
            }
        }
        runCancelActions(List.of(action));
    }

    @Override
    public synchronized void ready() {
        if (status != JobStatus.RUNNING) {
            throw new IllegalStateException("job " + id + " is " + status.wireName() + ", not running");
        }
        transition(JobStatus.READY);
    }

    @Override
    public synchronized boolean completionRequested() {
        return completionRequested;
    }

    // ---- Job -------------------------------------------------------------------------------------

    @Override
    public synchronized JobInfo info() {
        return snapshot();
    }

    private JobInfo snapshot() {
        return new JobInfo(id, type, status, current, total, error);
    }

    @Override
    public CompletionStage<JobInfo> concluded() {
        return concluded.minimalCompletionStage();
    }

    synchronized JobStatus status() {
        return status;
    }

    @Override
    public String toString() {
        return "Job[" + id + ", " + type + "]";
    }
}

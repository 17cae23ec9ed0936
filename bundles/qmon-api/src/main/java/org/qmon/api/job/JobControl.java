package org.qmon.api.job;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running job's link to the job manager, handed to {@link JobDriver#run}. Every method may be called
 * from any thread; the pause points ({@link #checkpoint()}, {@link #sleep}) only from the job's own.
 */
@ProviderType
public interface JobControl {

    /**
     * The job's id.
     *
     * @return the id
     */
    String id();

    /**
     * Sets the progress. Values below zero are taken as zero; a total below the current value is taken
     * as the current value.
     *
     * @param current the work done
     * @param total the work done and to do
     */
    void progress(long current, long total);

    /**
     * Adds to the work done (QEMU's {@code job_progress_update}).
     *
     * @param done the units just finished, at least 0
     */
    void advance(long done);

    /**
     * A pause point (QEMU's {@code job_pause_point}): while the job is paused it waits here (its status
     * {@code paused}, or {@code standby} when it was {@code ready}) until it is resumed or cancelled.
     *
     * @throws java.util.concurrent.CancellationException when the job has been cancelled; let it
     *         propagate out of {@link JobDriver#run}
     */
    void checkpoint();

    /**
     * Waits, as a pause point (QEMU's {@code job_sleep_ns}): returns after the duration, or earlier when
     * the job is paused (then it waits at the pause point as {@link #checkpoint()} does) or a completion
     * has been requested ({@link #completionRequested()}).
     *
     * @param duration how long to wait
     * @throws java.util.concurrent.CancellationException when the job is or becomes cancelled
     */
    void sleep(Duration duration);

    /**
     * Whether the job has been cancelled ({@code job-cancel}, or the platform stopping).
     *
     * @return {@code true} once cancelled
     */
    boolean isCancelled();

    /**
     * Registers an action to run once when the job is cancelled, e.g. to abort a wait on a device. If
     * the job already is, it runs at once on the calling thread. It runs on the cancelling thread and
     * must not block.
     *
     * @param action what to do
     */
    void onCancel(Runnable action);

    /**
     * Announces that the job's work has reached the point where {@code job-complete} may end it (QEMU's
     * {@code job_transition_to_ready}): the status becomes {@code ready}. The driver then goes on until
     * {@link #completionRequested()} and returns.
     *
     * @throws IllegalStateException when the job is not running
     */
    void ready();

    /**
     * Whether {@code job-complete} has been accepted for this (ready) job.
     *
     * @return {@code true} once asked to complete
     */
    boolean completionRequested();
}

package org.qmon.api.job;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The work of one job, written by the command bundle that starts it.
 *
 * <p>{@link #run} is called once (not at all when the job is cancelled before it starts), on a thread
 * of the job manager's own (never a client's, never an I/O thread), and the job lasts as long as it runs: returning ends the job's work successfully, throwing
 * ends it with an error. A driver whose work happens elsewhere (a device's worker, I/O callbacks) waits
 * for it here, and registers {@link JobControl#onCancel} to abort it.
 *
 * <p>Pausing and cancelling are cooperative, as in QEMU: the driver reaches pause points by calling
 * {@link JobControl#checkpoint()} or {@link JobControl#sleep} between units of work; there a paused job
 * waits and a cancelled one stops with {@link java.util.concurrent.CancellationException}.
 */
@ConsumerType
@FunctionalInterface
public interface JobDriver {

    /**
     * Does the work.
     *
     * @param control the job's link to the manager: progress, pause points, cancellation, readiness
     * @throws java.util.concurrent.CancellationException when the job was cancelled (thrown by the
     *         control's pause points; the job then ends with QEMU's {@code Operation canceled})
     * @throws Exception any other failure: the job ends with the exception's message as its
     *         {@code error} (a {@link org.qmon.api.CommandException}'s description)
     */
    void run(JobControl control) throws Exception;
}

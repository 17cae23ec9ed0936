package org.qmon.api.job;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.qmon.api.CommandException;

/**
 * The platform's jobs, as an OSGi service: commands start jobs here and return at once, and the job
 * commands ({@code query-jobs}, {@code job-pause}, ...) act on them. Jobs belong to the platform, not to
 * the session that started them: they outlive their client and any client may act on them.
 *
 * <p>Every method that acts on a job answers QEMU's errors: {@code Job not found} for an unknown id;
 * {@code Job '<id>' in state '<status>' cannot accept command verb '<verb>'} for a verb its state does
 * not allow (QEMU's {@code JobVerbTable}). The status changes a verb causes are announced
 * ({@code JOB_STATUS_CHANGE}) before the method returns.
 */
@ProviderType
public interface JobManager {

    /**
     * Creates a job and starts it: it is {@code created}, then {@code running}, and its driver runs on
     * a thread of the manager's.
     *
     * @param spec the id, type and finalize/dismiss behaviour
     * @param driver the work
     * @return the job
     * @throws CommandException QEMU's {@code An explicit job ID is required}, {@code Invalid job ID
     *         '<id>'}, {@code Job ID '<id>' already in use}, or qmon's limit on the number of jobs
     */
    Job start(JobSpec spec, JobDriver driver) throws CommandException;

    /**
     * Every job that exists (not yet {@code null}), the most recently created first, as QEMU lists them.
     *
     * @return snapshots
     */
    List<JobInfo> jobs();

    /**
     * One job.
     *
     * @param id the id
     * @return its snapshot, if it exists
     */
    Optional<JobInfo> job(String id);

    /**
     * {@code job-pause}: asks the job to pause at its next pause point.
     *
     * @param id the id
     * @throws CommandException not found, verb not allowed, or {@code Job is already paused}
     */
    void pause(String id) throws CommandException;

    /**
     * {@code job-resume}: resumes a job paused with {@link #pause}.
     *
     * @param id the id
     * @throws CommandException not found, {@code Can't resume a job that was not paused}, or verb not allowed
     */
    void resume(String id) throws CommandException;

    /**
     * {@code job-cancel}: cancels the job; it ends with the error {@code Operation canceled}.
     *
     * @param id the id
     * @throws CommandException not found, or verb not allowed
     */
    void cancel(String id) throws CommandException;

    /**
     * {@code job-complete}: asks a ready job to finish.
     *
     * @param id the id
     * @throws CommandException not found, verb not allowed (QEMU 7.2 accepts it on {@code ready} and
     *         {@code standby}), or {@code The active block job '<id>' cannot be completed} once cancelled
     */
    void complete(String id) throws CommandException;

    /**
     * {@code job-finalize} (not named {@code finalize}, which {@link Object} has): finalizes a {@code pending} job (one started without auto-finalize).
     *
     * @param id the id
     * @throws CommandException not found, or verb not allowed
     */
    void finalizeJob(String id) throws CommandException;

    /**
     * {@code job-dismiss}: removes a {@code concluded} job (one started without auto-dismiss).
     *
     * @param id the id
     * @throws CommandException not found, or verb not allowed
     */
    void dismiss(String id) throws CommandException;
}

package org.qmon.api.job;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A job the {@link JobManager} runs, as returned to the code that started it.
 */
@ProviderType
public interface Job {

    /**
     * The job's id.
     *
     * @return the id
     */
    String id();

    /**
     * A snapshot of the job now.
     *
     * @return its current information
     */
    JobInfo info();

    /**
     * Completes when the job reaches {@code concluded}, with its information at that moment (its
     * {@code error} present when it failed or was cancelled). Callbacks must not block.
     *
     * @return the stage
     */
    CompletionStage<JobInfo> concluded();
}

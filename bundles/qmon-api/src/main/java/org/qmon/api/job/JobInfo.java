package org.qmon.api.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code JobInfo}, one element of {@code query-jobs}: a snapshot of a job.
 *
 * <p>Progress is in units the job chooses (frames, bytes); only the ratio of {@code current-progress}
 * to {@code total-progress} means something, and the total may grow while the job runs.
 *
 * @param id the job's id
 * @param type the kind of job, e.g. {@code screendump-series}
 * @param status where it is in its life
 * @param currentProgress the work done, sent as {@code current-progress}
 * @param totalProgress the work done and to do, sent as {@code total-progress}
 * @param error present when the job failed or was cancelled: why (QEMU's {@code Operation canceled}
 *        for a cancelled job); absent while it runs and when it succeeded
 */
public record JobInfo(String id, String type, JobStatus status,
        @JsonProperty("current-progress") long currentProgress,
        @JsonProperty("total-progress") long totalProgress,
        // On the component, not the record: the schema then marks only 'error' optional (QEMU's '*error').
        @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
}

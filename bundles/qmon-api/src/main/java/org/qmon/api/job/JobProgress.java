package org.qmon.api.job;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The data of qmon's {@code JOB_PROGRESS} event (QEMU has none: its clients poll {@code query-jobs}).
 * A running job's progress is announced at most every {@link #INTERVAL_MILLIS} ms while it changes,
 * and once more with its final values when its work ends, before the status leaves {@code running}.
 * QMP clients ignore events they do not know, so clients written for QEMU are not disturbed.
 *
 * @param id the job's id
 * @param currentProgress the work done, sent as {@code current-progress}
 * @param totalProgress the work done and to do, sent as {@code total-progress}
 */
public record JobProgress(String id, @JsonProperty("current-progress") long currentProgress,
        @JsonProperty("total-progress") long totalProgress) {

    /** The event's name. */
    public static final String EVENT = "JOB_PROGRESS";

    /** The shortest time between two progress events of one job, in milliseconds. */
    public static final long INTERVAL_MILLIS = 250;
}

package org.qmon.api.job;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code JobStatus}: where a job is in its life. The wire name of each constant is its lower
 * case name ({@link #wireName()}).
 */
public enum JobStatus {
    /** Erroneous, default state; never visible. */
    @JsonProperty("undefined") UNDEFINED,
    /** Created, not started yet. */
    @JsonProperty("created") CREATED,
    /** Doing its work. */
    @JsonProperty("running") RUNNING,
    /** Paused by a user ({@code job-pause}) at one of its pause points. */
    @JsonProperty("paused") PAUSED,
    /** Its work is in a state where {@code job-complete} may end it. */
    @JsonProperty("ready") READY,
    /** A ready job, paused. */
    @JsonProperty("standby") STANDBY,
    /** Its work is done; waiting for the other jobs of its transaction (passed at once here). */
    @JsonProperty("waiting") WAITING,
    /** Done and waiting to be finalized ({@code job-finalize}, or at once with auto-finalize). */
    @JsonProperty("pending") PENDING,
    /** Failing or being cancelled: cleaning up. */
    @JsonProperty("aborting") ABORTING,
    /** Ended, successfully or not; waiting to be dismissed ({@code job-dismiss}, or at once with auto-dismiss). */
    @JsonProperty("concluded") CONCLUDED,
    /** Gone: the job no longer exists. */
    @JsonProperty("null") NULL;

    /**
     * The name QMP uses, e.g. {@code running}.
     *
     * @return the lower case name
     */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

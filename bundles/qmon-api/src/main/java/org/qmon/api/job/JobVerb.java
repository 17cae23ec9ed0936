package org.qmon.api.job;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU 7.2's {@code JobVerb}: what a user may ask of a job, each allowed only in some states. The wire
 * name of each constant is its lower case name with {@code -} for {@code _} ({@link #wireName()}).
 */
public enum JobVerb {
    /** {@code job-cancel}. */
    @JsonProperty("cancel") CANCEL,
    /** {@code job-pause}. */
    @JsonProperty("pause") PAUSE,
    /** {@code job-resume}. */
    @JsonProperty("resume") RESUME,
    /** Changing the speed limit (QEMU's {@code block-job-set-speed}); no qmon command uses it yet. */
    @JsonProperty("set-speed") SET_SPEED,
    /** {@code job-complete}. */
    @JsonProperty("complete") COMPLETE,
    /** {@code job-dismiss}. */
    @JsonProperty("dismiss") DISMISS,
    /** {@code job-finalize}. */
    @JsonProperty("finalize") FINALIZE;

    /**
     * The name QEMU's error texts use, e.g. {@code set-speed}.
     *
     * @return the wire name
     */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

package org.qmon.api.job;

/**
 * The data of QEMU's {@code JOB_STATUS_CHANGE} event, sent on every change of a job's status, in order.
 *
 * @param id the job's id
 * @param status its new status
 */
public record JobStatusChange(String id, JobStatus status) {

    /** The event's name. */
    public static final String EVENT = "JOB_STATUS_CHANGE";
}

package org.qmon.api.job;

import java.util.Objects;

/**
 * What a command asks of the {@link JobManager} when it starts a job.
 *
 * @param id the job's id, as the client chose it (QEMU's {@code job-id}); {@code null} is refused with
 *        QEMU's {@code An explicit job ID is required}
 * @param type the kind of job, shown as {@code type} in {@code query-jobs}, e.g. {@code screendump-series}
 * @param autoFinalize {@code true} (QEMU's default) to finalize at once when the work is done;
 *        {@code false} to wait in {@code pending} for {@code job-finalize}
 * @param autoDismiss {@code true} (QEMU's default) to disappear once concluded; {@code false} to stay in
 *        {@code concluded}, with its error if any, until {@code job-dismiss}
 */
public record JobSpec(String id, String type, boolean autoFinalize, boolean autoDismiss) {

    /**
     * Checks the type.
     *
     * @param id the id
     * @param type the type
     * @param autoFinalize auto-finalize
     * @param autoDismiss auto-dismiss
     */
    public JobSpec {
        Objects.requireNonNull(type, "type");
    }

    /**
     * A job with QEMU's defaults: auto-finalize and auto-dismiss.
     *
     * @param id the id
     * @param type the type
     * @return the spec
     */
    public static JobSpec of(String id, String type) {
        return new JobSpec(id, type, true, true);
    }
}

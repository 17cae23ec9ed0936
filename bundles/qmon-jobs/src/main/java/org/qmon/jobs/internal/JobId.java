package org.qmon.jobs.internal;

/**
 * The arguments of every {@code job-*} command (QEMU's {@code {'id': 'str'}}).
 *
 * @param id the job's identifier
 */
public record JobId(String id) {
}

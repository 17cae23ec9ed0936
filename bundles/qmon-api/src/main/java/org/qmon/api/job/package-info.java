/**
 * Long-running work as QEMU's jobs: a command starts a {@link org.qmon.api.job.Job} through the
 * {@link org.qmon.api.job.JobManager} service and returns at once; the job runs on its own thread,
 * reports progress, can be paused, resumed, cancelled, completed, finalized and dismissed by any client
 * ({@code query-jobs}, {@code job-pause}, ...), outlives the client that started it, and announces
 * every change of its status with the {@code JOB_STATUS_CHANGE} event, in order.
 *
 * <p>The states, verbs and texts are QEMU's ({@code qapi/job.json}, {@code job.c}). A job does its
 * work in {@link org.qmon.api.job.JobDriver#run}, on a thread the manager gives it, and talks to the
 * manager through its {@link org.qmon.api.job.JobControl}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.qmon.api.job;

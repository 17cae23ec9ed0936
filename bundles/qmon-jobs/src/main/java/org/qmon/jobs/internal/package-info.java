/**
 * The job manager and the job commands. Not exported.
 */
package org.qmon.jobs.internal;

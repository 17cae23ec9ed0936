package org.qmon.jobs.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.job.JobManager;

/**
 * {@code job-resume}: resume a paused job (QEMU's {@code job-qmp.c}: {@code Job not found} for an unknown id, the verb table's
 * error for a state that refuses it).
 */
@Component(service = Command.class)
@QmpCommand(name = "job-resume", description = "resume a paused job")
public final class JobResume implements Command<JobId, Void> {

    private final JobManager jobs;

    /**
     * Creates the command.
     *
     * @param jobs the job manager
     */
    @Activate
    public JobResume(@Reference JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public Void execute(JobId arguments, CommandContext context) throws CommandException {
        jobs.resume(arguments.id());
        return null;
    }
}

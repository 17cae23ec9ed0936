package org.qmon.jobs.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.job.JobInfo;
import org.qmon.api.job.JobManager;

/**
 * {@code query-jobs}: every job, the most recently created first, as QEMU's {@code JobInfo}.
 */
@Component(service = Command.class)
@QmpCommand(name = "query-jobs", description = "list the jobs: id, type, status, progress, error")
public final class QueryJobs implements Command<NoArguments, List<JobInfo>> {

    private final JobManager jobs;

    /**
     * Creates the command.
     *
     * @param jobs the job manager
     */
    @Activate
    public QueryJobs(@Reference JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public List<JobInfo> execute(NoArguments arguments, CommandContext context) {
        return jobs.jobs();
    }
}

package org.qmon.jobs.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.CommandException;
import org.qmon.api.job.JobManager;

/**
 * The Gogo view of jobs: {@code qmon:jobs} lists them with their progress ({@link JobsText}), and
 * {@code qmon:jobs cancel ID} cancels one, straight through the job manager.
 */
@Component(service = JobsShell.class)
@GogoCommand(scope = "qmon", function = "jobs")
public final class JobsShell {

    private final JobManager jobs;

    /**
     * Creates the shell command.
     *
     * @param jobs the job manager
     */
    @Activate
    public JobsShell(@Reference JobManager jobs) {
        this.jobs = jobs;
    }

    /**
     * Lists every job.
     *
     * @return one line per job, or {@code No active jobs}
     */
    public String jobs() {
        return JobsText.of(jobs.jobs());
    }

    /**
     * Acts on one job.
     *
     * @param verb {@code cancel}, {@code pause}, {@code resume}, {@code complete}, {@code finalize} or
     *        {@code dismiss}
     * @param id the job's id
     * @return what happened, or the error's text
     */
    public String jobs(String verb, String id) {
        try {
            switch (verb) {
                case "cancel" -> jobs.cancel(id);
                case "pause" -> jobs.pause(id);
                case "resume" -> jobs.resume(id);
                case "complete" -> jobs.complete(id);
                case "finalize" -> jobs.finalizeJob(id);
                case "dismiss" -> jobs.dismiss(id);
                default -> {
                    return "unknown verb '" + verb + "': cancel, pause, resume, complete, finalize or dismiss";
                }
            }
        } catch (CommandException e) {
            return "Error: " + e.description();
        }
        return JobsText.of(jobs.job(id).stream().toList());
    }
}

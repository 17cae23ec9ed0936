package org.qmon.jobs.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.qmon.api.CommandException;
import org.qmon.api.event.EventType;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.job.Job;
import org.qmon.api.job.JobDriver;
import org.qmon.api.job.JobInfo;
import org.qmon.api.job.JobManager;
import org.qmon.api.job.JobProgress;
import org.qmon.api.job.JobSpec;
import org.qmon.api.job.JobStatusChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job manager: the platform's jobs by id, each run on a thread of its own from a pool that lives
 * as long as this component. Jobs belong to no session, so they outlive the client that started them.
 *
 * <p>Locking: {@link #jobs} is guarded by itself (id checks, the limit, insertion and removal); a job's
 * own state by the job ({@link JobImpl}). The manager never holds {@link #jobs} while it calls into a
 * job, so the two locks are never nested that way round.
 *
 * <p>Limits: at most {@code max.jobs} jobs exist at once (running, pending or concluded and not yet
 * dismissed), so threads and memory are bounded; a job started beyond that is refused with an error.
 * When the component stops, every job is cancelled and its thread is given {@value #STOP_WAIT_SECONDS}
 * s to end, then interrupted.
 */
@Component(service = JobManager.class, configurationPid = JobManagerImpl.PID)
@Designate(ocd = JobManagerImpl.Config.class)
public final class JobManagerImpl implements JobManager {

    static final String PID = "org.qmon.jobs";

    /** How long a stop waits for the jobs' threads to end after cancelling them. */
    static final long STOP_WAIT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(JobManagerImpl.class);

    /** Configuration (Configuration Admin PID {@value #PID}). */
    @ObjectClassDefinition(name = "qmon jobs", description = "Long-running jobs (QEMU's job model).")
    public @interface Config {
        /** @return how many jobs may exist at once */
        @AttributeDefinition(name = "Maximum jobs",
                description = "How many jobs may exist at once (running, pending or concluded and not yet dismissed); "
                        + "a job started beyond that is refused.", min = "1")
        int max_jobs() default DEFAULT_MAX_JOBS;
    }

    /** The default of {@code max.jobs}. */
    static final int DEFAULT_MAX_JOBS = 64;

    /** Existing jobs by id, in creation order. Guarded by itself. */
    private final Map<String, JobImpl> jobs = new LinkedHashMap<>();
    private final ExecutorService threads;
    private final Consumer<MonitorEvent> events;
    private volatile int maxJobs = DEFAULT_MAX_JOBS;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    /**
     * The component: events go to EventAdmin synchronously ({@code sendEvent}), so that each job's
     * events keep their order and those a command causes precede its reply.
     *
     * @param eventAdmin where events go
     */
    @Activate
    public JobManagerImpl(@Reference EventAdmin eventAdmin) {
        this(e -> eventAdmin.sendEvent(e.toOsgiEvent()));
    }

    /**
     * A manager that hands its events to a sink (tests, in-process use).
     *
     * @param events receives every event, on the thread that caused it, in order per job
     */
    JobManagerImpl(Consumer<MonitorEvent> events) {
        this.events = events;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "qmon-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Activate
    void activate(BundleContext context, Config config) {
        modified(config);
        registrations.add(context.registerService(EventType.class,
                new EventType(JobStatusChange.EVENT, JobStatusChange.class), null));
        registrations.add(context.registerService(EventType.class, new EventType(JobProgress.EVENT, JobProgress.class), null));
        LOG.info("Activated (at most {} jobs).", maxJobs);
    }

    @Modified
    void modified(Config config) {
        maxJobs = Math.max(1, config.max_jobs());
    }

    @Deactivate
    void deactivate() {
        close();
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle already
            }
        }
        LOG.info("Deactivated.");
    }

    /** Cancels every job and stops the threads, waiting a bounded time. */
    void close() {
        List<JobImpl> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        for (JobImpl j : all) {
            j.forceCancel();
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Jobs still running {} s after they were cancelled; interrupting them", STOP_WAIT_SECONDS);
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    void send(MonitorEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            LOG.warn("Could not send {}", e.name(), ex);
        }
    }

    /** A job reached {@code null}. */
    void removed(JobImpl job) {
        synchronized (jobs) {
            jobs.remove(job.id(), job);
        }
    }

    // ---- JobManager ------------------------------------------------------------------------------

    @Override
    public Job start(JobSpec spec, JobDriver driver) throws CommandException {
        String id = spec.id();
        if (id == null) {
            throw CommandException.generic("An explicit job ID is required");
        }
        if (!JobStateMachine.wellFormed(id)) {
            throw CommandException.generic("Invalid job ID '" + id + "'");
        }
        JobImpl job = new JobImpl(this, spec, driver);
        synchronized (jobs) {
            if (jobs.containsKey(id)) {
                throw CommandException.generic("Job ID '" + id + "' already in use");
            }
            if (jobs.size() >= maxJobs) {
                throw CommandException.generic("Too many jobs: at most " + maxJobs + " may exist at once");
            }
            jobs.put(id, job);
        }
        job.create();
        if (job.begin()) {
            try {
                threads.execute(job::work);
            } catch (RejectedExecutionException e) {
                // Stopping: the job never runs.
                job.forceCancel();
                throw CommandException.generic("The job manager is stopping");
            }
        }
        LOG.debug("Started {}", job);
        return job;
    }

    @Override
    public List<JobInfo> jobs() {
        List<JobImpl> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        List<JobInfo> out = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(all.get(i).info()); // newest first, as QEMU lists them
        }
        return out;
    }

    @Override
    public Optional<JobInfo> job(String id) {
        JobImpl j;
        synchronized (jobs) {
            j = jobs.get(id);
        }
        return j == null ? Optional.empty() : Optional.of(j.info());
    }

    private JobImpl find(String id) throws CommandException {
        JobImpl j;
        synchronized (jobs) {
            j = jobs.get(id);
        }
        if (j == null) {
            throw CommandException.generic("Job not found");
        }
        return j;
    }

    @Override
    public void pause(String id) throws CommandException {
        find(id).pause();
    }

    @Override
    public void resume(String id) throws CommandException {
        find(id).resume();
    }

    @Override
    public void cancel(String id) throws CommandException {
        find(id).cancel();
    }

    @Override
    public void complete(String id) throws CommandException {
        find(id).complete();
    }

    @Override
    public void finalizeJob(String id) throws CommandException {
        find(id).finalizeJob();
    }

    @Override
    public void dismiss(String id) throws CommandException {
        find(id).dismiss();
    }

    /** Jobs that exist now, for tests and leak checks. */
    int size() {
        synchronized (jobs) {
            return jobs.size();
        }
    }
}

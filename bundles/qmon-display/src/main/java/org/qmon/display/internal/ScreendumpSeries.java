package org.qmon.display.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.device.Device;
import org.qmon.api.device.Display;
import org.qmon.api.device.Frame;
import org.qmon.api.device.FrameListener;
import org.qmon.api.device.FrameRequest;
import org.qmon.api.job.JobControl;
import org.qmon.api.job.JobDriver;
import org.qmon.api.job.JobManager;
import org.qmon.api.job.JobSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code screendump-series} (qmon's): a job that saves {@code count} frames of a display into a
 * folder, one every {@code interval-ms}, as {@code frame-00001.ppm}, {@code frame-00002.ppm}, ... (or
 * {@code .png}). The command checks its arguments, creates the folder and starts the job, and answers
 * at once; the job runs on its own thread, reports one unit of progress per frame, and can be watched
 * with {@code query-jobs}, paused, resumed and cancelled by any client, long after the one that
 * started it has gone.
 *
 * <p>Each frame is the display's next one ({@link Display#nextFrame}); the job's thread waits for it
 * (a cancellation withdraws the request from the display) and writes it with the same writer as
 * {@code screendump} (a temporary file, then a rename). The interval is a pause point, so a pause takes
 * effect between two frames at once. A display removed while the job runs fails it with the display's
 * reason.
 *
 * <p>Limits: {@code count} 1 to {@value #MAX_COUNT}; {@code interval-ms} 0 (every next frame) to
 * {@value #MAX_INTERVAL_MS}.
 */
@Component(service = Command.class)
@QmpCommand(name = "screendump-series",
        description = "start a job that saves 'count' frames of a display into a folder, one every 'interval-ms'")
public final class ScreendumpSeries implements Command<ScreendumpSeries.Arguments, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ScreendumpSeries.class);

    /** The job type {@code query-jobs} shows. */
    static final String TYPE = "screendump-series";
    /** The most frames one job may write. */
    static final long MAX_COUNT = 10_000;
    /** The longest interval, in milliseconds (one hour). */
    static final long MAX_INTERVAL_MS = 3_600_000;

    /**
     * The arguments.
     *
     * @param jobId the job's id (QEMU's {@code job-id})
     * @param directory the folder to write into, created when missing (relative to qmon's working directory)
     * @param count how many frames
     * @param intervalMs milliseconds between two frames; 1000 when absent, 0 for every next frame
     * @param format {@code ppm} (default) or {@code png}
     * @param device the display's device id; console 0 when absent
     * @param head the display's head, only with {@code device}
     * @param autoFinalize QEMU's {@code auto-finalize}, default true
     * @param autoDismiss QEMU's {@code auto-dismiss}, default true
     */
    public record Arguments(@JsonProperty("job-id") String jobId, String directory, long count,
            @JsonProperty("interval-ms") Optional<Long> intervalMs, Optional<ImageFormat> format,
            Optional<String> device, Optional<Long> head,
            @JsonProperty("auto-finalize") Optional<Boolean> autoFinalize,
            @JsonProperty("auto-dismiss") Optional<Boolean> autoDismiss) {

        /**
         * Checks what the schema cannot say.
         *
         * @param jobId the id
         * @param directory the folder
         * @param count the frames
         * @param intervalMs the interval
         * @param format the format
         * @param device the device
         * @param head the head
         * @param autoFinalize auto-finalize
         * @param autoDismiss auto-dismiss
         * @throws IllegalArgumentException for values out of range
         */
        public Arguments {
            if (head.isPresent() && device.isEmpty()) {
                throw new IllegalArgumentException("'head' must be specified together with 'device'");
            }
            if (count < 1 || count > MAX_COUNT) {
                throw new IllegalArgumentException("'count' must be between 1 and " + MAX_COUNT);
            }
            if (intervalMs.isPresent() && (intervalMs.get() < 0 || intervalMs.get() > MAX_INTERVAL_MS)) {
                throw new IllegalArgumentException("'interval-ms' must be between 0 and " + MAX_INTERVAL_MS);
            }
        }
    }

    private final JobManager jobs;
    private final BundleContext context;

    /**
     * Creates the command. Devices are looked up when it is called, not tracked: a series is rare, and
     * a device that leaves then costs this component nothing.
     *
     * @param jobs the job manager that runs the series
     * @param context this bundle's context, to look devices up
     */
    @Activate
    public ScreendumpSeries(@Reference JobManager jobs, BundleContext context) {
        this.jobs = jobs;
        this.context = context;
    }

    @Override
    public Void execute(Arguments a, CommandContext ctx) throws CommandException {
        List<ServiceReference<Device>> refs = devices();
        ServiceReference<Device> chosen = null;
        Display display = null;
        int head = 0;
        for (ServiceReference<Device> ref : refs) {
            Device device = context.getService(ref);
            if (device == null) {
                continue; // left meanwhile
            }
            boolean match;
            if (a.device().isPresent()) {
                match = device.id().equals(a.device().get());
                if (match) {
                    long h = a.head().orElse(0L);
                    if (!(device instanceof Display d) || h < 0 || h >= d.heads()) {
                        context.ungetService(ref);
                        throw CommandException.generic("Device " + device.id() + " (head " + h
                                + ") is not bound to a QemuConsole");
                    }
                    head = (int) h;
                }
            } else {
                match = device instanceof Display;
            }
            if (match) {
                chosen = ref;
                display = (Display) device;
                break;
            }
            context.ungetService(ref);
        }
        if (display == null) {
            throw a.device().isPresent() ? CommandException.deviceNotFound(a.device().get())
                    : CommandException.generic("There is no console to take a screendump from");
        }
        ServiceReference<Device> held = chosen;
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                try {
                    context.ungetService(held);
                } catch (IllegalStateException e) {
                    // this bundle is stopping: its services are released anyway
                }
            }
        };
        Path dir = null;
        Path created = null;
        try {
            dir = absolute(a.directory());
            created = firstMissing(dir);
            directory(a.directory(), dir);
            ImageFormat format = a.format().orElse(ImageFormat.PPM);
            Series series = new Series(display, head, dir, a.count(),
                    Duration.ofMillis(a.intervalMs().orElse(1000L)), format, release);
            jobs.start(new JobSpec(a.jobId(), TYPE, a.autoFinalize().orElse(true), a.autoDismiss().orElse(true)), series)
                    .concluded().thenRun(release); // also when it is cancelled before its driver ran
        } catch (CommandException | RuntimeException e) {
            release.run();
            removeCreated(dir, created); // a refused start (bad id, id in use, too many jobs) leaves nothing
            throw e;
        }
        return null;
    }

    /** The highest ancestor of {@code dir} (or itself) that does not exist yet, or {@code null}. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /** Removes the directories this call created, from {@code dir} up to {@code created}, while empty. */
    private static void removeCreated(Path dir, Path created) {
        if (dir == null || created == null) {
            return;
        }
        for (Path p = dir; p != null && p.startsWith(created); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty (something else wrote there meanwhile) or not ours to remove
            }
        }
    }

    /** Every device service now, the first registered first (QEMU's console 0 is the first display). */
    private List<ServiceReference<Device>> devices() {
        try {
            List<ServiceReference<Device>> refs = new ArrayList<>(context.getServiceReferences(Device.class, null));
            refs.sort(Comparator.comparingLong(r -> (Long) r.getProperty(Constants.SERVICE_ID)));
            return refs;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // no filter: cannot happen
        }
    }

    /** The folder's absolute path. */
    private static Path absolute(String name) throws CommandException {
        try {
            return Path.of(name.isEmpty() ? "." : name).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw CommandException.generic("failed to create directory '" + name + "': Invalid argument");
        }
    }

    /** Creates the folder when missing. */
    private static void directory(String name, Path dir) throws CommandException {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // Something that is no directory is in the way (mkdir(2)'s EEXIST).
            throw CommandException.generic("failed to create directory '" + name + "': File exists");
        } catch (IOException e) {
            throw CommandException.generic("failed to create directory '" + name + "': " + ImageWriter.reason(e));
        }
        if (!Files.isWritable(dir)) {
            throw CommandException.generic("failed to create directory '" + name + "': Permission denied");
        }
    }

    /** The job: one frame at a time on the job's thread. */
    static final class Series implements JobDriver {
        private final Display display;
        private final int head;
        private final Path dir;
        private final long count;
        private final Duration interval;
        private final ImageFormat format;
        /** Releases the display service when the job ends. */
        private final Runnable release;
        private final ImageWriter writer = new ImageWriter();
        /** The frame request now pending, for the cancel action to withdraw. */
        private final AtomicReference<FrameRequest> pending = new AtomicReference<>();
        private final AtomicReference<CompletableFuture<Frame>> waiting = new AtomicReference<>();

        Series(Display display, int head, Path dir, long count, Duration interval, ImageFormat format,
                Runnable release) {
            this.release = release;
            this.display = display;
            this.head = head;
            this.dir = dir;
            this.count = count;
            this.interval = interval;
            this.format = format;
        }

        @Override
        public void run(JobControl control) throws Exception {
            try {
                series(control);
            } finally {
                release.run();
            }
        }

        private void series(JobControl control) throws Exception {
            control.progress(0, count);
            control.onCancel(() -> {
                FrameRequest r = pending.get();
                if (r != null) {
                    r.cancel();
                }
                CompletableFuture<Frame> f = waiting.get();
                if (f != null) {
                    f.cancel(false);
                }
            });
            String ext = format.name().toLowerCase(Locale.ROOT);
            for (long i = 1; i <= count; i++) {
                control.checkpoint();
                Frame frame = nextFrame(control);
                String file = dir.resolve(String.format(Locale.ROOT, "frame-%05d.%s", i, ext)).toString();
                writer.write(frame, format, file);
                control.advance(1);
                if (i < count && !interval.isZero()) {
                    control.sleep(interval);
                }
            }
            LOG.debug("Series of {} frames written to {}", count, dir);
        }

        private Frame nextFrame(JobControl control) throws Exception {
            CompletableFuture<Frame> f = new CompletableFuture<>();
            waiting.set(f);
            pending.set(display.nextFrame(head, new FrameListener() {
                @Override
                public void frame(Frame frame) {
                    f.complete(frame);
                }

                @Override
                public void unavailable(String reason) {
                    f.completeExceptionally(CommandException.generic(reason));
                }
            }));
            if (control.isCancelled()) {
                f.cancel(false); // cancelled between the check and the request: the action may have missed it
            }
            try {
                return f.get();
            } catch (CancellationException e) {
                pending.get().cancel();
                throw e;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            } finally {
                pending.set(null);
                waiting.set(null);
            }
        }
    }
}

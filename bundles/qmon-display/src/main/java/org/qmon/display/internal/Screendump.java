package org.qmon.display.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.device.Device;
import org.qmon.api.device.Display;
import org.qmon.api.device.Frame;
import org.qmon.api.device.FrameListener;
import org.qmon.api.device.FrameRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code screendump}: saves the next frame of a display as PPM or PNG, as QEMU's coroutine command
 * does, without holding a thread while it waits.
 *
 * <p>The handler only looks the display up and hands the request to it ({@link Display#nextFrame}),
 * then returns: it is declared non-blocking and may run on the I/O thread that read the request. The
 * display's worker renders the next frame at its refresh rate and calls back on its own thread; the
 * file is written there, in place as QEMU writes it, and the request completes (a named pipe or a
 * device is written on a thread of its own: it may wait for a reader). Every
 * screendump waiting at that moment shares the render and the encoding. A request whose client left
 * is withdrawn from the display; one that is being served when its client leaves skips the write.
 *
 * <p>Errors, QEMU's texts: {@code 'head' must be specified together with 'device'};
 * {@code DeviceNotFound} {@code Device '<id>' not found}; {@code Device <id> (head <n>) is not bound
 * to a QemuConsole} for a device that is no display or has no such head; {@code There is no console to
 * take a screendump from} without any display; {@code failed to open file '<name>': <reason>}. A
 * display removed while a request waits answers {@code Display '<id>' was removed before its next
 * frame}.
 *
 * <p>Devices are tracked whiteboard-style in a copy-on-write list sorted by service id, published
 * through a volatile field; the first display is QEMU's console 0.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "screendump", nonBlocking = true,
        description = "save the next frame of a display as a PPM or PNG image")
public final class Screendump implements AsyncCommand<Screendump.Arguments, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(Screendump.class);

    /**
     * QEMU's arguments ({@code qapi/ui.json}).
     *
     * @param filename the file to write, relative to qmon's working directory
     * @param device the device id of the display; console 0 when absent
     * @param head the display's head, only with {@code device}; 0 when absent
     * @param format {@code ppm} (default) or {@code png}
     */
    public record Arguments(String filename, Optional<String> device, Optional<Long> head,
            Optional<ImageFormat> format) {

        /**
         * Checks what the schema cannot say, after the types (QEMU's order).
         *
         * @param filename the file
         * @param device the device id
         * @param head the head
         * @param format the format
         * @throws IllegalArgumentException {@code 'head' must be specified together with 'device'}
         */
        public Arguments {
            if (head.isPresent() && device.isEmpty()) {
                throw new IllegalArgumentException("'head' must be specified together with 'device'");
            }
        }
    }

    private record Tracked(Device device, long serviceId) {
    }

    /** Every device, sorted by service id. Written under {@code this}; read without a lock. */
    private volatile List<Tracked> devices = List.of();
    private final ImageWriter writer = new ImageWriter();
    /** Writes to pipes and devices in progress, each on its own thread: at most this many. */
    static final int MAX_ASIDE = 4;
    /** Permits for {@link #writeAside}. */
    private final Semaphore aside = new Semaphore(MAX_ASIDE);
    /** For the registry look-up on a miss; set once on activation. */
    private volatile BundleContext context;

    @Activate
    void activate(BundleContext bundleContext) {
        this.context = bundleContext;
    }

    /**
     * A device the tracked list does not have yet, from the service registry. A device is in the
     * registry before its service event reaches the components that track it, and those are called one
     * after another: {@code device_add} answers once the device registry has been told, possibly before
     * this component has, so a screendump right after it must still find the device.
     */
    private Device lookUp(java.util.function.Predicate<Device> wanted) {
        BundleContext ctx = context;
        if (ctx == null) {
            return null;
        }
        try {
            List<ServiceReference<Device>> refs = new ArrayList<>(ctx.getServiceReferences(Device.class, null));
            refs.sort(Comparator.comparingLong(r -> (Long) r.getProperty(Constants.SERVICE_ID)));
            for (ServiceReference<Device> r : refs) {
                Device d = ctx.getService(r);
                if (d == null) {
                    continue;
                }
                // Released at once: the device registry holds it too, so it stays active.
                ctx.ungetService(r);
                if (wanted.test(d)) {
                    return d;
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // no filter; or this bundle is stopping
        }
        return null;
    }

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDevice(Device device, ServiceReference<Device> ref) {
        List<Tracked> l = new ArrayList<>(devices);
        l.add(new Tracked(device, (Long) ref.getProperty(Constants.SERVICE_ID)));
        l.sort(Comparator.comparingLong(Tracked::serviceId));
        devices = List.copyOf(l);
    }

    synchronized void unbindDevice(Device device, ServiceReference<Device> ref) {
        long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        List<Tracked> l = new ArrayList<>(devices);
        l.removeIf(t -> t.serviceId() == id);
        devices = List.copyOf(l);
    }

    /**
     * Writes to a named pipe, a device or a socket on a thread of its own: opening a pipe waits for its
     * reader without bound (QEMU's main loop would wait with it), and the display's worker, which
     * serves every screendump of the display, must not. At most {@value #MAX_ASIDE} such writes at
     * once; a thread whose pipe never gets a reader stays until it does.
     */
    private void writeAside(Frame frame, ImageFormat format, Path target, String filename,
            Completion<Void> completion) {
        if (!aside.tryAcquire()) {
            completion.fail(CommandException.generic("failed to open file '" + filename
                    + "': too many screendumps waiting for pipes or devices (at most " + MAX_ASIDE + ")"));
            return;
        }
        Thread t = new Thread(() -> {
            try {
                if (!completion.isCancelled()) {
                    writer.write(frame, format, target, filename);
                    completion.complete(null);
                }
            } catch (CommandException e) {
                completion.fail(e);
            } finally {
                aside.release();
            }
        }, "qmon-screendump-" + target.getFileName());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void execute(Arguments arguments, Completion<Void> completion, CommandContext context)
            throws CommandException {
        Display display = null;
        int head = 0;
        if (arguments.device().isPresent()) {
            String id = arguments.device().get();
            Device device = null;
            for (Tracked t : devices) {
                if (t.device().id().equals(id)) {
                    device = t.device();
                    break;
                }
            }
            if (device == null) {
                device = lookUp(d -> d.id().equals(id));
            }
            if (device == null) {
                throw CommandException.deviceNotFound(id);
            }
            long h = arguments.head().orElse(0L);
            if (!(device instanceof Display d) || h < 0 || h >= d.heads()) {
                throw CommandException.generic("Device " + id + " (head " + h + ") is not bound to a QemuConsole");
            }
            display = d;
            head = (int) h;
        } else {
            for (Tracked t : devices) {
                if (t.device() instanceof Display d) {
                    display = d;
                    break;
                }
            }
            if (display == null) {
                display = (Display) lookUp(Display.class::isInstance);
            }
            if (display == null) {
                throw CommandException.generic("There is no console to take a screendump from");
            }
        }
        ImageFormat format = arguments.format().orElse(ImageFormat.PPM);
        String filename = arguments.filename();
        FrameRequest request = display.nextFrame(head, new FrameListener() {
            @Override
            public void frame(Frame frame) {
                if (completion.isCancelled()) {
                    LOG.debug("screendump {} skipped: its client left", filename);
                    return;
                }
                try {
                    Path target = ImageWriter.target(filename);
                    if (ImageWriter.special(target)) {
                        writeAside(frame, format, target, filename, completion);
                        return;
                    }
                    writer.write(frame, format, target, filename);
                    completion.complete(null);
                } catch (CommandException e) {
                    completion.fail(e);
                }
            }

            @Override
            public void unavailable(String reason) {
                completion.fail(CommandException.generic(reason));
            }
        });
        completion.onCancel(request::cancel);
    }
}

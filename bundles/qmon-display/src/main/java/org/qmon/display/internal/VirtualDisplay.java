package org.qmon.display.internal;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.qmon.api.device.Device;
import org.qmon.api.device.Display;
import org.qmon.api.device.Frame;
import org.qmon.api.device.FrameListener;
import org.qmon.api.device.FrameRequest;
import org.qmon.api.device.MachineState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual display device, one per Configuration Admin factory configuration of
 * {@value #FACTORY_PID} (driver {@value #DRIVER}): a text console of {@code width} x {@code height}
 * pixels (default 720 x 400, QEMU's VGA text screen) drawn by its own {@link DisplayWorker} at most
 * {@code refresh-rate} times per second, and only while a {@code screendump} waits for a frame.
 *
 * <p>A configuration change re-creates the device (Declarative Services deactivates and activates the
 * component: {@code DEVICE_DELETED}, then the device is back); QEMU has no live change of these
 * properties either.
 */
@Component(service = {Device.class, Display.class}, configurationPid = VirtualDisplay.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = VirtualDisplay.Config.class, factory = true)
public final class VirtualDisplay implements Display {

    /** The factory PID of display configurations. */
    public static final String FACTORY_PID = "org.qmon.display";
    /** The driver name, {@code device_add}'s {@code driver}. */
    public static final String DRIVER = "qmon-display";

    static final int MIN_SIZE = 16;
    /** QEMU's VGA maximum; a frame is then 16 MiB of pixels. */
    static final int MAX_WIDTH = 2560;
    static final int MAX_HEIGHT = 1600;
    static final double MIN_RATE = 0.01;
    static final double MAX_RATE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(VirtualDisplay.class);

    /**
     * A display's configuration. Property keys: {@code id}, {@code width}, {@code height},
     * {@code refresh-rate} (Declarative Services maps {@code $_$} in a method name to {@code -}).
     */
    @ObjectClassDefinition(name = "qmon virtual display",
            description = "A virtual display device: a text console that screendump saves as PPM or PNG.")
    public @interface Config {
        /** @return the device id; empty for the configuration's name */
        @AttributeDefinition(name = "Device id", required = false,
                description = "The device id (a letter, then letters, digits, '-', '.', '_'). "
                        + "Empty: the configuration's name.")
        String id() default "";

        /** @return width in pixels */
        @AttributeDefinition(name = "Width", description = "Width in pixels.", min = "16", max = "2560")
        int width() default 720;

        /** @return height in pixels */
        @AttributeDefinition(name = "Height", description = "Height in pixels.", min = "16", max = "1600")
        int height() default 400;

        /** @return frames per second at most */
        @AttributeDefinition(name = "Refresh rate (Hz)",
                description = "Frames per second at most, rendered only while a screendump waits.",
                min = "0.01", max = "1000")
        double refresh$_$rate() default 30;
    }

    private final String id;
    private final int width;
    private final int height;
    private final double refreshRate;
    private final TextConsole console;
    private final DisplayWorker worker;

    /** The run state; absent (no core bundle) means running. Set by DS at any time. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MachineState machine;

    /**
     * Creates the display and starts its worker.
     *
     * @param config the configuration
     * @param properties the component properties (the configuration's PID names the device when it has
     *        no {@code id})
     * @throws IllegalArgumentException when the configuration is unusable (then there is no device;
     *         {@code device_add} checks the same limits first)
     */
    @Activate
    public VirtualDisplay(Config config, Map<String, Object> properties) {
        this.id = Device.idOf(properties).orElseThrow(() -> new IllegalArgumentException(
                "display configuration " + properties.get("service.pid") + " has no well-formed id"));
        this.width = check("width", config.width(), MIN_SIZE, MAX_WIDTH);
        this.height = check("height", config.height(), MIN_SIZE, MAX_HEIGHT);
        double rate = config.refresh$_$rate();
        if (!(rate >= MIN_RATE && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("display " + id + ": refresh-rate must be " + MIN_RATE + ".."
                    + MAX_RATE + ", not " + rate);
        }
        this.refreshRate = rate;
        this.console = new TextConsole(width, height, id, DRIVER, rate);
        this.worker = new DisplayWorker(id, this::render, this::machineRunning, rate);
        LOG.info("Display {} activated ({}x{}, {} Hz).", id, width, height, rate);
    }

    private int check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("display " + id + ": " + name + " must be " + min + ".." + max
                    + ", not " + value);
        }
        return value;
    }

    @Deactivate
    void deactivate() {
        worker.close("Display '" + id + "' was removed before its next frame");
        LOG.info("Display {} deactivated.", id);
    }

    private boolean machineRunning() {
        MachineState m = machine;
        return m == null || m.isRunning();
    }

    private Frame render(long sequence) {
        Instant now = Instant.now();
        return new Frame(width, height, sequence, now, console.draw(sequence, now, machineRunning()));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String driver() {
        return DRIVER;
    }

    /**
     * The configured properties, and two read-only ones: {@code frames} (frames rendered) and
     * {@code pending-frames} (requests waiting for the next frame).
     */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("width", width);
        p.put("height", height);
        p.put("refresh-rate", refreshRate);
        p.put("frames", worker.frames());
        p.put("pending-frames", worker.waiting());
        return Collections.unmodifiableMap(p);
    }

    @Override
    public int heads() {
        return 1;
    }

    @Override
    public FrameRequest nextFrame(int head, FrameListener listener) {
        if (head != 0) {
            throw new IllegalArgumentException("display " + id + " has one head, not head " + head);
        }
        return worker.request(listener);
    }

    @Override
    public String toString() {
        return "VirtualDisplay[" + id + " " + width + "x" + height + "]";
    }
}

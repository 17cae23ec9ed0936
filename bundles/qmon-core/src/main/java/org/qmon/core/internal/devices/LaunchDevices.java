package org.qmon.core.internal.devices;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the devices a launcher asks for in the framework property {@value #PROPERTY} (the
 * distribution's default display, as QEMU gives a machine a VGA console by default), as named factory
 * configurations, so that a device from the command line is the same thing as one from
 * {@code device_add} or a {@code .cfg} file. Named configurations make it idempotent. Without the
 * property it does nothing.
 *
 * <p>Line format, one device per line, fields separated by tabs: the driver's factory PID, the device
 * id (the configuration's name), then {@code key=value} properties (strings; Declarative Services
 * converts them to the driver's types). The launcher writes factory PIDs rather than driver names so
 * that the configuration can be written before the driver bundle has started.
 */
@Component(immediate = true, service = {})
public final class LaunchDevices {

    /** The framework property with one device configuration per line. */
    public static final String PROPERTY = "qmon.launch.devices";

    private static final Logger LOG = LoggerFactory.getLogger(LaunchDevices.class);

    /**
     * Applies the configurations.
     *
     * @param cm Configuration Admin
     * @param context to read the framework property
     * @throws IOException when Configuration Admin cannot store a configuration
     */
    @Activate
    public LaunchDevices(@Reference ConfigurationAdmin cm, BundleContext context) throws IOException {
        String lines = context.getProperty(PROPERTY);
        if (lines == null || lines.isBlank()) {
            return;
        }
        for (String line : lines.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 2) {
                LOG.error("Ignoring malformed launch device line '{}'", line);
                continue;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("id", f[1]);
            for (int i = 2; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq <= 0) {
                    LOG.error("Ignoring malformed property '{}' of launch device {}", f[i], f[1]);
                    continue;
                }
                props.put(f[i].substring(0, eq), f[i].substring(eq + 1));
            }
            Configuration c = cm.getFactoryConfiguration(f[0], f[1], "?");
            Dictionary<String, Object> old = c.getProperties();
            if (old == null || !same(old, props)) {
                c.update(props);
            }
            LOG.info("Device {} configured ({}).", f[1], f[0]);
        }
    }

    private static boolean same(Dictionary<String, Object> old, Hashtable<String, Object> props) {
        for (var e : props.entrySet()) {
            if (!String.valueOf(old.get(e.getKey())).equals(String.valueOf(e.getValue()))) {
                return false;
            }
        }
        return true;
    }
}

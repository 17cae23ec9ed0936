package org.qmon.transport.internal;

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
 * Applies the listener configurations a launcher hands over in the framework property
 * {@value #PROPERTY}, so that the command line and Configuration Admin are one mechanism: the launcher
 * parses its options ({@code -qmp}, {@code -monitor}) and checks them; this component only turns each
 * line into a named factory configuration. Named configurations make it idempotent. Without the
 * property it does nothing (Karaf and other deployments configure listeners directly).
 *
 * <p>Line format: fields separated by tabs: the factory PID, the configuration's name, then
 * {@code key=value} properties. Values are strings; Declarative Services converts them to the
 * configuration's types.
 */
@Component(immediate = true, service = {})
public final class LaunchListeners {

    /** The framework property with one listener configuration per line. */
    public static final String PROPERTY = "qmon.launch.listeners";

    private static final Logger LOG = LoggerFactory.getLogger(LaunchListeners.class);

    /**
     * Applies the configurations.
     *
     * @param cm Configuration Admin
     * @param context to read the framework property
     * @throws IOException when Configuration Admin cannot store a configuration
     */
    @Activate
    public LaunchListeners(@Reference ConfigurationAdmin cm, BundleContext context) throws IOException {
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
                LOG.error("Ignoring malformed launch listener line '{}'", line);
                continue;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            for (int i = 2; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq <= 0) {
                    LOG.error("Ignoring malformed property '{}' of launch listener {}", f[i], f[1]);
                    continue;
                }
                props.put(f[i].substring(0, eq), f[i].substring(eq + 1));
            }
            Configuration c = cm.getFactoryConfiguration(f[0], f[1], "?");
            Dictionary<String, Object> old = c.getProperties();
            if (old == null || !same(old, props)) {
                c.update(props);
            }
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

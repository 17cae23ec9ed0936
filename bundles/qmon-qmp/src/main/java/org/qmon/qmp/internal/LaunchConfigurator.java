package org.qmon.qmp.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns QEMU-style {@code -qmp} options, passed by a launcher as the framework property
 * {@value #PROPERTY} (one per line), into listener factory configurations, so that the command line
 * and Configuration Admin are one mechanism. Named factory configurations make this idempotent.
 * Without the property it does nothing (Karaf and other deployments configure listeners directly).
 */
@Component(immediate = true, service = {})
public final class LaunchConfigurator {

    /** The framework property with one QEMU-style listener spec per line. */
    public static final String PROPERTY = "qmon.qmp";

    private static final Logger LOG = LoggerFactory.getLogger(LaunchConfigurator.class);

    @Activate
    public LaunchConfigurator(@Reference ConfigurationAdmin cm, BundleContext context) throws IOException {
        String specs = context.getProperty(PROPERTY);
        if (specs == null || specs.isBlank()) {
            return;
        }
        for (String spec : specs.split("\n")) {
            if (spec.isBlank()) {
                continue;
            }
            Hashtable<String, Object> props;
            try {
                props = parse(spec.trim());
            } catch (IllegalArgumentException e) {
                LOG.error("Ignoring -qmp {}: {}", spec, e.getMessage());
                continue;
            }
            String name = Integer.toHexString(spec.trim().hashCode());
            Configuration c = cm.getFactoryConfiguration(QmpListener.FACTORY_PID, name, "?");
            Dictionary<String, Object> old = c.getProperties();
            if (old == null || !props.get("spec").equals(old.get("spec"))) {
                c.update(props);
            }
        }
    }

    /**
     * Parses {@code unix:PATH[,opt=val...]} or {@code tcp:HOST:PORT[,opt=val...]}. The options QEMU
     * takes for a monitor socket ({@code server=on}, {@code wait=off}) are accepted; qmon always
     * listens and never waits for a client. qmon adds {@code io-threads=N} (1..64, the listener's I/O
     * threads; default one per two processors, 1 to 4). Other options are refused.
     *
     * @param spec the spec
     * @return listener configuration properties
     * @throws IllegalArgumentException when the spec cannot be used
     */
    static Hashtable<String, Object> parse(String spec) {
        List<String> parts = new ArrayList<>(List.of(spec.split(",")));
        String head = parts.remove(0);
        Integer ioThreads = null;
        for (String opt : parts) {
            String o = opt.trim();
            if (o.startsWith("io-threads=")) {
                try {
                    ioThreads = Integer.parseInt(o.substring("io-threads=".length()));
                } catch (NumberFormatException e) {
                    ioThreads = -1;
                }
                if (ioThreads < 1 || ioThreads > 64) {
                    throw new IllegalArgumentException("io-threads must be 1..64, not '" + o + "'");
                }
                continue;
            }
            if (!(o.equals("server") || o.equals("server=on") || o.equals("wait=off") || o.equals("nowait")
                    || o.equals("server=true") || o.equals("wait=false"))) {
                throw new IllegalArgumentException("unsupported option '" + o + "'");
            }
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("spec", spec);
        if (ioThreads != null) {
            props.put("io_threads", ioThreads);
        }
        if (head.startsWith("unix:")) {
            String path = head.substring(5);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("missing path");
            }
            props.put("path", path);
        } else if (head.startsWith("tcp:")) {
            String hp = head.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected tcp:HOST:PORT");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port '" + hp.substring(colon + 1) + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
            props.put("host", host.isEmpty() ? "127.0.0.1" : host);
            props.put("port", port);
        } else {
            throw new IllegalArgumentException("expected unix:PATH or tcp:HOST:PORT");
        }
        return props;
    }
}

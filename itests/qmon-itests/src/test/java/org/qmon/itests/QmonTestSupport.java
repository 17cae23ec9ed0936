package org.qmon.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.MonitorEndpoint;
import org.qmon.client.QmpClient;

/**
 * What every integration test needs: a real Felix with the packaged qmon bundles, a QMP listener on a
 * fresh unix socket (configured through Configuration Admin, as an operator would), and helpers to
 * register commands at run time and to wait for conditions with a bound.
 */
public abstract class QmonTestSupport {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    private org.osgi.service.cm.Configuration listenerConfig;
    private final java.util.List<ServiceRegistration<?>> registrations = new java.util.ArrayList<>();
    private final java.util.List<QmpClient> clients = new java.util.ArrayList<>();
    protected String address;

    static String bundleUrl(String artifactId) {
        return new File(System.getProperty("qmon.bundles.dir"), artifactId + ".jar").toURI().toString();
    }

    @Configuration
    public Option[] config() {
        return options(
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"),
                systemProperty("qmon.bundles.dir").value(System.getProperty("qmon.bundles.dir")),
                systemProperty("qmon.itest.dir").value(System.getProperty("qmon.itest.dir")),
                mavenBundle("org.slf4j", "slf4j-api").versionAsInProject(),
                mavenBundle("org.slf4j", "slf4j-simple").versionAsInProject().noStart(),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.eventadmin").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.log").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind").versionAsInProject(),
                bundle(bundleUrl("qmon-api")),
                bundle(bundleUrl("qmon-dispatcher")),
                bundle(bundleUrl("qmon-transport")),
                bundle(bundleUrl("qmon-qmp")),
                bundle(bundleUrl("qmon-core")),
                bundle(bundleUrl("qmon-display")),
                bundle(bundleUrl("qmon-jobs")),
                bundle(bundleUrl("qmon-hmp")),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                bundle(bundleUrl("qmon-client")),
                junitBundles());
    }

    /** Configures a QMP listener on a fresh unix socket and waits until it listens. */
    @Before
    public void startListener() throws Exception {
        Path dir = Path.of(System.getProperty("qmon.itest.dir"));
        Files.createDirectories(dir);
        Path sock = dir.resolve("q-" + UUID.randomUUID().toString().substring(0, 8) + ".sock");
        listenerConfig = configurationAdmin.getFactoryConfiguration("org.qmon.qmp.listener",
                sock.getFileName().toString(), "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("path", sock.toString());
        listenerConfig.update(props);
        address = "unix:" + sock.toAbsolutePath();
        String filter = "(&(objectClass=" + MonitorEndpoint.class.getName() + ")(" + MonitorEndpoint.ADDRESS + "="
                + address + "))";
        ServiceTracker<?, ?> t = new ServiceTracker<>(context, context.createFilter(filter), null);
        t.open();
        try {
            if (t.waitForService(WAIT.toMillis()) == null) {
                throw new AssertionError("listener " + address + " did not come up");
            }
        } finally {
            t.close();
        }
    }

    @After
    public void cleanUp() throws Exception {
        for (QmpClient c : clients) {
            c.close();
        }
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with its bundle
            }
        }
        if (listenerConfig != null) {
            listenerConfig.delete();
        }
    }

    /** Connects and negotiates; closed after the test. */
    protected QmpClient connect() throws Exception {
        QmpClient c = QmpClient.connect(address);
        clients.add(c);
        return c;
    }

    /**
     * Connects with one callback thread, so that futures complete in the order their replies arrived
     * on the wire (the default pool may run two completions in either order).
     */
    protected QmpClient connectOrdered() throws Exception {
        java.util.concurrent.ExecutorService callbacks = java.util.concurrent.Executors.newSingleThreadExecutor();
        QmpClient c = QmpClient.connect(address,
                org.qmon.client.QmpClientOptions.builder().callbackExecutor(callbacks).build());
        c.closeFuture().whenComplete((v, e) -> callbacks.shutdown());
        clients.add(c);
        return c;
    }

    /** Registers a command service from the test, with a unique name; unregistered after the test. */
    protected String register(Class<?> type, Object handler, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(QmpCommand.NAME, name);
        registrations.add(context.registerService(type.getName(), handler, props));
        awaitCondition(() -> dispatcherHas(name, true), "command " + name + " registered");
        return name;
    }

    protected boolean dispatcherHas(String name, boolean present) {
        var ref = context.getServiceReference(org.qmon.api.runtime.Dispatcher.class);
        if (ref == null) {
            return false;
        }
        var d = context.getService(ref);
        try {
            return d != null && d.command(name).isPresent() == present;
        } finally {
            context.ungetService(ref);
        }
    }

    /** Waits for a condition, bounded by {@link #WAIT}; no fixed sleeps. */
    protected static void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000L);
        }
    }
}

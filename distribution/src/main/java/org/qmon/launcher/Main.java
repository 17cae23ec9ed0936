package org.qmon.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Boots Apache Felix with every bundle embedded in this jar, and turns QEMU-style options into
 * framework properties the bundles read (see {@link LaunchOptions} for the syntax).
 *
 * <p>Without {@code -qmp}, qmon listens on {@code unix:qmon-qmp.sock} in the working directory and on
 * {@code tcp:127.0.0.1:4444}. The Gogo shell is interactive when there is a console, and off otherwise
 * (a daemon or CI run with stdin at EOF would otherwise stop the framework). {@code -bundle JAR}
 * installs and starts one more bundle after the embedded ones, before the ready line.
 *
 * <p>Fails fast: a malformed option, a listener that cannot bind, a {@code -bundle} that is not an
 * OSGi bundle or does not start is one line naming the option on stderr and exit status 1, as soon as
 * it is known. SIGTERM (or {@code quit} over QMP) stops the framework cleanly; the framework's storage,
 * a temporary directory (see {@link Storage}), is deleted exactly once, by whichever of the two paths
 * gets there first.
 */
public final class Main {

    private static final String ENDPOINT_CLASS = "org.qmon.api.runtime.MonitorEndpoint";
    /** See org.qmon.transport.internal.TransportImpl: a Consumer&lt;String&gt; told about listeners that fail. */
    private static final String FAILURE_LISTENER = "qmon.transport.failures";
    /** How long the launcher waits for its listeners before it gives up (they normally take well under 1 s). */
    private static final long LISTEN_WAIT_SECONDS = 20;
    /** Put on the failure queue when the last listener is up, so that main wakes at once (compared by identity). */
    private static final String LISTENING = new String("listening");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args, Path.of("").toAbsolutePath());
            if (options.help) {
                out.println(LaunchOptions.USAGE);
                out.println("  without -qmp: unix:./qmon-qmp.sock and tcp:127.0.0.1:4444; stop with quit over QMP or SIGTERM");
                System.exit(0);
            }
            options.preflight();
        } catch (LaunchOptions.UsageException e) {
            System.err.println("qmon: " + e.getMessage());
            System.err.println(LaunchOptions.USAGE);
            System.exit(1);
            return;
        }
        Map<String, String> props = new HashMap<>(options.properties);
        Path storageParent = Storage.parent(System.getProperty("java.io.tmpdir"), System.getenv(), Path.of("/dev/shm"));
        Path storage = Storage.create(storageParent, ProcessHandle.current().pid());
        Runnable cleanup = once(() -> Storage.deleteTree(storage));
        props.put("qmon.launch.listeners", String.join("\n",
                options.listeners.stream().map(LaunchOptions.ListenerOption::configurationLine).toList()));
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Configurations kept in memory: the storage is deleted at exit, so writing each one to a file
        // (a temporary file and a rename, and SecureRandom's start-up to name it) bought nothing.
        props.putIfAbsent("felix.cm.pm", "memory");
        if (System.console() == null) {
            props.putIfAbsent("gosh.args", "--nointeractive");
        }
        props.putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        props.putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        props.putIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        // slf4j-simple reads system properties only.
        props.forEach((k, v) -> {
            if (k.startsWith("org.slf4j.")) {
                System.setProperty(k, v);
            }
        });

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(props);
        framework.init();
        BundleContext ctx = framework.getBundleContext();
        CountDownLatch listening = new CountDownLatch(options.listeners.size());
        // Failures of listeners, and LISTENING once the last one is up: main waits on this queue alone.
        LinkedBlockingQueue<String> failures = new LinkedBlockingQueue<>();
        ctx.addServiceListener(event -> {
            if (event.getType() == ServiceEvent.REGISTERED) {
                ServiceReference<?> ref = event.getServiceReference();
                out.println("qmon: " + String.valueOf(ref.getProperty("qmon.endpoint.protocol")).toUpperCase(java.util.Locale.ROOT)
                        + " listening on " + ref.getProperty("qmon.endpoint.address"));
                listening.countDown();
                if (listening.getCount() == 0) {
                    failures.add(LISTENING);
                }
            }
        }, "(objectClass=" + ENDPOINT_CLASS + ")");
        Hashtable<String, Object> failureProps = new Hashtable<>();
        failureProps.put(FAILURE_LISTENER, Boolean.TRUE);
        ctx.registerService(Consumer.class.getName(), (Consumer<String>) failures::add, failureProps);
        List<Bundle> installed = installEmbedded(ctx);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(framework);
            cleanup.run();
        }, "qmon-shutdown"));
        framework.start();
        // One resolver run for every embedded bundle: starting them one by one resolved each on its own,
        // with the uses constraints against the JDK's packages checked again every time.
        framework.adapt(org.osgi.framework.wiring.FrameworkWiring.class).resolveBundles(installed);
        List<Bundle> later = new ArrayList<>();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                if (afterReady(b)) {
                    later.add(b);
                } else {
                    start(b);
                }
            }
        }
        for (Path jar : options.bundles) {
            try {
                Bundle b = ctx.installBundle(jar.toUri().toString());
                b.start();
                out.println("qmon: started " + b.getSymbolicName() + " " + b.getVersion() + " from " + jar);
            } catch (BundleException | RuntimeException e) {
                fail(framework, cleanup, "-bundle " + jar + ": cannot start: " + e.getMessage());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LISTEN_WAIT_SECONDS);
        while (listening.getCount() > 0 && framework.getState() == Bundle.ACTIVE) {
            String failure = failures.poll(20, TimeUnit.MILLISECONDS);
            if (failure != null && failure != LISTENING) {
                fail(framework, cleanup, optionOf(options, failure) + failure.substring(failure.indexOf(": ") + 2));
            }
            if (System.nanoTime() > deadline) {
                fail(framework, cleanup, "not every listener came up within " + LISTEN_WAIT_SECONDS + " s; see the log above");
            }
        }
        long listeningAt = System.currentTimeMillis();
        if (listening.getCount() == 0) {
            // The JVM's start time is read only now: java.lang.management costs 25 ms of class loading,
            // which the listeners need not wait for.
            long t0 = ManagementFactory.getRuntimeMXBean().getStartTime();
            out.println("qmon: ready in " + (listeningAt - t0) + " ms (JVM start to listening)");
        }
        later.forEach(Main::start);
        if (listening.getCount() == 0) {
            // After the listeners: not on the start-up path.
            Storage.removeStale(storageParent, pid -> ProcessHandle.of(pid).isPresent());
            returnIdleMemory();
        }
        framework.waitForStop(0);
        cleanup.run();
        System.exit(0);
    }

    /**
     * Whether a bundle is started after the listeners are up: the Gogo shell, which no listener and no
     * command needs (commands reach Gogo through the whiteboard whenever it comes up). It costs about
     * 50 ms of class loading that a client connecting at once need not wait for; the shell's prompt
     * follows the "ready" line. (Metatype is not one of them: the device registry, and with it
     * {@code qom-list} and {@code device_add}, needs it.)
     */
    private static boolean afterReady(Bundle b) {
        String name = b.getSymbolicName();
        return name != null && name.startsWith("org.apache.felix.gogo.");
    }

    private static void start(Bundle b) {
        try {
            b.start();
        } catch (BundleException e) {
            System.err.println("qmon: cannot start " + b.getSymbolicName() + ": " + e.getMessage());
        }
    }

    /** The option a transport failure belongs to, as a message prefix ("-qmp SPEC: "), or "" if none matches. */
    private static String optionOf(LaunchOptions options, String failure) {
        for (LaunchOptions.ListenerOption l : options.listeners) {
            if (failure.contains("cannot listen on " + l.address() + ":")) {
                return l.option() + " " + l.spec() + ": ";
            }
        }
        return "";
    }

    /** Reports a start-up failure, stops what was started, and exits with status 1. */
    private static void fail(Framework framework, Runnable cleanup, String message) {
        System.err.println("qmon: " + message);
        stop(framework);
        cleanup.run();
        System.exit(1);
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException e) {
            System.err.println("qmon: stopping: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the action the first time only: main and the shutdown hook both clean up, whoever is first.
     * The second caller waits until the first has finished: the JVM halts as soon as the hook returns,
     * so the hook must not return while main is still half way through deleting.
     */
    private static Runnable once(Runnable action) {
        Object lock = new Object();
        boolean[] done = new boolean[1]; // guarded by lock
        return () -> {
            synchronized (lock) {
                if (!done[0]) {
                    done[0] = true;
                    action.run();
                }
            }
        };
    }

    /**
     * Lets G1 collect every 30 s when the monitor is idle and shrink the heap to 30 % free, so that a
     * load burst's heap goes back to the system instead of staying resident until the next burst.
     * Only when the operator did not set these flags, and only on VMs that have them (manageable
     * flags of HotSpot). Collects the start-up's garbage once.
     */
    private static void returnIdleMemory() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            com.sun.management.VMOption o = vm.getVMOption("G1PeriodicGCInterval");
            if (o.getOrigin() == com.sun.management.VMOption.Origin.DEFAULT && "0".equals(o.getValue())
                    && "true".equals(vm.getVMOption("UseG1GC").getValue())) {
                vm.setVMOption("G1PeriodicGCInterval", "30000");
                // Shrink to 30 % free after a collection instead of 70 %: the periodic one then
                // actually gives memory back.
                if (vm.getVMOption("MaxHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.DEFAULT
                        && vm.getVMOption("MinHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.DEFAULT) {
                    vm.setVMOption("MinHeapFreeRatio", "10"); // first: Min may not exceed Max
                    vm.setVMOption("MaxHeapFreeRatio", "30");
                }
                // Start-up leaves about 20 MiB of garbage (bundle jars read, classes parsed, SCR
                // metadata) in a heap sized for it; one collection now hands that back at once
                // instead of after the first periodic one (idle RSS about 100 -> 80 MiB). A pause
                // of a few ms on a 10 MiB live set, once, after "ready".
                System.gc();
            }
        } catch (RuntimeException | LinkageError e) {
            // Another VM or collector: leave its defaults alone.
        }
    }

    /** Installs every bundles/*.jar entry of this jar (or of the classes directory when run from an IDE). */
    private static List<Bundle> installEmbedded(BundleContext ctx) throws IOException, BundleException, URISyntaxException {
        Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Bundle> out = new ArrayList<>();
        if (Files.isDirectory(self)) {
            try (Stream<Path> s = Files.list(self.resolve("bundles"))) {
                for (Path p : s.sorted().toList()) {
                    try (InputStream in = Files.newInputStream(p)) {
                        out.add(ctx.installBundle("embedded:" + p.getFileName(), in));
                    }
                }
            }
            return out;
        }
        try (JarFile jar = new JarFile(self.toFile())) {
            List<JarEntry> entries = jar.stream()
                    .filter(e -> e.getName().startsWith("bundles/") && e.getName().endsWith(".jar"))
                    .sorted(Comparator.comparing(JarEntry::getName)).toList();
            for (JarEntry e : entries) {
                try (InputStream in = jar.getInputStream(e)) {
                    out.add(ctx.installBundle("embedded:" + e.getName().substring("bundles/".length()), in));
                }
            }
        }
        return out;
    }
}

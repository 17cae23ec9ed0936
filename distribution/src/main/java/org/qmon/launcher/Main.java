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
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Boots Apache Felix with every bundle embedded in this jar, and turns QEMU-style options into
 * framework properties the bundles read:
 *
 * <pre>
 * java -jar qmon.jar [-qmp unix:PATH,server=on,wait=off]... [-qmp tcp:HOST:PORT,server=on,wait=off]...
 *                    [-name NAME] [-D key=value]... [-bundle JAR]...
 * </pre>
 *
 * Without {@code -qmp}, qmon listens on {@code unix:qmon-qmp.sock} in the working directory and on
 * {@code tcp:127.0.0.1:4444}. The Gogo shell is interactive when there is a console, and off
 * otherwise (a daemon or CI run with stdin at EOF would otherwise stop the framework).
 * {@code -bundle JAR} installs and starts one more bundle (a command bundle of the user's, or the
 * benchmark's) after the embedded ones, before the ready line; a bundle that does not install or start
 * is a clear error and exit status 1.
 */
public final class Main {

    private static final String ENDPOINT_CLASS = "org.qmon.api.runtime.MonitorEndpoint";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = ManagementFactory.getRuntimeMXBean().getStartTime();
        PrintStream out = System.out;
        List<String> qmp = new ArrayList<>();
        List<Path> extra = new ArrayList<>();
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-qmp", "--qmp" -> qmp.add(value(args, ++i, a));
                case "-name", "--name" -> props.put("qmon.name", value(args, ++i, a));
                case "-bundle", "--bundle" -> {
                    Path jar = Path.of(value(args, ++i, a)).toAbsolutePath();
                    if (!Files.isRegularFile(jar)) {
                        usage("-bundle: no such file '" + jar + "'");
                    }
                    extra.add(jar);
                }
                case "-D" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        usage("-D expects key=value");
                    }
                    props.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "-h", "-help", "--help" -> {
                    usage(null);
                }
                default -> usage("unknown option '" + a + "'");
            }
        }
        if (qmp.isEmpty()) {
            qmp.add("unix:" + Path.of("qmon-qmp.sock").toAbsolutePath() + ",server=on,wait=off");
            qmp.add("tcp:127.0.0.1:4444,server=on,wait=off");
        }
        for (String spec : qmp) {
            if (!(spec.startsWith("unix:") || spec.startsWith("tcp:"))) {
                usage("-qmp expects unix:PATH or tcp:HOST:PORT, not '" + spec + "'");
            }
        }
        Path storage = Files.createTempDirectory("qmon-felix-");
        props.put("qmon.qmp", String.join("\n", qmp));
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
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
        int expected = qmp.size();
        CountDownLatch listening = new CountDownLatch(expected);
        ctx.addServiceListener(new ServiceListener() {
            @Override
            public void serviceChanged(ServiceEvent event) {
                if (event.getType() == ServiceEvent.REGISTERED) {
                    out.println("qmon: QMP listening on " + event.getServiceReference().getProperty("qmon.endpoint.address"));
                    listening.countDown();
                }
            }
        }, "(objectClass=" + ENDPOINT_CLASS + ")");
        List<Bundle> installed = installEmbedded(ctx);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                framework.stop();
                framework.waitForStop(10_000);
            } catch (BundleException | InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteTree(storage);
        }, "qmon-shutdown"));
        framework.start();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    b.start();
                } catch (BundleException e) {
                    System.err.println("qmon: cannot start " + b.getSymbolicName() + ": " + e.getMessage());
                }
            }
        }
        for (Path jar : extra) {
            try {
                Bundle b = ctx.installBundle(jar.toUri().toString());
                b.start();
                out.println("qmon: started " + b.getSymbolicName() + " " + b.getVersion() + " from " + jar);
            } catch (BundleException e) {
                System.err.println("qmon: cannot install -bundle " + jar + ": " + e.getMessage());
                framework.stop();
                framework.waitForStop(10_000);
                deleteTree(storage);
                System.exit(1);
            }
        }
        if (listening.await(30, TimeUnit.SECONDS)) {
            out.println("qmon: ready in " + (System.currentTimeMillis() - t0) + " ms (JVM start to listening)");
            returnIdleMemory(); // after the listeners: not on the start-up path
        } else {
            System.err.println("qmon: not every listener came up; see the log above");
        }
        framework.waitForStop(0);
        deleteTree(storage);
        System.exit(0);
    }

    /**
     * Lets G1 collect every 30 s when the monitor is idle and shrink the heap to 30 % free, so that a
     * load burst's heap goes back to the system instead of staying resident until the next burst.
     * Only when the operator did not set these flags, and only on VMs that have them (manageable
     * flags of HotSpot).
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
            }
        } catch (RuntimeException | LinkageError e) {
            // Another VM or collector: leave its defaults alone.
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String error) {
        PrintStream p = error == null ? System.out : System.err;
        if (error != null) {
            p.println("qmon: " + error);
        }
        p.println("usage: java -jar qmon.jar [-qmp unix:PATH,server=on,wait=off]... "
                + "[-qmp tcp:HOST:PORT,server=on,wait=off]... [-name NAME] [-D key=value]... [-bundle JAR]...");
        p.println("  without -qmp: unix:./qmon-qmp.sock and tcp:127.0.0.1:4444");
        System.exit(error == null ? 0 : 1);
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

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}

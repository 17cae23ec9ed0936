package org.qmon.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The launcher's command line, parsed once and checked before anything starts: QEMU-style listener
 * options, the guest name, extra bundles and framework properties. Every problem is a
 * {@link UsageException} whose message names the option.
 *
 * <pre>
 * java -jar qmon.jar [-qmp SPEC]... [-monitor SPEC]... [-name NAME] [-display none] [-bundle JAR]... [-D KEY=VALUE]... [-h]
 *   SPEC: unix:PATH[,server=on][,wait=off][,io-threads=N]  or  tcp:HOST:PORT[,...]
 * </pre>
 */
final class LaunchOptions {

    /** A command-line error: printed as one line, then the usage, and the process exits with status 1. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * One listener asked for on the command line.
     *
     * @param option the option that asked for it, e.g. {@code -qmp}
     * @param spec the value as given
     * @param factoryPid the frontend's listener factory PID
     * @param properties the configuration's properties
     * @param address the address the listener will report, {@code unix:ABSOLUTE_PATH} or {@code tcp:HOST:PORT}
     */
    record ListenerOption(String option, String spec, String factoryPid, Map<String, String> properties,
            String address) {

        /** @return the line {@code org.qmon.transport}'s launch component reads: PID, name, key=value, tab-separated */
        String configurationLine() {
            StringBuilder sb = new StringBuilder(factoryPid).append('\t')
                    .append("launch-").append(Integer.toHexString((option + " " + spec).hashCode()));
            properties.forEach((k, v) -> sb.append('\t').append(k).append('=').append(v));
            return sb.toString();
        }
    }

    /** The QMP listeners' factory PID. */
    static final String QMP_PID = "org.qmon.qmp.listener";

    /** The HMP (human monitor) listeners' factory PID. */
    static final String HMP_PID = "org.qmon.hmp.listener";

    static final String USAGE = "usage: java -jar qmon.jar [-qmp unix:PATH|tcp:HOST:PORT[,server=on,wait=off,io-threads=N]]... "
            + "[-monitor unix:PATH|tcp:HOST:PORT[,server=on,wait=off]]... [-name NAME] [-display none] [-bundle JAR]... "
            + "[-D KEY=VALUE]... [-h]";

    /**
     * The framework property with the devices to create at launch (read by qmon-core): the default
     * display, as QEMU gives a machine a VGA console; {@code -display none} leaves it out. Lines of
     * tab-separated fields: factory PID, device id, {@code key=value}...
     */
    static final String DEVICES_PROPERTY = "qmon.launch.devices";
    /** The default display's configuration: the virtual display driver's factory PID and the id display0. */
    static final String DEFAULT_DISPLAY = "org.qmon.display\tdisplay0";

    final List<ListenerOption> listeners = new ArrayList<>();
    final List<Path> bundles = new ArrayList<>();
    final Map<String, String> properties = new LinkedHashMap<>();
    boolean help;
    /** Whether the default display is created ({@code -display none} clears it). */
    boolean display = true;

    private LaunchOptions() {
    }

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @param workingDirectory where relative paths and the default unix socket are
     * @return the options, with the default QMP listeners when no {@code -qmp} was given
     * @throws UsageException naming the option that is wrong
     */
    static LaunchOptions parse(String[] args, Path workingDirectory) throws UsageException {
        LaunchOptions o = new LaunchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-qmp", "--qmp" -> o.listeners.add(listener(a.replace("--", "-"), value(args, ++i, a), QMP_PID,
                        workingDirectory));
                case "-monitor", "--monitor" -> o.listeners.add(listener(a.replace("--", "-"), value(args, ++i, a),
                        HMP_PID, workingDirectory));
                case "-name", "--name" -> o.properties.put("qmon.name", value(args, ++i, a));
                case "-bundle", "--bundle" -> o.bundles.add(bundle(value(args, ++i, a), workingDirectory));
                case "-D" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("-D expects KEY=VALUE, not '" + kv + "'");
                    }
                    o.properties.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "-display", "--display" -> {
                    String v = value(args, ++i, a);
                    if (!v.equals("none")) {
                        throw new UsageException("-display: qmon has no display front-end, only '-display none' "
                                + "(no display device), not '" + v + "'");
                    }
                    o.display = false;
                }
                case "-h", "-help", "--help" -> o.help = true;
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        if (o.display) {
            o.properties.putIfAbsent(DEVICES_PROPERTY, DEFAULT_DISPLAY);
        }
        if (o.listeners.stream().noneMatch(l -> l.factoryPid().equals(QMP_PID))) {
            o.listeners.add(listener("-qmp", "unix:" + workingDirectory.resolve("qmon-qmp.sock") + ",server=on,wait=off",
                    QMP_PID, workingDirectory));
            o.listeners.add(listener("-qmp", "tcp:127.0.0.1:4444,server=on,wait=off", QMP_PID, workingDirectory));
        }
        return o;
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    /**
     * Parses {@code unix:PATH[,opt...]} or {@code tcp:HOST:PORT[,opt...]} with QEMU's option syntax (a
     * comma inside a value is written twice). The options QEMU takes for a monitor socket
     * ({@code server=on}, {@code wait=off}) are accepted: qmon always listens and never waits for a
     * client. qmon adds {@code io-threads=N}. Anything else is refused.
     */
    static ListenerOption listener(String option, String spec, String pid, Path workingDirectory) throws UsageException {
        List<String> parts = splitOptions(spec);
        String head = parts.remove(0);
        Map<String, String> props = new LinkedHashMap<>();
        for (String opt : parts) {
            if (opt.startsWith("io-threads=")) {
                int n;
                try {
                    n = Integer.parseInt(opt.substring("io-threads=".length()));
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || n > 64) {
                    throw new UsageException(option + " " + spec + ": io-threads must be 1..64, not '" + opt + "'");
                }
                props.put("io.threads", Integer.toString(n));
            } else if (!List.of("server", "server=on", "server=true", "wait=off", "wait=false", "nowait").contains(opt)) {
                throw new UsageException(option + " " + spec + ": unsupported option '" + opt + "'");
            }
        }
        String address;
        if (head.startsWith("unix:")) {
            String path = head.substring("unix:".length());
            if (path.isEmpty()) {
                throw new UsageException(option + " " + spec + ": missing path");
            }
            if (path.indexOf('\t') >= 0 || path.indexOf('\n') >= 0) {
                throw new UsageException(option + " " + spec + ": a path with a tab or a newline is not supported");
            }
            Path p = workingDirectory.resolve(path).toAbsolutePath().normalize();
            props.put("path", p.toString());
            address = "unix:" + p;
        } else if (head.startsWith("tcp:")) {
            String hp = head.substring("tcp:".length());
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new UsageException(option + " " + spec + ": expected tcp:HOST:PORT");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                host = "127.0.0.1";
            }
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new UsageException(option + " " + spec + ": bad port '" + hp.substring(colon + 1) + "'");
            }
            if (port < 0 || port > 65535) {
                throw new UsageException(option + " " + spec + ": bad port " + port);
            }
            props.put("host", host);
            props.put("port", Integer.toString(port));
            address = "tcp:" + host + ":" + port;
        } else {
            throw new UsageException(option + " expects unix:PATH or tcp:HOST:PORT, not '" + spec + "'");
        }
        return new ListenerOption(option, spec, pid, props, address);
    }

    /** QEMU's option list syntax: split at single commas; a doubled comma is a literal comma. */
    static List<String> splitOptions(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == ',') {
                if (i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                    continue;
                }
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Checks that a {@code -bundle} value is a readable jar with an OSGi manifest. */
    static Path bundle(String value, Path workingDirectory) throws UsageException {
        Path jar = workingDirectory.resolve(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new UsageException("-bundle: no such file '" + jar + "'");
        }
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                throw new UsageException("-bundle " + jar + ": not an OSGi bundle (its manifest has no Bundle-SymbolicName)");
            }
        } catch (IOException e) {
            throw new UsageException("-bundle " + jar + ": not a jar (" + e.getMessage() + ")");
        }
        return jar;
    }

    /**
     * Fails fast, before the framework starts, on listeners that cannot work: a unix socket whose
     * directory is missing or whose path is taken by a file that is not a socket, a TCP address that
     * cannot be bound (in use, not local). The transport reports anything this misses.
     *
     * @throws UsageException naming the option
     */
    void preflight() throws UsageException {
        for (ListenerOption l : listeners) {
            String path = l.properties().get("path");
            if (path != null) {
                Path p = Path.of(path);
                if (!Files.isDirectory(p.getParent())) {
                    throw new UsageException(l.option() + " " + l.spec() + ": cannot listen on " + l.address()
                            + ": no such directory " + p.getParent());
                }
                if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !isSocket(p)) {
                    throw new UsageException(l.option() + " " + l.spec() + ": cannot listen on " + l.address()
                            + ": a file that is not a socket is in the way");
                }
            } else {
                try (java.nio.channels.ServerSocketChannel ch = java.nio.channels.ServerSocketChannel.open()) {
                    ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                    ch.bind(new java.net.InetSocketAddress(l.properties().get("host"),
                            Integer.parseInt(l.properties().get("port"))));
                } catch (IOException | RuntimeException e) {
                    throw new UsageException(l.option() + " " + l.spec() + ": cannot listen on " + l.address() + ": "
                            + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
                }
            }
        }
    }

    private static boolean isSocket(Path p) {
        try {
            return Boolean.TRUE.equals(Files.getAttribute(p, "isOther", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

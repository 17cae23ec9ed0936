package org.qmon.qmp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.qmon.api.runtime.MonitorEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP listening socket, one per Configuration Admin factory configuration of
 * {@value #FACTORY_PID}: a unix socket (owner-only, 0600) when {@code path} is set, else TCP on
 * {@code host}:{@code port} (loopback by default). Unlike QEMU, which serves one client per
 * {@code -qmp} socket, it serves many clients at once, each with its own session.
 */
@Component(configurationPid = QmpListener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = QmpListener.Config.class, factory = true)
public final class QmpListener implements IoLoop.Handler {

    /** The factory PID of listener configurations. */
    public static final String FACTORY_PID = "org.qmon.qmp.listener";

    private static final Logger LOG = LoggerFactory.getLogger(QmpListener.class);

    /** One listener's configuration. */
    @ObjectClassDefinition(name = "qmon QMP listener", description = "A socket that speaks QMP.")
    public @interface Config {
        /** @return unix socket path; when set, host and port are ignored */
        @AttributeDefinition(name = "Unix socket path", required = false,
                description = "Path of a unix domain socket (created owner-only). Empty for TCP.")
        String path() default "";

        /** @return TCP bind address */
        @AttributeDefinition(name = "TCP host", description = "Address to bind; loopback unless you mean it.")
        String host() default "127.0.0.1";

        /** @return TCP port, 0 for any free port */
        @AttributeDefinition(name = "TCP port", description = "Port to bind (0: any free port).", min = "0", max = "65535")
        int port() default 4444;

        /** @return most clients at once */
        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default 1024;

        /** @return output limit per client, KiB */
        @AttributeDefinition(name = "Output limit (KiB)",
                description = "A client with more unread output than this is disconnected.", min = "64")
        int max_output_kib() default 16384;

        /** @return I/O threads, 0 for one per two processors (1 to 4) */
        @AttributeDefinition(name = "I/O threads",
                description = "Threads that read, frame and answer this listener's clients; each client stays on one. "
                        + "0: one per two processors, 1 to 4.", min = "0", max = "64")
        int io_threads() default 0;
    }

    private final QmpRuntime runtime;
    private final Config config;
    /** loops[0] also accepts; clients are spread over all of them in turn. */
    private final IoLoop[] loops;
    /** The loop the next client goes to; accept thread only. */
    private int nextLoop;
    private final ServerSocketChannel server;
    private final Path unixPath;
    private final String address;
    private final Set<QmpConnection> connections = ConcurrentHashMap.newKeySet();
    private final ServiceRegistration<MonitorEndpoint> registration;

    @Activate
    public QmpListener(@Reference QmpRuntime runtime, Config config, BundleContext context) throws IOException {
        this.runtime = runtime;
        this.config = config;
        String path = config.path() == null ? "" : config.path().trim();
        if (!path.isEmpty()) {
            unixPath = Path.of(path).toAbsolutePath();
            server = bindUnix(unixPath);
            address = "unix:" + unixPath;
        } else {
            unixPath = null;
            server = ServerSocketChannel.open();
            server.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(config.host(), config.port()), 64);
            InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
            address = "tcp:" + bound.getAddress().getHostAddress() + ":" + bound.getPort();
        }
        server.configureBlocking(false);
        // Default: one I/O thread per two processors, 1..4. The rest is left to command workers and
        // other listeners; on 2 cores a second loop measured no gain (bench/results).
        int n = config.io_threads() > 0 ? config.io_threads()
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        loops = new IoLoop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = new IoLoop("qmon-qmp " + address + (n > 1 ? " #" + i : ""));
        }
        server.register(loops[0].selector(), SelectionKey.OP_ACCEPT, this);
        for (IoLoop l : loops) {
            l.start();
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MonitorEndpoint.PROTOCOL, "qmp");
        props.put(MonitorEndpoint.ADDRESS, address);
        // No BundleContext outside a framework (the frontend's own socket tests): nothing to advertise.
        registration = context == null ? null : context.registerService(MonitorEndpoint.class, new MonitorEndpoint() {
            @Override
            public String protocol() {
                return "qmp";
            }

            @Override
            public String address() {
                return address;
            }

            @Override
            public int connections() {
                return connections.size();
            }
        }, props);
        LOG.info("Activated: QMP listening on {}", address);
    }

    /**
     * Binds a unix socket that is owner-only from the first moment: it is created in a fresh 0700
     * directory beside the target, made 0600, then renamed into place, so no other user can connect
     * in between. An existing socket at the path is replaced (QEMU unlinks it too); any other file is
     * left alone and the listener fails.
     */
    private static ServerSocketChannel bindUnix(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!"socket".equals(fileType(target))) {
                throw new IOException(target + " exists and is not a socket");
            }
            Files.delete(target);
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, ".qmon-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = dir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), 64);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(dir);
        }
        return ch;
    }

    private static String fileType(Path p) {
        try {
            Object isOther = Files.getAttribute(p, "isOther", LinkOption.NOFOLLOW_LINKS);
            return Boolean.TRUE.equals(isOther) ? "socket" : "file";
        } catch (IOException | UnsupportedOperationException e) {
            return "file";
        }
    }

    /** Accepts what is pending. Loop thread. */
    @Override
    public void ready(SelectionKey key) throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null;) {
            if (connections.size() >= config.max_connections()) {
                LOG.warn("Refusing a QMP client on {}: {} connections", address, connections.size());
                ch.close();
                continue;
            }
            IoLoop loop = loops[nextLoop];
            nextLoop = (nextLoop + 1) % loops.length;
            QmpConnection c = new QmpConnection(this, runtime, loop, ch, config.max_output_kib() * 1024L);
            connections.add(c);
            // Registered by its own loop's thread: a channel joins a selector from that selector's thread.
            loop.execute(() -> {
                if (!loop.running()) {
                    c.closeNow(); // the listener is going away: the loop will not serve it
                    return;
                }
                try {
                    c.open();
                } catch (IOException e) {
                    c.closeNow();
                }
            });
        }
    }

    void closed(QmpConnection c) {
        connections.remove(c);
    }

    @Override
    public void closeNow() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Close: {}", e.toString());
        }
    }

    String address() {
        return address;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        loops[0].post(this::closeNow);
        // Let replies already on their way (e.g. to 'quit') leave before the sockets close; bounded.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && connections.stream().anyMatch(c -> !c.idle())) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
        for (IoLoop l : loops) {
            l.stop();
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.debug("Removing {}: {}", unixPath, e.toString());
            }
        }
        LOG.info("Deactivated: {}", address);
    }
}

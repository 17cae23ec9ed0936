package org.qmon.transport.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.qmon.api.runtime.MonitorEndpoint;
import org.qmon.transport.Listener;
import org.qmon.transport.ListenerConfig;
import org.qmon.transport.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket: a unix socket (owner-only, 0600) when {@code path} is set, else TCP on
 * {@code host}:{@code port}. Unlike QEMU, which serves one client per monitor socket, it serves many
 * clients at once, spread over its I/O loops; each client stays on one loop.
 */
final class SocketListener implements Listener, IoLoop.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(SocketListener.class);
    /** Connection ids, unique in the transport. */
    private static final AtomicLong IDS = new AtomicLong();

    private final String protocolName;
    private final Protocol protocol;
    private final ListenerConfig config;
    /** loops[0] also accepts; clients are spread over all of them in turn. */
    private final IoLoop[] loops;
    /** The loop the next client goes to; accept thread only. */
    private int nextLoop;
    private final ServerSocketChannel server;
    private final Path unixPath;
    private final String address;
    private final Set<SocketConnection> connections = ConcurrentHashMap.newKeySet();
    private final ServiceRegistration<MonitorEndpoint> registration;
    private final Runnable onClose;
    private volatile boolean closing;

    SocketListener(String protocolName, ListenerConfig config, Protocol protocol, BundleContext context,
            Runnable onClose) throws IOException {
        this.protocolName = protocolName;
        this.protocol = protocol;
        this.config = config;
        this.onClose = onClose;
        String path = config.path();
        if (!path.isEmpty()) {
            unixPath = Path.of(path).toAbsolutePath();
            server = bindUnix(unixPath);
            address = "unix:" + unixPath;
        } else {
            unixPath = null;
            server = bindTcp(config.host(), config.port());
            InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
            address = "tcp:" + hostText(bound) + ":" + bound.getPort();
        }
        server.configureBlocking(false);
        // Default: one I/O thread per two processors, 1..4. The rest is left to command workers and
        // other listeners; on 2 cores a second loop measured no gain (bench/results).
        int n = config.ioThreads() > 0 ? config.ioThreads()
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        loops = new IoLoop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = new IoLoop("qmon-" + protocolName + " " + address + (n > 1 ? " #" + i : ""));
        }
        server.register(loops[0].selector(), SelectionKey.OP_ACCEPT, this);
        for (IoLoop l : loops) {
            l.start();
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MonitorEndpoint.PROTOCOL, protocolName);
        props.put(MonitorEndpoint.ADDRESS, address);
        // No BundleContext outside a framework (the frontends' own socket tests): nothing to advertise.
        registration = context == null ? null : context.registerService(MonitorEndpoint.class, new MonitorEndpoint() {
            @Override
            public String protocol() {
                return protocolName;
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
        LOG.info("Activated: {} listening on {}", protocolName.toUpperCase(java.util.Locale.ROOT), address);
    }

    private static String hostText(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }

    private static ServerSocketChannel bindTcp(String host, int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(host, port), 64);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot listen on tcp:" + host + ":" + port + ": " + reason(e), e);
        }
    }

    /**
     * Binds a unix socket that is owner-only from the first moment: it is created in a fresh 0700
     * directory beside the target, made 0600, then renamed into place, so no other user can connect
     * in between. An existing socket at the path is replaced (QEMU unlinks it too); any other file is
     * left alone and the listener fails.
     */
    private static ServerSocketChannel bindUnix(Path target) throws IOException {
        String where = "cannot listen on unix:" + target + ": ";
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(target)) {
                throw new IOException(where + "a file that is not a socket is in the way");
            }
            Files.delete(target);
        }
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            throw new IOException(where + "no such directory " + parent);
        }
        Path dir;
        try {
            dir = privateDirectory(parent);
        } catch (IOException e) {
            throw new IOException(where + reason(e), e);
        }
        Path tmp = dir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), 64);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw new IOException(where + reason(e), e);
        } finally {
            Files.deleteIfExists(dir);
        }
        return ch;
    }

    /** Names tried for {@link #privateDirectory} before a random one. */
    private static final int PRIVATE_DIRECTORY_NAMES = 16;
    /** Numbers the private directories of this process, so that listeners bound at once do not collide. */
    private static final AtomicInteger PRIVATE_DIRECTORIES = new AtomicInteger();

    /**
     * A fresh 0700 directory in {@code parent}, named {@code .qmon-PID-N}: creating a directory is
     * atomic and fails on anything already at the name, a link included, so a name taken is skipped.
     * Only if {@value #PRIVATE_DIRECTORY_NAMES} names are taken does it fall back to a random name.
     * Not {@link Files#createTempDirectory} first: setting up its {@code SecureRandom} cost 10 to 15 ms
     * on the way to the first listening socket (measured in a fresh JVM: the JDK's unix sockets then
     * set up a cheaper generator of their own, which this cannot avoid).
     */
    private static Path privateDirectory(Path parent) throws IOException {
        return privateDirectory(parent, ".qmon-" + ProcessHandle.current().pid() + "-", PRIVATE_DIRECTORIES);
    }

    /** {@link #privateDirectory(Path)} with the name's prefix and numbering given (tests). */
    static Path privateDirectory(Path parent, String prefix, AtomicInteger numbers) throws IOException {
        FileAttribute<Set<PosixFilePermission>> owner =
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        for (int i = 0; i < PRIVATE_DIRECTORY_NAMES; i++) {
            try {
                return Files.createDirectory(parent.resolve(prefix + numbers.getAndIncrement()), owner);
            } catch (FileAlreadyExistsException e) {
                // Taken (left by a process of the same id, or put there by someone else): the next name.
            }
        }
        return Files.createTempDirectory(parent, ".qmon-", owner);
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory " + n.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static boolean isSocket(Path p) {
        try {
            return Boolean.TRUE.equals(Files.getAttribute(p, "isOther", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Accepts what is pending. Loop thread. */
    @Override
    public void ready(SelectionKey key) throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null;) {
            if (closing || connections.size() >= config.maxConnections()) {
                LOG.warn("Refusing a {} client on {}: {} connections", protocolName, address, connections.size());
                ch.close();
                continue;
            }
            IoLoop loop = loops[nextLoop];
            nextLoop = (nextLoop + 1) % loops.length;
            SocketConnection c = new SocketConnection(this, loop, ch, IDS.incrementAndGet(),
                    config.maxOutputKib() * 1024L);
            connections.add(c);
            // Registered by its own loop's thread: a channel joins a selector from that selector's thread.
            loop.execute(() -> {
                if (!loop.running()) {
                    c.closeNow(); // the listener is going away: the loop will not serve it
                    return;
                }
                try {
                    c.open(protocol);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Cannot open a {} connection: {}", protocolName, e.toString());
                    c.closeNow();
                }
            });
        }
    }

    void closed(SocketConnection c) {
        connections.remove(c);
    }

    /** Closes the listening socket. Loop thread. */
    @Override
    public void closeNow() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Close: {}", e.toString());
        }
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public int connections() {
        return connections.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // the transport's bundle is stopping: its services are gone already
            }
        }
        loops[0].post(this::closeNow);
        // Let replies already on their way (e.g. to 'quit') leave before the sockets close; bounded.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && connections.stream().anyMatch(c -> !c.idle())) {
            LockSupport.parkNanos(5_000_000L);
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
        onClose.run();
        LOG.info("Deactivated: {} on {}", protocolName.toUpperCase(java.util.Locale.ROOT), address);
    }
}

package org.qmon.transport;

/**
 * Where a listener listens, and its limits. Each frontend reads these from its own Configuration
 * Admin factory configurations (its own PID and Metatype description, e.g.
 * {@code org.qmon.qmp.listener}) and hands them to {@link Transport#listen}.
 *
 * @param path a unix socket path; when non-empty, {@code host} and {@code port} are ignored. The socket
 *        is created owner-only (0600); an old socket at the path is replaced, any other file is not.
 * @param host the TCP address to bind, e.g. {@code 127.0.0.1}
 * @param port the TCP port, 0 for any free port (the bound one is in {@link Listener#address()})
 * @param maxConnections clients beyond this many at once are refused (accepted and closed at once)
 * @param maxOutputKib a client with more unread output than this many KiB is disconnected
 * @param ioThreads the I/O threads that serve this listener's clients (each client stays on one);
 *        0 for one per two processors, 1 to 4
 */
public record ListenerConfig(String path, String host, int port, int maxConnections, int maxOutputKib,
        int ioThreads) {

    /**
     * Checks the values.
     *
     * @param path the unix socket path or empty
     * @param host the TCP host
     * @param port the TCP port
     * @param maxConnections the connection limit
     * @param maxOutputKib the output limit
     * @param ioThreads the I/O threads
     */
    public ListenerConfig {
        path = path == null ? "" : path.trim();
        if (path.isEmpty() && (host == null || host.isBlank())) {
            throw new IllegalArgumentException("a listener needs a unix socket path or a TCP host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxConnections < 1 || maxOutputKib < 1 || ioThreads < 0) {
            throw new IllegalArgumentException("limits must be positive (io threads: 0 or more)");
        }
    }

    /**
     * A unix socket listener with the default limits.
     *
     * @param path the socket path
     * @return the configuration
     */
    public static ListenerConfig unix(String path) {
        return new ListenerConfig(path, "127.0.0.1", 0, 1024, 16384, 0);
    }
}

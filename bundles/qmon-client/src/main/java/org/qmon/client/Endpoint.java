package org.qmon.client;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A parsed endpoint string: {@code unix:PATH} or {@code tcp:HOST:PORT} (IPv6 hosts in brackets).
 * Parsing does not resolve host names; {@link #address()} does, on the reader thread when
 * connecting, on the caller's thread when binding for accept mode.
 */
record Endpoint(String text, Path unixPath, String host, int port) {
    /** File type bits of {@code st_mode}, and the type of a socket (for {@link #removeStaleSocket()}). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    static Endpoint parse(String endpoint) {
        if (endpoint == null) {
            throw new NullPointerException("endpoint");
        }
        if (endpoint.startsWith("unix:")) {
            String path = endpoint.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("unix endpoint without a path: " + endpoint);
            }
            return new Endpoint(endpoint, Path.of(path), null, -1);
        }
        if (endpoint.startsWith("tcp:")) {
            String rest = endpoint.substring("tcp:".length());
            int colon = rest.lastIndexOf(':');
            if (colon <= 0 || colon == rest.length() - 1) {
                throw new IllegalArgumentException("tcp endpoint must be tcp:HOST:PORT: " + endpoint);
            }
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tcp endpoint with a bad port: " + endpoint, e);
            }
            if (port < 1 || port > 65535 || host.isEmpty()) {
                throw new IllegalArgumentException("tcp endpoint with a bad host or port: " + endpoint);
            }
            return new Endpoint(endpoint, null, host, port);
        }
        throw new IllegalArgumentException("endpoint must be unix:PATH or tcp:HOST:PORT: " + endpoint);
    }

    boolean isUnix() {
        return unixPath != null;
    }

    /** An unconnected, blocking channel of the right protocol family. */
    SocketChannel newChannel() throws IOException {
        return isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    }

    /** The address to connect to; resolves TCP host names (may block). */
    SocketAddress address() throws IOException {
        if (isUnix()) {
            return UnixDomainSocketAddress.of(unixPath);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UnknownHostException(host);
        }
        return address;
    }

    /** Connects {@code channel} (blocking; closing the channel from another thread aborts it). */
    void connect(SocketChannel channel) throws IOException {
        SocketAddress address = address();
        channel.connect(address);
        configure(channel);
    }

    /** Socket options of a connected channel, connected or accepted. */
    void configure(SocketChannel channel) throws IOException {
        if (!isUnix()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    /**
     * A listening socket for accept mode (backlog 1: one connection is accepted). A unix socket file
     * left behind by a listener that is gone (connecting to it is refused) is replaced, as
     * Python's asyncio and qemu.qmp do; a socket somebody listens on, or a file that is not a
     * socket, makes binding fail.
     */
    ServerSocketChannel bind() throws IOException {
        if (isUnix()) {
            removeStaleSocket();
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(address(), 1);
            } catch (IOException e) {
                server.close();
                throw e;
            }
            return server;
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address(), 1);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void removeStaleSocket() throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(unixPath, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return; // no way to tell a socket from another file here: let bind report the conflict
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            return; // not a socket: never delete it, bind fails with "address in use"
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(address());
        } catch (ConnectException stale) {
            Files.deleteIfExists(unixPath);
            return;
        }
        throw new BindException("a server is listening on " + unixPath);
    }

    /** Removes the socket file of a unix listener this client bound (after accepting, or on close). */
    void removeSocketFile() {
        if (isUnix()) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                // Left behind; the next bind replaces it as stale.
            }
        }
    }


    @Override
    public String toString() {
        return text;
    }
}

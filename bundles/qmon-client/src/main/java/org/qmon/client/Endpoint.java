package org.qmon.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A parsed endpoint string: {@code unix:PATH} or {@code tcp:HOST:PORT} (IPv6 hosts in brackets).
 * Parsing does not resolve host names; {@link #address()} does, on the reader thread.
 */
record Endpoint(String text, Path unixPath, String host, int port) {

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
        if (!isUnix()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}

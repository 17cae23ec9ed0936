package org.qmon.bench.load;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code unix:PATH} or {@code tcp:HOST:PORT} ({@code tcp:[::1]:PORT} for IPv6). TCP hosts must be
 * loopback: a load generator pointed at another machine measures the network, and floods it.
 */
final class Endpoint {

    final String spec;
    private final List<SocketAddress> addresses;
    private final boolean tcp;

    private Endpoint(String spec, List<SocketAddress> addresses, boolean tcp) {
        this.spec = spec;
        this.addresses = addresses;
        this.tcp = tcp;
    }

    static Endpoint parse(String spec) throws Options.UsageException {
        if (spec.startsWith("unix:")) {
            String path = spec.substring(5);
            if (path.isEmpty() || path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
                throw new Options.UsageException("unix path empty or too long: " + spec, false);
            }
            return new Endpoint(spec, List.of(UnixDomainSocketAddress.of(Path.of(path))), false);
        }
        if (spec.startsWith("tcp:")) {
            String hp = spec.substring(4);
            String host;
            String port;
            if (hp.startsWith("[")) {
                int rb = hp.indexOf(']');
                if (rb < 0 || rb + 1 >= hp.length() || hp.charAt(rb + 1) != ':') {
                    throw new Options.UsageException("bad tcp endpoint " + spec, false);
                }
                host = hp.substring(1, rb);
                port = hp.substring(rb + 2);
            } else {
                int colon = hp.lastIndexOf(':');
                if (colon < 0) {
                    throw new Options.UsageException("bad tcp endpoint " + spec, false);
                }
                host = hp.substring(0, colon);
                port = hp.substring(colon + 1);
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new Options.UsageException("bad tcp port in " + spec, false);
            }
            List<SocketAddress> list = new ArrayList<>();
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    if (!a.isLoopbackAddress()) {
                        throw new Options.UsageException("tcp endpoints must be loopback: " + spec, false);
                    }
                    list.add(new InetSocketAddress(a, p));
                }
            } catch (UnknownHostException e) {
                throw new Options.UsageException("resolve " + host + ": " + e.getMessage(), false);
            }
            return new Endpoint(spec, List.copyOf(list), true);
        }
        throw new Options.UsageException("endpoint must be unix:PATH or tcp:HOST:PORT: " + spec, false);
    }

    /**
     * A connected channel, still blocking; the caller configures it. The guard closes it if the
     * connection is not made by the deadline (a unix socket's connect blocks while the server's
     * backlog is full).
     */
    SocketChannel connect(Guard guard, long deadline) throws IOException {
        IOException last = null;
        for (SocketAddress a : addresses) {
            SocketChannel ch = tcp
                    ? SocketChannel.open(((InetSocketAddress) a).getAddress() instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)
                    : SocketChannel.open(StandardProtocolFamily.UNIX);
            guard.arm(ch, deadline);
            try {
                ch.connect(a);
                if (tcp) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                return ch;
            } catch (IOException e) {
                guard.disarm();
                ch.close();
                last = e;
            }
        }
        throw new IOException("connect " + spec + ": " + (last == null ? "no address" : last.getMessage()), last);
    }
}

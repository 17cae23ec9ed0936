package org.qmon.qmp.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.qmon.api.runtime.VersionInfo;
import org.qmon.dispatcher.internal.DispatcherImpl;
import org.qmon.transport.ListenerConfig;
import org.qmon.transport.internal.TransportImpl;

/**
 * A real QMP listener on a unix socket, wired to a real dispatcher without an OSGi framework, and a
 * raw line client: bytes in, parsed JSON lines out.
 */
final class QmpServerFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong ids = new AtomicLong(1000);
    static final VersionInfo VERSION = new VersionInfo(new VersionInfo.Triple(0, 1, 0), "qmon-0.1.0");
    final DispatcherImpl dispatcher = new DispatcherImpl();
    final TransportImpl transport = new TransportImpl(null);
    final QmpRuntime runtime = new QmpRuntime(dispatcher, VERSION);
    final QmpListener listener;
    final Path socket;

    QmpServerFixture(Path dir, int maxOutputKib) throws IOException {
        this(dir, maxOutputKib, 16);
    }

    QmpServerFixture(Path dir, int maxOutputKib, int maxConnections) throws IOException {
        socket = dir.resolve("qmp.sock");
        listener = new QmpListener(transport, runtime,
                new ListenerConfig(socket.toString(), "127.0.0.1", 0, maxConnections, maxOutputKib, 2));
    }

    void register(String name, Object handler) {
        register(name, handler, false);
    }

    void register(String name, Object handler, boolean oob) {
        dispatcher.add(handler, Map.of("qmon.command.name", name, "qmon.command.allowOob", oob,
                "service.id", ids.incrementAndGet(), "service.ranking", 0), "test");
    }

    Client connect() throws IOException {
        return new Client(socket);
    }

    @Override
    public void close() {
        listener.deactivate();
        runtime.deactivate();
        dispatcher.deactivate();
    }

    static ListenerConfig config(String path, int maxOutputKib) {
        return new ListenerConfig(path, "127.0.0.1", 0, 16, maxOutputKib, 2);
    }

    /** A raw client: writes bytes, reads CRLF-terminated lines, every read bounded by a timeout. */
    static final class Client implements AutoCloseable {
        final SocketChannel ch;
        private final java.nio.channels.Selector selector;
        private final StringBuilder pending = new StringBuilder();
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        Client(Path socket) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            selector = java.nio.channels.Selector.open();
            ch.register(selector, java.nio.channels.SelectionKey.OP_READ);
        }

        void send(String s) throws IOException {
            send(s.getBytes(StandardCharsets.UTF_8));
        }

        /** Writes everything, waiting (bounded) while the server does not read. */
        void send(byte[] b) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (bb.hasRemaining()) {
                if (ch.write(bb) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the server stopped reading");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
            }
        }

        /** The next line, without its CRLF (which it checks), or null at end of stream. */
        String line() throws IOException {
            long deadline = System.currentTimeMillis() + 10_000;
            for (;;) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String l = pending.substring(0, nl + 1);
                    pending.delete(0, nl + 1);
                    if (!l.endsWith("\r\n")) {
                        throw new AssertionError("line without CRLF: " + l);
                    }
                    return l.substring(0, l.length() - 2);
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("no line within 10 s; have: " + pending);
                }
                if (selector.select(left) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return null;
                }
                buf.flip();
                for (int i = 0; i < n; i++) {
                    byte b = buf.get();
                    if (b < 0) {
                        throw new AssertionError("non-ASCII output byte " + (b & 0xff));
                    }
                    pending.append((char) b);
                }
            }
        }

        JsonNode json() throws IOException {
            String l = line();
            if (l == null) {
                throw new AssertionError("connection closed");
            }
            return JSON.readTree(l);
        }

        /** Reads the greeting and negotiates. */
        Client negotiated() throws IOException {
            json();
            send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n");
            JsonNode r = json();
            if (!r.has("return")) {
                throw new AssertionError("negotiation failed: " + r);
            }
            return this;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }
}

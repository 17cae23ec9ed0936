package org.qmon.itests;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A raw human monitor client for the tests: bytes out, text in, every read bounded by a deadline
 * (never a fixed sleep): it reads until the text it waits for has arrived, or fails.
 */
final class HmpClient implements AutoCloseable {

    static final String PROMPT = "(qemu) ";

    private final SocketChannel ch;
    private final Selector selector;
    private final StringBuilder pending = new StringBuilder();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private boolean eof;

    HmpClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.configureBlocking(false);
        selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    /** Sends bytes as they are (ISO-8859-1: the char 0xFF is the byte 0xFF). */
    void sendRaw(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the monitor stopped reading");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            }
        }
    }

    /** Sends UTF-8 text. */
    void send(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads until the text received so far contains {@code marker}, and returns everything up to and
     * including it (the rest stays for the next call).
     */
    String readUntil(String marker, long timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (;;) {
            int i = pending.indexOf(marker);
            if (i >= 0) {
                String out = pending.substring(0, i + marker.length());
                pending.delete(0, i + marker.length());
                return out;
            }
            if (eof) {
                throw new AssertionError("end of input before '" + marker + "'; got: " + pending);
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for '" + marker + "'; got: " + pending);
            }
            if (selector.select(left) == 0) {
                continue;
            }
            selector.selectedKeys().clear();
            fill();
        }
    }

    /** The output of one command: everything up to and including the next prompt. */
    String reply() throws IOException {
        return readUntil(PROMPT, 20_000);
    }

    /** Sends a line (CR, as expect does) and returns its output up to and including the next prompt. */
    String command(String line) throws IOException {
        send(line + "\r");
        return reply();
    }

    /** Reads whatever is there now without waiting. */
    String available() throws IOException {
        selector.selectNow();
        selector.selectedKeys().clear();
        fill();
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Reads to the end of input (bounded) and returns what came. */
    String readToEnd(long timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!eof) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("the monitor did not close; got: " + pending);
            }
            if (selector.select(left) > 0) {
                selector.selectedKeys().clear();
                fill();
            }
        }
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    private void fill() throws IOException {
        for (;;) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                eof = true;
                return;
            }
            if (n == 0) {
                return;
            }
            pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        ch.close();
    }
}

package org.qmon.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * An input stream over a blocking channel that refuses to read past a moving limit.
 *
 * <p>Written by hand instead of {@code Channels.newInputStream}: on Java 17 that stream holds the
 * channel's blocking lock while it reads, which blocks every concurrent write to the same socket
 * (JDK-8279339, fixed in 19).
 *
 * <p>The reader thread is the only user: {@link #limit(long)} and the reads happen on that thread.
 * The limit is a memory guard: the reader sets it to "start of the current message + maximum
 * message size + slack" so that a hostile server cannot make Jackson buffer an unbounded value.
 * The exact size check happens after each message is parsed.
 */
final class BoundedChannelInputStream extends InputStream {
    private final ReadableByteChannel channel;
    private long position;
    private long limit = Long.MAX_VALUE;
    private boolean limitExceeded;

    BoundedChannelInputStream(ReadableByteChannel channel) {
        this.channel = channel;
    }

    /** Sets the absolute stream position beyond which reading fails. */
    void limit(long limit) {
        this.limit = limit;
    }

    /** Whether a read failed because of the limit. */
    boolean limitExceeded() {
        return limitExceeded;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position >= limit) {
            limitExceeded = true;
            throw new IOException("message size limit exceeded");
        }
        int allowed = (int) Math.min(length, limit - position);
        int n = channel.read(ByteBuffer.wrap(buffer, offset, allowed));
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

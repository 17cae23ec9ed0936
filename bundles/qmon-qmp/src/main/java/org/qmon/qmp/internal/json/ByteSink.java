package org.qmon.qmp.internal.json;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer that is also an {@link OutputStream} (for Jackson), without the locking of
 * {@link java.io.ByteArrayOutputStream}: each one is used by one thread at a time (a reply is built on
 * the thread that completes it). Kept between uses; {@link #trim()} drops a buffer one large message
 * grew, so a thread does not hold it for ever.
 */
public final class ByteSink extends OutputStream {

    /** The capacity kept between uses. */
    private static final int KEEP = 16 * 1024;

    byte[] buf;
    int len;

    /** @return the array holding the bytes written so far, {@code [0, length())}; valid until the next write or reset */
    public byte[] buf() {
        return buf;
    }

    /** @return the number of bytes written since the last reset */
    public int length() {
        return len;
    }

    /** An empty sink with a small buffer. */
    public ByteSink() {
        buf = new byte[512];
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /**
     * Appends a string of ASCII characters as bytes.
     *
     * @param s the text, ASCII only
     */
    public void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /**
     * Appends a number in decimal.
     *
     * @param v the number
     */
    public void decimal(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    /** @return the bytes written */
    public int size() {
        return len;
    }

    /** Forgets what was written, keeping the buffer. */
    public void reset() {
        len = 0;
    }

    /** @return a copy of what was written */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** Forgets what was written, and drops a buffer that grew past 16 KiB. */
    public void trim() {
        if (buf.length > KEEP) {
            buf = new byte[512];
        }
        len = 0;
    }
}

package org.qmon.bench.load;

import java.nio.ByteBuffer;

/**
 * One connection's received bytes, split into top-level JSON values and classified as QMP messages.
 *
 * <p>The socket reads into {@link #buffer()} (a direct buffer, appended at its position). {@link #next()}
 * then yields the complete messages one by one; {@link #compact()} drops what has been consumed and
 * keeps a message that a read cut in two, together with the scanner's state, so the next read
 * continues it without rescanning. Nothing here allocates except when one message outgrows the
 * buffer.
 *
 * <p>Framing follows braces and brackets outside strings, so it does not depend on the server's
 * line breaks (QEMU's {@code pretty=on} output spans lines). Classification has a fast path for the
 * shape servers answer with, {@code {"return": ..., "id": N}}: the first key is read at the front and
 * the id at the back, in a few bytes each. Anything else takes the full scan of the top-level keys.
 */
final class Inbox {

    static final int RETURN = 1;
    static final int ERROR = 2;
    static final int EVENT = 4;
    static final int GREETING = 8;
    static final int HAS_ID = 16;
    static final int NUMERIC_ID = 32;

    /** Ids with more digits than this are not taken as numbers (they could overflow a long). */
    private static final int MAX_ID_DIGITS = 18;

    private ByteBuffer buf;

    // Framer state, kept across reads.
    private int scan;
    private int start;
    private int depth;
    private boolean inString;
    private boolean escape;

    // The message returned by the last next().
    private int msgStart;
    private int msgEnd;
    private int flags;
    private long id;

    Inbox(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity);
    }

    /** Where the socket reads to; its position is the end of the received bytes. */
    ByteBuffer buffer() {
        return buf;
    }

    /**
     * Finds the next complete top-level value in the received bytes and classifies it; false when
     * the rest is incomplete (call {@link #compact()}, read, and call again).
     */
    boolean next() {
        ByteBuffer b = buf;
        int limit = b.position();
        int i = scan;
        int d = depth;
        boolean str = inString;
        boolean esc = escape;
        for (; i < limit; i++) {
            byte c = b.get(i);
            if (str) {
                if (esc) {
                    esc = false;
                } else if (c == '\\') {
                    esc = true;
                } else if (c == '"') {
                    str = false;
                }
                continue;
            }
            switch (c) {
                case '"':
                    str = true;
                    break;
                case '{':
                case '[':
                    if (d++ == 0) {
                        start = i;
                    }
                    break;
                case '}':
                case ']':
                    if (d > 0 && --d == 0) {
                        scan = i + 1;
                        depth = 0;
                        inString = false;
                        escape = false;
                        msgStart = start;
                        msgEnd = i + 1;
                        classify(b, msgStart, msgEnd);
                        return true;
                    }
                    break;
                default:
                    if (d == 0) {
                        start = i + 1; // whitespace or junk between messages
                    }
            }
        }
        scan = i;
        depth = d;
        inString = str;
        escape = esc;
        return false;
    }

    /**
     * Drops the consumed bytes, keeping an incomplete message at the front; grows the buffer when
     * that message fills it. Afterwards the buffer has room for the next read.
     */
    void compact() {
        ByteBuffer b = buf;
        int len = b.position();
        int keepFrom = depth > 0 || inString ? start : scan;
        if (keepFrom > len) {
            keepFrom = len;
        }
        if (keepFrom > 0) {
            int rest = len - keepFrom;
            if (rest > 0) {
                b.limit(len).position(keepFrom);
                b.compact(); // moves [keepFrom, len) to 0, position = rest, limit = capacity
            } else {
                b.clear();
            }
            scan -= keepFrom;
            start = start >= keepFrom ? start - keepFrom : 0;
        } else if (len == b.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(b.capacity() * 2);
            b.flip();
            bigger.put(b);
            buf = bigger;
        }
    }

    /** Forgets everything received so far (the bytes and the framer's state). */
    void clear() {
        buf.clear();
        scan = start = depth = 0;
        inString = escape = false;
    }

    int flags() {
        return flags;
    }

    boolean is(int flag) {
        return (flags & flag) != 0;
    }

    /** The message's numeric id; meaningful when {@link #NUMERIC_ID} is set. */
    long id() {
        return id;
    }

    /** The message as text, at most {@code max} bytes of it, for diagnostics. */
    String text(int max) {
        int n = Math.min(msgEnd - msgStart, max);
        byte[] a = new byte[n];
        buf.get(msgStart, a);
        return new String(a, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void classify(ByteBuffer b, int s, int e) {
        if (fastReply(b, s, e)) {
            return;
        }
        classifyFully(b, s, e);
    }

    /**
     * {@code {"return" ... "id": DIGITS}}: the first key after the top-level brace is "return" and the
     * last member is a numeric "id". In a complete, balanced object the bytes right before the final
     * brace are the last member's value, so a number there preceded by {@code "id":} and a comma is
     * the top-level id, not one nested in the return value.
     */
    private boolean fastReply(ByteBuffer b, int s, int e) {
        int j = e - 2; // e - 1 is the closing brace
        while (j > s && isSpace(b.get(j))) {
            j--;
        }
        long v = 0;
        long scale = 1;
        int digits = 0;
        byte c;
        while (j > s && (c = b.get(j)) >= '0' && c <= '9') {
            if (++digits > MAX_ID_DIGITS) {
                return false;
            }
            v += (c - '0') * scale;
            scale *= 10;
            j--;
        }
        if (digits == 0) {
            return false;
        }
        while (j > s && isSpace(b.get(j))) {
            j--;
        }
        if (b.get(j) != ':') {
            return false;
        }
        j--;
        while (j > s && isSpace(b.get(j))) {
            j--;
        }
        if (j - 4 <= s || b.get(j) != '"' || b.get(j - 1) != 'd' || b.get(j - 2) != 'i' || b.get(j - 3) != '"') {
            return false;
        }
        j -= 4;
        while (j > s && isSpace(b.get(j))) {
            j--;
        }
        if (b.get(j) != ',') {
            return false;
        }
        int k = s + 1;
        while (k < j && isSpace(b.get(k))) {
            k++;
        }
        if (k + 8 >= j || b.get(k) != '"' || b.get(k + 1) != 'r' || b.get(k + 2) != 'e' || b.get(k + 3) != 't'
                || b.get(k + 4) != 'u' || b.get(k + 5) != 'r' || b.get(k + 6) != 'n' || b.get(k + 7) != '"') {
            return false;
        }
        flags = RETURN | HAS_ID | NUMERIC_ID;
        id = v;
        return true;
    }

    /** Reads every top-level key. */
    private void classifyFully(ByteBuffer b, int s, int e) {
        int f = 0;
        long idValue = 0;
        int d = 0;
        boolean str = false;
        boolean esc = false;
        boolean expectKey = false;
        int keyStart = 0;
        for (int i = s; i < e; i++) {
            byte c = b.get(i);
            if (str) {
                if (esc) {
                    esc = false;
                } else if (c == '\\') {
                    esc = true;
                } else if (c == '"') {
                    str = false;
                    if (d == 1 && expectKey) {
                        expectKey = false;
                        int kl = i - keyStart;
                        if (key(b, keyStart, kl, "return")) {
                            f |= RETURN;
                        } else if (key(b, keyStart, kl, "error")) {
                            f |= ERROR;
                        } else if (key(b, keyStart, kl, "event")) {
                            f |= EVENT;
                        } else if (key(b, keyStart, kl, "QMP")) {
                            f |= GREETING;
                        } else if (key(b, keyStart, kl, "id")) {
                            f |= HAS_ID;
                            int j = i + 1;
                            while (j < e && (isSpace(b.get(j)) || b.get(j) == ':')) {
                                j++;
                            }
                            long v = 0;
                            int digits = 0;
                            while (j < e && b.get(j) >= '0' && b.get(j) <= '9' && digits <= MAX_ID_DIGITS) {
                                v = v * 10 + (b.get(j++) - '0');
                                digits++;
                            }
                            if (digits > 0 && digits <= MAX_ID_DIGITS && j < e) {
                                byte t = b.get(j);
                                if (t == ',' || t == '}' || isSpace(t)) {
                                    f |= NUMERIC_ID;
                                    idValue = v;
                                }
                            }
                        }
                    }
                }
                continue;
            }
            switch (c) {
                case '"':
                    str = true;
                    keyStart = i + 1;
                    break;
                case '{':
                case '[':
                    d++;
                    if (d == 1) {
                        expectKey = c == '{';
                    }
                    break;
                case '}':
                case ']':
                    d--;
                    break;
                case ',':
                    if (d == 1) {
                        expectKey = true;
                    }
                    break;
                default:
                    break;
            }
        }
        flags = f;
        id = idValue;
    }

    private static boolean key(ByteBuffer b, int at, int len, String k) {
        if (len != k.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b.get(at + i) != k.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\r' || c == '\n' || c == '\t';
    }
}

package org.qmon.qmp.internal.json;

import java.util.Arrays;

/**
 * The tokens of the message being framed, kept in one reusable byte array: the committed tokens
 * back to back ({@code [0, tokenStart)}), followed by the token the lexer is building
 * ({@code [tokenStart, length)}). This replaces QEMU's GString token plus GQueue of token copies
 * ({@code json-lexer.c}, {@code json-streamer.c}) without per-token allocation.
 *
 * <p>Memory stays bounded by the byte limit: json-streamer.c rejects a token when
 * {@code token_size + token length + 1 > MAX_TOKEN_SIZE}, and that only gets truer while the token
 * grows, so once {@code length + 1 > limit} the message is bound to fail with an error that only
 * needs the current token (a size error, or a lexical error quoting that token). At that point
 * the committed tokens are dropped ("doomed" message) and only the current token is kept, at
 * most {@code limit + 1} bytes.
 */
final class TokenBuffer {

    private static final int INITIAL_BYTES = 512;
    private static final int INITIAL_TOKENS = 64;
    /** Arrays above these sizes are released after the message, so idle connections stay small. */
    private static final int RETAIN_BYTES = 256 * 1024;
    private static final int RETAIN_TOKENS = 16 * 1024;

    private final int limit;
    private byte[] bytes;
    private int length;
    private int tokenStart;
    private int[] starts = new int[INITIAL_TOKENS];
    private byte[] types = new byte[INITIAL_TOKENS];
    private int count;
    private boolean doomed;
    /** append() may store without further checks while length is below this. */
    private int fastLimit;

    TokenBuffer(int limit) {
        this.limit = limit;
        this.bytes = new byte[initialBytes()];
        updateFastLimit();
    }

    byte[] bytes() {
        return bytes;
    }

    /** Number of committed tokens. */
    int count() {
        return count;
    }

    /** Total bytes of the committed tokens (json-streamer.c's {@code token_size}). */
    int committedBytes() {
        return tokenStart;
    }

    /** Length of the token being built. */
    int tokenLength() {
        return length - tokenStart;
    }

    int tokenStart() {
        return tokenStart;
    }

    int length() {
        return length;
    }

    /** Whether the message already exceeds the byte limit (see class comment). */
    boolean doomed() {
        return doomed;
    }

    int type(int token) {
        return types[token];
    }

    int start(int token) {
        return starts[token];
    }

    int end(int token) {
        return token + 1 < count ? starts[token + 1] : tokenStart;
    }

    void append(byte b) {
        if (length >= fastLimit) {
            makeRoom(1);
        }
        bytes[length++] = b;
    }

    void append(byte[] src, int off, int n) {
        if (length + n > fastLimit) {
            makeRoom(n);
        }
        System.arraycopy(src, off, bytes, length, n);
        length += n;
    }

    /** Makes the current token a committed token of the given type. */
    void commit(int type) {
        if (count == starts.length) {
            int n = count * 2;
            starts = Arrays.copyOf(starts, n);
            types = Arrays.copyOf(types, n);
        }
        starts[count] = tokenStart;
        types[count] = (byte) type;
        count++;
        tokenStart = length;
    }

    /** Forgets all tokens, including the one being built. */
    void clear() {
        length = 0;
        tokenStart = 0;
        count = 0;
        doomed = false;
        if (bytes.length > RETAIN_BYTES) {
            bytes = new byte[initialBytes()];
        }
        if (starts.length > RETAIN_TOKENS) {
            starts = new int[INITIAL_TOKENS];
            types = new byte[INITIAL_TOKENS];
        }
        updateFastLimit();
    }

    private int initialBytes() {
        return Math.min(INITIAL_BYTES, limit + 1);
    }

    private void makeRoom(int n) {
        int newLength = length + n;
        if (!doomed && newLength + 1 > limit) {
            // Bound to fail (class comment): keep only the token being built.
            doomed = true;
            int tokenLength = length - tokenStart;
            System.arraycopy(bytes, tokenStart, bytes, 0, tokenLength);
            length = tokenLength;
            tokenStart = 0;
            count = 0;
            newLength = length + n;
        }
        if (newLength > limit + 1) {
            // The lexer stops a token at limit + 1 bytes (json-lexer.c MAX_TOKEN_SIZE check).
            throw new IllegalStateException("token buffer overflow");
        }
        if (newLength > bytes.length) {
            long grown = Math.max((long) bytes.length * 2, newLength);
            bytes = Arrays.copyOf(bytes, (int) Math.min(grown, (long) limit + 1));
        }
        updateFastLimit();
    }

    private void updateFastLimit() {
        // Until doomed, stop the fast path where the next byte would make length + 1 > limit.
        fastLimit = doomed ? bytes.length : Math.min(bytes.length, limit - 1);
    }
}

package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;

/**
 * Incremental QEMU-compatible JSON input: lexer ({@code qobject/json-lexer.c}), streamer
 * ({@code qobject/json-streamer.c}) and parser ({@code qobject/json-parser.c}).
 *
 * <p>The input is a stream of concatenated JSON values, not lines. The streamer collects tokens
 * until, after a token, neither the brace nor the bracket count is positive (or one went
 * negative), then parses them as one message; so a top-level scalar is a message of its own.
 * Numbers and keywords need one byte of lookahead: {@code 1} alone is only reported when the
 * next byte arrives, as in QEMU.
 *
 * <p>Errors, each reported as one {@link JsonMessage} error, then the pending tokens are
 * discarded and the counts reset (json-streamer.c):
 * <ul>
 *   <li>lexical error: {@code JSON parse error, stray '<token so far, offending byte included>'};
 *       the lexer then skips input up to a structural character or an ASCII control character
 *       other than TAB (see {@link JsonLexer});</li>
 *   <li>limits: {@code JSON token size limit exceeded}, {@code JSON token count limit exceeded},
 *       {@code JSON nesting depth limit exceeded}; checked before a token is added, in this
 *       order; the lexer is not reset, so the rest of the message is lexed as new input;</li>
 *   <li>syntax errors of the parser ({@code JSON parse error, ...}).</li>
 * </ul>
 *
 * <p>Memory per instance is bounded by {@link JsonLimits#maxMessageBytes()} for token bytes plus
 * the token index. Not thread-safe; use one instance per connection.
 */
public final class JsonStreamer {

    private static final int SCRATCH_BYTES = 8192;

    private final JsonLimits limits;
    private final int maxBytes;
    private final TokenBuffer tokens;
    private final JsonLexer lexer;
    private final JsonParser parser = new JsonParser();
    private int braceCount;
    private int bracketCount;
    private JsonMessage pending;
    private byte[] scratch;

    /**
     * Whether a plain message met between messages goes through {@link JsonParser#fast} rather than the
     * lexer and the token list: only when the limits are wide enough that no message the fast path
     * takes could break one of them (a message near a limit is always lexed the full way).
     */
    private final boolean fastPath;

    /** Creates a streamer enforcing the given limits (usually {@link JsonLimits#QEMU}). */
    public JsonStreamer(JsonLimits limits) {
        this(limits, true);
    }

    /**
     * Creates a streamer.
     *
     * @param limits the limits
     * @param fastPath {@code false} to lex every message the full way (the tests compare the two)
     */
    JsonStreamer(JsonLimits limits, boolean fastPath) {
        this.limits = limits;
        this.maxBytes = (int) Math.min(limits.maxMessageBytes(), Integer.MAX_VALUE - 16);
        this.tokens = new TokenBuffer(maxBytes);
        this.lexer = new JsonLexer(tokens, this::token, maxBytes);
        this.fastPath = fastPath && limits.maxDepth() >= JsonParser.FAST_MAX_DEPTH
                && limits.maxTokens() >= JsonParser.FAST_MAX_TOKENS + 1 && maxBytes > JsonParser.FAST_MAX_BYTES;
    }

    /**
     * Consumes bytes from {@code buf} (position..limit) until one message is complete or the
     * buffer is exhausted.
     *
     * @return the message, with {@code buf.position()} just past the bytes consumed so far; or
     *     null when more input is needed (then all remaining bytes were consumed). Call again to
     *     get further messages from the same buffer; unconsumed bytes may also be passed later.
     */
    public JsonMessage next(ByteBuffer buf) {
        pending = null;
        if (buf.hasArray()) {
            int offset = buf.arrayOffset();
            if (fastPath && tokens.count() == 0 && tokens.tokenLength() == 0 && lexer.atStart()) {
                // Between messages: nothing is pending, so a plain message may skip the token list.
                JsonNode value = parser.fast(buf.array(), offset + buf.position(), offset + buf.limit());
                if (value != null) {
                    buf.position(parser.fastEnd() - offset);
                    return JsonMessage.ofValue(value);
                }
            }
            int end = lexer.feed(buf.array(), offset + buf.position(), offset + buf.limit());
            buf.position(end - offset);
        } else {
            if (scratch == null) {
                scratch = new byte[SCRATCH_BYTES];
            }
            while (pending == null && buf.hasRemaining()) {
                int n = Math.min(buf.remaining(), scratch.length);
                buf.get(buf.position(), scratch, 0, n);
                buf.position(buf.position() + lexer.feed(scratch, 0, n));
            }
        }
        JsonMessage message = pending;
        pending = null;
        return message;
    }

    /** Forgets all partial input, e.g. when the connection closes. */
    public void reset() {
        lexer.reset();
        tokens.clear();
        braceCount = 0;
        bracketCount = 0;
        pending = null;
    }

    /** json-streamer.c {@code json_message_process_token()}. */
    private boolean token(int type) {
        switch (type) {
            case JsonLexer.JSON_LCURLY -> braceCount++;
            case JsonLexer.JSON_RCURLY -> braceCount--;
            case JsonLexer.JSON_LSQUARE -> bracketCount++;
            case JsonLexer.JSON_RSQUARE -> bracketCount--;
            case JsonLexer.JSON_ERROR -> {
                // QEMU formats the token with %s: the text stops at a NUL byte.
                String text = ModifiedUtf8.decodeLenient(
                        tokens.bytes(), tokens.tokenStart(), tokens.length());
                return emit(JsonMessage.ofError("JSON parse error, stray '" + text + "'"));
            }
            default -> {
                // no bookkeeping for other tokens
            }
        }
        // "Security consideration, we limit total memory allocated per object and the maximum
        // recursion depth that a message can force."
        if (tokens.doomed()
                || (long) tokens.committedBytes() + tokens.tokenLength() + 1 > maxBytes) {
            return emit(JsonMessage.ofError("JSON token size limit exceeded"));
        }
        if (tokens.count() + 1 > limits.maxTokens()) {
            return emit(JsonMessage.ofError("JSON token count limit exceeded"));
        }
        if ((long) bracketCount + braceCount > limits.maxDepth()) {
            return emit(JsonMessage.ofError("JSON nesting depth limit exceeded"));
        }
        tokens.commit(type);
        if ((braceCount > 0 || bracketCount > 0) && braceCount >= 0 && bracketCount >= 0) {
            return false; // inside a container: need more tokens
        }
        return emit(parser.parse(tokens));
    }

    private boolean emit(JsonMessage message) {
        braceCount = 0;
        bracketCount = 0;
        tokens.clear();
        pending = message;
        return true;
    }
}

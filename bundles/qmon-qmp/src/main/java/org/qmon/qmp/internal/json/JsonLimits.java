package org.qmon.qmp.internal.json;

/**
 * Resource limits of the JSON input pipeline, with QEMU's values as {@link #QEMU}.
 *
 * <p>The three limits are those of QEMU's {@code qobject/json-streamer.c} ({@code MAX_TOKEN_SIZE},
 * {@code MAX_TOKEN_COUNT}, {@code MAX_NESTING}); {@code qobject/json-lexer.c} additionally caps a
 * single token at {@code MAX_TOKEN_SIZE}, which is {@link #maxMessageBytes()} here too.
 *
 * @param maxMessageBytes limit on the sum of the token bytes of one message (whitespace between
 *     tokens does not count), and on the size of a single token; values above
 *     {@code Integer.MAX_VALUE - 16} are treated as that value
 * @param maxTokens limit on the number of tokens of one message
 * @param maxDepth limit on {@code brace_count + bracket_count}, i.e. on the nesting depth
 */
public record JsonLimits(long maxMessageBytes, int maxTokens, int maxDepth) {

    /** QEMU's limits: 64 MiB, 2 Mi tokens, depth 1024 ({@code qobject/json-streamer.c}). */
    public static final JsonLimits QEMU = new JsonLimits(64L << 20, 2 << 20, 1024);

    /** Validates the limits. */
    public JsonLimits {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1: " + maxMessageBytes);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1: " + maxTokens);
        }
        if (maxDepth < 0) {
            throw new IllegalArgumentException("maxDepth must be >= 0: " + maxDepth);
        }
    }
}

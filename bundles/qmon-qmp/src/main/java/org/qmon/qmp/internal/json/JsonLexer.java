package org.qmon.qmp.internal.json;

import java.util.Arrays;

/**
 * QEMU's JSON lexer ({@code qobject/json-lexer.c}): a table-driven DFA fed one byte at a time.
 *
 * <p>Accepted tokens are RFC 8259 tokens plus QEMU's extensions: single-quoted strings and the
 * {@code \'} escape. Keywords are {@code [a-z]+} (the parser rejects unknown ones). Inside strings
 * any byte 0x20..0xFD is accepted and the byte after a backslash is not checked; decoding and
 * validation are left to the parser, exactly as in QEMU. Interpolation ({@code %d} etc.) is only
 * enabled for QEMU-internal callers, so {@code %} is a lexical error here.
 *
 * <p>Numbers and keywords end one byte late: the byte that ends them is lookahead and is lexed
 * again from the start state. A byte that is not allowed in the current state ends the token as
 * {@link #JSON_ERROR} (the byte is part of the error token) and switches to
 * {@link #IN_RECOVERY}, which skips bytes until a structural character, an ASCII control
 * character other than TAB, or 0xFE/0xFF; that byte is then lexed again from the start state.
 *
 * <p>Token bytes go to the shared {@link TokenBuffer}; each completed token is handed to the
 * {@link TokenSink}. Not thread-safe.
 */
final class JsonLexer {

    /** Receives the tokens; the token text is the current token of the {@link TokenBuffer}. */
    interface TokenSink {
        /**
         * Processes one token and leaves the token buffer consistent (token committed or
         * everything discarded).
         *
         * @return true when a message is complete and lexing must pause
         */
        boolean token(int type);
    }

    // Lexer states, as json-lexer.c's enum json_lexer_state.
    static final int IN_RECOVERY = 0;
    static final int IN_DQ_STRING_ESCAPE = 1;
    static final int IN_DQ_STRING = 2;
    static final int IN_SQ_STRING_ESCAPE = 3;
    static final int IN_SQ_STRING = 4;
    static final int IN_ZERO = 5;
    static final int IN_EXP_DIGITS = 6;
    static final int IN_EXP_SIGN = 7;
    static final int IN_EXP_E = 8;
    static final int IN_MANTISSA = 9;
    static final int IN_MANTISSA_DIGITS = 10;
    static final int IN_DIGITS = 11;
    static final int IN_SIGN = 12;
    static final int IN_KEYWORD = 13;
    static final int IN_START = 14;
    private static final int STATE_COUNT = 15;

    // Token types (include/qobject/json-parser.h JSONTokenType); all >= TOKEN_MIN.
    static final int TOKEN_MIN = 16;
    static final int JSON_ERROR = 16;
    static final int JSON_LCURLY = 17;
    static final int JSON_RCURLY = 18;
    static final int JSON_LSQUARE = 19;
    static final int JSON_RSQUARE = 20;
    static final int JSON_COLON = 21;
    static final int JSON_COMMA = 22;
    static final int JSON_INTEGER = 23;
    static final int JSON_FLOAT = 24;
    static final int JSON_KEYWORD = 25;
    static final int JSON_STRING = 26;
    /**
     * Not a token type of QEMU: a token that grew beyond the size limit. json-lexer.c passes its
     * lexer state as the type in that case, which the streamer then rejects as too large.
     */
    static final int JSON_OVERSIZED = 27;

    /** Table flag (as json-lexer.c's LOOKAHEAD): the byte is not consumed by this transition. */
    private static final int LOOKAHEAD = 0x80;

    private static final byte[] TABLE = buildTable();

    private final TokenBuffer tokens;
    private final TokenSink sink;
    private final int maxTokenBytes;
    private int state = IN_START;

    JsonLexer(TokenBuffer tokens, TokenSink sink, int maxTokenBytes) {
        this.tokens = tokens;
        this.sink = sink;
        this.maxTokenBytes = maxTokenBytes;
    }

    /** @return whether the lexer is between tokens in its start state (not in a token, not recovering) */
    boolean atStart() {
        return state == IN_START;
    }

    /** Returns to the start state (the caller clears the token buffer). */
    void reset() {
        state = IN_START;
    }

    /**
     * Lexes {@code in[from..to)} until the sink reports a complete message or the input ends.
     *
     * @return the index of the first byte not consumed; a lookahead byte that ended a message is
     *     not consumed and will be lexed again on the next call
     */
    int feed(byte[] in, int from, int to) {
        final TokenBuffer tb = tokens;
        final byte[] table = TABLE;
        int st = state;
        int i = from;
        while (i < to) {
            if (st == IN_DQ_STRING || st == IN_SQ_STRING) {
                // Fast path for string bodies: a run of plain bytes stays in the same state.
                int run = plainStringRun(in, i, to, st == IN_DQ_STRING ? '"' : '\'');
                run = Math.min(run, maxTokenBytes - tb.tokenLength());
                if (run > 0) {
                    tb.append(in, i, run);
                    i += run;
                    continue;
                }
            }
            int b = in[i] & 0xFF;
            int next = table[(st << 8) | b] & 0xFF;
            if (next < LOOKAHEAD) {
                i++;
                if (next < TOKEN_MIN) {
                    // A state. Whitespace (-> IN_START) and skipped bytes (-> IN_RECOVERY) are not
                    // kept: json-lexer.c truncates its token for both.
                    if (next != IN_START && next != IN_RECOVERY) {
                        tb.append((byte) b);
                        if (tb.tokenLength() > maxTokenBytes) {
                            // json-lexer.c: "Do not let a single token grow to an arbitrarily
                            // large size" - emit it, restart in the start state.
                            st = IN_START;
                            if (sink.token(JSON_OVERSIZED)) {
                                state = st;
                                return i;
                            }
                            continue;
                        }
                    }
                    st = next;
                    continue;
                }
                // A token ending with this byte; for JSON_ERROR the offending byte is included.
                tb.append((byte) b);
                st = next == JSON_ERROR ? IN_RECOVERY : IN_START;
            } else {
                next &= ~LOOKAHEAD;
                st = IN_START;
                if (next == IN_START) {
                    continue; // recovery found a resynchronisation byte; lex it from the start
                }
                // A number or keyword ended by this (unconsumed) byte.
            }
            if (sink.token(next)) {
                state = st;
                return i;
            }
        }
        state = st;
        return i;
    }

    /** Length of the run of bytes at {@code in[i..)} that keep a string in its plain state. */
    private static int plainStringRun(byte[] in, int i, int to, int quote) {
        int j = i;
        while (j < to) {
            int c = in[j] & 0xFF;
            if (c < 0x20 || c > 0xFD || c == quote || c == '\\') {
                break;
            }
            j++;
        }
        return j - i;
    }

    private static byte[] buildTable() {
        byte[] t = new byte[STATE_COUNT * 256];
        // json-lexer.c relies on default initialisation to JSON_ERROR (0): unlisted bytes are errors.
        Arrays.fill(t, (byte) JSON_ERROR);

        // Error recovery: skip until a structural character, a control character other than
        // TAB, or the impossible UTF-8 bytes 0xFE/0xFF; re-lex that byte from the start.
        set(t, IN_RECOVERY, 0x00, 0x1F, IN_START | LOOKAHEAD);
        set(t, IN_RECOVERY, 0x20, 0xFD, IN_RECOVERY);
        set(t, IN_RECOVERY, 0xFE, 0xFF, IN_START | LOOKAHEAD);
        set(t, IN_RECOVERY, '\t', '\t', IN_RECOVERY);
        for (char c : "[]{}:,".toCharArray()) {
            set(t, IN_RECOVERY, c, c, IN_START | LOOKAHEAD);
        }

        // Strings: any byte 0x20..0xFD; anything of that range may follow a backslash.
        set(t, IN_DQ_STRING_ESCAPE, 0x20, 0xFD, IN_DQ_STRING);
        set(t, IN_DQ_STRING, 0x20, 0xFD, IN_DQ_STRING);
        set(t, IN_DQ_STRING, '\\', '\\', IN_DQ_STRING_ESCAPE);
        set(t, IN_DQ_STRING, '"', '"', JSON_STRING);
        set(t, IN_SQ_STRING_ESCAPE, 0x20, 0xFD, IN_SQ_STRING);
        set(t, IN_SQ_STRING, 0x20, 0xFD, IN_SQ_STRING);
        set(t, IN_SQ_STRING, '\\', '\\', IN_SQ_STRING_ESCAPE);
        set(t, IN_SQ_STRING, '\'', '\'', JSON_STRING);

        // Numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; a digit after a leading 0 is
        // an error, any other byte ends the number (lookahead).
        set(t, IN_ZERO, 0x00, 0xFF, JSON_INTEGER | LOOKAHEAD);
        set(t, IN_ZERO, '0', '9', JSON_ERROR);
        set(t, IN_ZERO, '.', '.', IN_MANTISSA);
        set(t, IN_EXP_DIGITS, 0x00, 0xFF, JSON_FLOAT | LOOKAHEAD);
        set(t, IN_EXP_DIGITS, '0', '9', IN_EXP_DIGITS);
        set(t, IN_EXP_SIGN, '0', '9', IN_EXP_DIGITS);
        set(t, IN_EXP_E, '-', '-', IN_EXP_SIGN);
        set(t, IN_EXP_E, '+', '+', IN_EXP_SIGN);
        set(t, IN_EXP_E, '0', '9', IN_EXP_DIGITS);
        set(t, IN_MANTISSA_DIGITS, 0x00, 0xFF, JSON_FLOAT | LOOKAHEAD);
        set(t, IN_MANTISSA_DIGITS, '0', '9', IN_MANTISSA_DIGITS);
        set(t, IN_MANTISSA_DIGITS, 'e', 'e', IN_EXP_E);
        set(t, IN_MANTISSA_DIGITS, 'E', 'E', IN_EXP_E);
        set(t, IN_MANTISSA, '0', '9', IN_MANTISSA_DIGITS);
        set(t, IN_DIGITS, 0x00, 0xFF, JSON_INTEGER | LOOKAHEAD);
        set(t, IN_DIGITS, '0', '9', IN_DIGITS);
        set(t, IN_DIGITS, 'e', 'e', IN_EXP_E);
        set(t, IN_DIGITS, 'E', 'E', IN_EXP_E);
        set(t, IN_DIGITS, '.', '.', IN_MANTISSA);
        set(t, IN_SIGN, '0', '0', IN_ZERO);
        set(t, IN_SIGN, '1', '9', IN_DIGITS);

        // Keywords: [a-z]+, validated by the parser.
        set(t, IN_KEYWORD, 0x00, 0xFF, JSON_KEYWORD | LOOKAHEAD);
        set(t, IN_KEYWORD, 'a', 'z', IN_KEYWORD);

        // Start state (IN_START; IN_START_INTERP is not used: no interpolation on QMP input).
        set(t, IN_START, '"', '"', IN_DQ_STRING);
        set(t, IN_START, '\'', '\'', IN_SQ_STRING);
        set(t, IN_START, '0', '0', IN_ZERO);
        set(t, IN_START, '1', '9', IN_DIGITS);
        set(t, IN_START, '-', '-', IN_SIGN);
        set(t, IN_START, '{', '{', JSON_LCURLY);
        set(t, IN_START, '}', '}', JSON_RCURLY);
        set(t, IN_START, '[', '[', JSON_LSQUARE);
        set(t, IN_START, ']', ']', JSON_RSQUARE);
        set(t, IN_START, ',', ',', JSON_COMMA);
        set(t, IN_START, ':', ':', JSON_COLON);
        set(t, IN_START, 'a', 'z', IN_KEYWORD);
        for (char c : " \t\r\n".toCharArray()) {
            set(t, IN_START, c, c, IN_START);
        }
        return t;
    }

    private static void set(byte[] t, int state, int first, int last, int next) {
        Arrays.fill(t, (state << 8) | first, ((state << 8) | last) + 1, (byte) next);
    }
}

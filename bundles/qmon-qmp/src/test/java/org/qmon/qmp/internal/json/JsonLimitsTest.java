package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.qmp.internal.json.StreamerTestSupport.all;
import static org.qmon.qmp.internal.json.StreamerTestSupport.raw;
import static org.qmon.qmp.internal.json.StreamerTestSupport.render;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits of json-streamer.c / json-lexer.c and how QEMU continues after hitting one. */
class JsonLimitsTest {

    private static final String NESTING = "error: JSON nesting depth limit exceeded";
    private static final String SIZE = "error: JSON token size limit exceeded";
    private static final String COUNT = "error: JSON token count limit exceeded";
    private static final String EXPECTING_VALUE = "error: JSON parse error, expecting value";

    private static List<String> run(JsonLimits limits, String input) {
        return render(all(new JsonStreamer(limits), raw(input)));
    }

    @Test
    void qemuDefaults() {
        assertEquals(64L * 1024 * 1024, JsonLimits.QEMU.maxMessageBytes());
        assertEquals(2 * 1024 * 1024, JsonLimits.QEMU.maxTokens());
        assertEquals(1024, JsonLimits.QEMU.maxDepth());
        assertThrows(IllegalArgumentException.class, () -> new JsonLimits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new JsonLimits(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new JsonLimits(1, 1, -1));
    }

    @Test
    void nesting1025IsRejectedAndNextMessageParses() {
        List<String> out = run(JsonLimits.QEMU, "[".repeat(1025) + "\n{\"execute\": \"x\"}\n");
        assertEquals(List.of(NESTING, "{\"execute\": \"x\"}"), out);
    }

    @Test
    void checkQjsonLimitsNesting() {
        // check-qjson.c limits_nesting / make_nest(): 1024 levels parse, 1025 do not
        assertEquals(List.of(makeNest(1024)), run(JsonLimits.QEMU, makeNest(1024)));
        List<String> out = run(JsonLimits.QEMU, makeNest(1025));
        // The error drops the pending tokens; each closing token that follows is then a
        // message of its own ("}" and 1024 times "]"), each failing with "expecting value".
        List<String> expected = new ArrayList<>();
        expected.add(NESTING);
        for (int i = 0; i < 1025; i++) {
            expected.add(EXPECTING_VALUE);
        }
        assertEquals(expected, out);
    }

    private static String makeNest(int cnt) {
        return "[".repeat(cnt - 1) + "{}" + "]".repeat(cnt - 1);
    }

    @Test
    void nestingErrorDoesNotResetLexer() {
        // After the error the rest of the input is lexed and framed as new messages.
        JsonLimits limits = new JsonLimits(64L << 20, 2 << 20, 2);
        assertEquals(List.of(NESTING, "1", EXPECTING_VALUE, EXPECTING_VALUE, EXPECTING_VALUE),
                run(limits, "[[[1]]]\n"));
        assertEquals(List.of("[[1]]"), run(limits, "[[1]]\n"));
        assertEquals(List.of("[{\"a\": 1}]"), run(limits, "[{\"a\": 1}]\n"));
        assertEquals(List.of(NESTING, EXPECTING_VALUE, EXPECTING_VALUE, EXPECTING_VALUE),
                run(limits, "[{\"a\": {}}]\n"));
    }

    @Test
    void tokenCountLimit() {
        JsonLimits limits = new JsonLimits(64L << 20, 5, 1024);
        assertEquals(List.of("[1, 2]"), run(limits, "[1,2]\n"));
        assertEquals(List.of(COUNT, EXPECTING_VALUE), run(limits, "[1,2,3]\n"));
        assertEquals(List.of(COUNT, EXPECTING_VALUE, "{\"a\": 1}"), run(limits, "[1,2,3]\n{'a':1}"));
    }

    @Test
    void messageSizeLimitCountsTokenBytesOnly() {
        JsonLimits limits = new JsonLimits(10, 2 << 20, 1024);
        // 9 token bytes: allowed (json-streamer.c: token_size + len + 1 > MAX is an error)
        assertEquals(List.of("{\"a\": \"x\"}"), run(limits, "{ \"a\" :   \"x\" }\n"));
        // 10 token bytes: the closing brace is rejected
        assertEquals(List.of(SIZE), run(limits, "{\"a\":\"xx\"}\n"));
        // the string is rejected, then the lone "}" fails
        assertEquals(List.of(SIZE, EXPECTING_VALUE), run(limits, "{\"a\":\"xxxxx\"}\n"));
    }

    @Test
    void singleTokenCapRestartsLexerInsideTheToken() {
        // json-lexer.c emits an over-long token and continues in the start state: the rest
        // of the string is lexed as JSON ("ij" keyword, then a new string hitting the LF).
        JsonLimits limits = new JsonLimits(8, 2 << 20, 1024);
        assertEquals(List.of(SIZE, "error: JSON parse error, invalid keyword 'ij'",
                "error: JSON parse error, stray '\"\n'"), run(limits, "\"abcdefghij\"\n"));
        // 7 bytes fit (7 + 1 <= 8), 8 bytes do not
        assertEquals(List.of("\"abcde\""), run(limits, "\"abcde\"\n"));
        assertEquals(List.of(SIZE), run(limits, "\"abcdef\"\n"));
    }

    @Test
    void oversizedMessageAfterEarlierTokens() {
        JsonLimits limits = new JsonLimits(16, 2 << 20, 1024);
        // the string completes: size error, then the lone "}"
        assertEquals(List.of(SIZE, EXPECTING_VALUE, "{\"a\": 1}"),
                run(limits, "{\"key\": \"0123456789\"}\n{\"a\":1}\n"));
        // the string itself exceeds the token cap
        assertEquals(List.of(SIZE, "error: JSON parse error, stray '\"}\n'", "{\"a\": 1}"),
                run(limits, "{\"key\": \"0123456789abcdef\"}\n{\"a\":1}\n"));
        // a lexical error in a message that is already too large quotes only its token
        assertEquals(List.of("error: JSON parse error, stray '\"0123456789\u0001'", EXPECTING_VALUE,
                "{\"a\": 1}"),
                run(limits, "{\"key\": \"0123456789\u0001\"}\n{\"a\":1}\n"));
    }

    @Test
    void sizeLimitAcrossManyBuffers() {
        JsonLimits limits = new JsonLimits(1000, 2 << 20, 1024);
        JsonStreamer s = new JsonStreamer(limits);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            sb.append(i).append(',');
        }
        sb.append("0]\n[1]\n");
        List<JsonMessage> ms = new ArrayList<>();
        byte[] in = raw(sb.toString());
        for (int off = 0; off < in.length; off += 7) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(in, off, Math.min(7, in.length - off));
            JsonMessage m;
            while ((m = s.next(buf)) != null) {
                ms.add(m);
            }
        }
        List<String> out = render(ms);
        assertEquals(SIZE, out.get(0));
        assertEquals("[1]", out.get(out.size() - 1));
    }

    @Test
    void doomedMessageKeepsOnlyCurrentToken() {
        TokenBuffer tb = new TokenBuffer(100);
        for (int i = 0; i < 6; i++) {
            tb.append(raw("\"0123456\""), 0, 9);
            tb.commit(JsonLexer.JSON_STRING);
        }
        assertEquals(54, tb.committedBytes());
        assertTrue(!tb.doomed());
        byte[] big = new byte[60];
        tb.append(big, 0, 60);
        assertTrue(tb.doomed());
        assertEquals(0, tb.committedBytes());
        assertEquals(60, tb.tokenLength());
        tb.append(new byte[41], 0, 41);
        assertEquals(101, tb.tokenLength());
        assertTrue(tb.bytes().length <= 101);
        tb.clear();
        assertTrue(!tb.doomed());
        assertEquals(0, tb.length());
    }
}

package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.qmon.qmp.internal.json.StreamerTestSupport.raw;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast path ({@link JsonParser#fast}) against the full lexer, streamer and parser: with it and
 * without it, a streamer gives the same messages, node for node (types included), in the same member
 * order, for any input in any split; and it does take the plain requests it is there for.
 */
class JsonFastPathTest {

    /** Messages of a streamer, each as {@link StreamerTestSupport#exact}, in reads of the sizes {@code splits} repeats. */
    private static List<String> messages(boolean fastPath, JsonLimits limits, byte[] input, int[] splits) {
        return StreamerTestSupport.exactMessages(new JsonStreamer(limits, fastPath), input,
                k -> splits == null ? input.length : Math.max(1, splits[k % splits.length]));
    }

    private static void agree(byte[] input, int[] splits) {
        for (JsonLimits limits : new JsonLimits[] {JsonLimits.QEMU, new JsonLimits(1 << 20, 600, 17)}) {
            List<String> full = messages(false, limits, input, splits);
            List<String> fast = messages(true, limits, input, splits);
            assertEquals(full, fast, () -> new String(input, StandardCharsets.ISO_8859_1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"execute\": \"query-status\"}",
        "{\"execute\":\"query-status\",\"id\":5}\r\n",
        "  \n\t{ \"execute\" : \"qmp_capabilities\" , \"arguments\" : { \"enable\" : [ \"oob\" ] } }",
        "{\"exec-oob\": \"migrate-pause\", \"id\": \"a b\"}",
        "{\"execute\": \"x\", \"arguments\": {\"a\": true, \"b\": false, \"c\": null, \"d\": [], \"e\": {}, \"f\": [1, [2, [3]]]}}",
        "{\"id\": -0}", "{\"id\": 0}", "{\"id\": 2147483647}", "{\"id\": 2147483648}", "{\"id\": -2147483649}",
        "{\"id\": 999999999999999999}", "{\"id\": -999999999999999999}",
        "{}", "{\"a\": {\"b\": {\"c\": {}}}}", "{\"a\": \"it's ~ {} [] : ,\"}",
    })
    void plainRequestsTakeTheFastPathAndGiveTheFullPathsTree(String request) {
        byte[] b = raw(request);
        assertNotNull(new JsonParser().fast(b, 0, b.length), "taken by the fast path");
        agree(b, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\": 1234567890123456789}", "{\"id\": 01}", "{\"id\": 1.5}", "{\"id\": 1e3}", "{\"id\": -}",
        "{\"a\": \"\\n\"}", "{\"a\": \"\u00e9\"}", "{'a': 1}", "{\"a\": 'b'}", "{\"a\": 1, \"a\": 2}",
        "{\"a\": 1,}", "{\"a\" 1}", "{\"a\": 1 \"b\": 2}", "{1: 2}", "{\"a\": tru}", "{\"a\": truex}",
        "{\"a\": nul}", "{\"a\": 1\f}", "{\"a\": [1,]}", "{\"a\": [1 2]}", "{\"a\": }",
        "{\"a\": 1", "{\"a\": \"b", "{\"a\": 12", "{\"a\": true", "{", "[1]", "1", "\"s\"", "{\"a\": %d}",
        "{\"a\": \u0001}", "{\"a\": \"\u0001\"}", "{\"a\": \"\u007f\"}",
    })
    void anythingElseIsLeftToTheFullPath(String input) {
        byte[] b = raw(input);
        assertNull(new JsonParser().fast(b, 0, b.length), "declined");
        agree(b, null);
        agree(raw(input + "\n{\"execute\": \"after\"}\n"), null);
    }

    @Test
    void nestingAtTheLimitsIsLeftToTheFullPathWhereItMatters() {
        for (int depth : new int[] {15, 16, 17, 18, 40}) {
            String open = "{\"a\": ".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
            byte[] b = raw(open);
            agree(b, null);
            assertEquals(depth <= JsonParser.FAST_MAX_DEPTH, new JsonParser().fast(b, 0, b.length) != null, open);
        }
        StringBuilder many = new StringBuilder("{\"a\": [");
        for (int i = 0; i < 400; i++) {
            many.append(i).append(", ");
        }
        many.append("0]}");
        agree(raw(many.toString()), null); // over FAST_MAX_TOKENS: the full path's
        assertNull(new JsonParser().fast(raw(many.toString()), 0, many.length()));
    }

    @Test
    void aMessageEndsAtItsClosingBraceWhateverFollows() {
        byte[] b = raw("{\"a\": 1}}{\"b\": 2}");
        JsonParser p = new JsonParser();
        assertNotNull(p.fast(b, 0, b.length));
        assertEquals(8, p.fastEnd());
        agree(b, null);
    }

    @Test
    void everySplitOfAStreamGivesTheSameMessages() {
        byte[] stream = raw("{\"execute\": \"a\", \"id\": 1}\r\n{\"execute\":\"b\"}{\"id\": 1.5}  {\"x\": [true, null]}\n"
                + "garbage{\"execute\": \"c\", \"arguments\": {\"k\": \"v\"}}\n12 {\"a\": \"\\u00e9\"}{\"a\":1,\"a\":1}\n");
        for (int size = 1; size <= stream.length; size++) {
            agree(stream, new int[] {size});
        }
    }

    @Test
    void randomRequestsAndMutationsAgree() {
        Random rnd = new Random(2026);
        byte[] alphabet = raw("{}[]:,\"' \n\t\r\f0123456789-.eEaflnrstuxz\\%\u0001\u00e9");
        for (int iter = 0; iter < 20_000; iter++) {
            StringBuilder b = new StringBuilder();
            for (int m = rnd.nextInt(4); m >= 0; m--) {
                b.append(request(rnd, 0)).append(rnd.nextBoolean() ? "\n" : rnd.nextBoolean() ? "\r\n" : "");
            }
            byte[] input = raw(b.toString());
            for (int k = rnd.nextInt(3); k > 0 && input.length > 0; k--) { // mutate a few bytes
                input[rnd.nextInt(input.length)] = alphabet[rnd.nextInt(alphabet.length)];
            }
            int[] splits = new int[1 + rnd.nextInt(4)];
            for (int i = 0; i < splits.length; i++) {
                splits[i] = 1 + rnd.nextInt(Math.max(1, input.length));
            }
            agree(input, splits);
        }
    }

    private static final List<String> WORDS = List.of("execute", "exec-oob", "id", "arguments", "query-status",
            "a b", "", "x", "enable", "oob");

    private static String request(Random rnd, int depth) {
        StringBuilder b = new StringBuilder("{");
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',').append(rnd.nextBoolean() ? " " : "");
            }
            b.append('"').append(WORDS.get(rnd.nextInt(WORDS.size()))).append("\": ").append(value(rnd, depth + 1));
        }
        return b.append('}').toString();
    }

    private static String value(Random rnd, int depth) {
        switch (rnd.nextInt(depth > 3 ? 5 : 7)) {
            case 0:
                return "\"" + WORDS.get(rnd.nextInt(WORDS.size())) + "\"";
            case 1:
                return Long.toString(rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(1000) - 10);
            case 2:
                return List.of("true", "false", "null").get(rnd.nextInt(3));
            case 3:
                return rnd.nextBoolean() ? "1.5" : "\"\\n\"";
            case 4:
                return "0";
            case 5: {
                StringBuilder b = new StringBuilder("[");
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    b.append(value(rnd, depth + 1)).append(i > 1 ? ", " : "");
                }
                return b.append(']').toString();
            }
            default:
                return request(rnd, depth);
        }
    }
}

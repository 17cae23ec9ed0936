package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.qmp.internal.json.StreamerTestSupport.all;
import static org.qmon.qmp.internal.json.StreamerTestSupport.raw;
import static org.qmon.qmp.internal.json.StreamerTestSupport.render;
import static org.qmon.qmp.internal.json.StreamerTestSupport.singleError;
import static org.qmon.qmp.internal.json.StreamerTestSupport.singleValue;
import static org.qmon.qmp.internal.json.StreamerTestSupport.utf8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Framing, recovery and QMP-level behaviour of {@link JsonStreamer}. */
class JsonStreamerTest {

    @Test
    void messageHoldsExactlyOneOfValueAndError() {
        JsonMessage ok = JsonMessage.ofValue(NullNode.getInstance());
        assertFalse(ok.isError());
        JsonMessage err = JsonMessage.ofError("JSON parse error, expecting value");
        assertTrue(err.isError());
        assertNull(err.value());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new JsonMessage(null, null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new JsonMessage(NullNode.getInstance(), "x"));
    }

    @Test
    void missingValueIsExpectingValue() {
        assertEquals("JSON parse error, expecting value", singleError("{\"execute\": }\n"));
    }

    @Test
    void duplicateKeyIsRejected() {
        assertEquals("JSON parse error, duplicate key", singleError("{\"a\": 1, \"a\": 2}\n"));
    }

    @Test
    void errorInValueWinsOverDuplicateKey() {
        // parse_pair() checks for the duplicate only after the value parsed
        assertEquals("JSON parse error, invalid keyword 'tru'",
                singleError("{\"a\": 1, \"a\": tru}\n"));
    }

    @Test
    void invalidKeyword() {
        assertEquals("JSON parse error, invalid keyword 'tru'", singleError("{\"execute\": tru}\n"));
    }

    @Test
    void scalarsAndEmptyContainersAreMessages() {
        assertEquals("[]", QmpJsonWriter.toJson(singleValue("[]\n")));
        assertEquals("{}", QmpJsonWriter.toJson(singleValue("{}\n")));
        assertEquals("x", singleValue("\"x\"\n").textValue());
        assertEquals(IntNode.valueOf(1), singleValue("1\n"));
        assertEquals(NullNode.getInstance(), singleValue("null\n"));
        assertTrue(singleValue("true\n").booleanValue());
        assertFalse(singleValue("false\n").booleanValue());
    }

    @Test
    void numberNeedsOneByteOfLookahead() {
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        ByteBuffer buf = ByteBuffer.wrap(raw("1"));
        assertNull(s.next(buf));
        assertFalse(buf.hasRemaining());
        ByteBuffer nl = ByteBuffer.wrap(raw("\n"));
        JsonMessage m = s.next(nl);
        assertEquals(IntNode.valueOf(1), m.value());
        assertEquals(0, nl.position(), "the lookahead byte is not consumed by the number");
        assertNull(s.next(nl));
        assertFalse(nl.hasRemaining());
    }

    @Test
    void objectNeedsNoLookahead() {
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        ByteBuffer buf = ByteBuffer.wrap(raw("{\"execute\": \"qmp_capabilities\"}"));
        JsonMessage m = s.next(buf);
        assertEquals("qmp_capabilities", m.value().get("execute").textValue());
        assertFalse(buf.hasRemaining());
    }

    @Test
    void twoMessagesInOneBufferInOrder() {
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        ByteBuffer buf = ByteBuffer.wrap(raw("{\"a\":1}{\"b\":2}"));
        JsonMessage first = s.next(buf);
        assertEquals(7, buf.position(), "position is just past the first message");
        JsonMessage second = s.next(buf);
        assertNull(s.next(buf));
        assertEquals("{\"a\": 1}", QmpJsonWriter.toJson(first.value()));
        assertEquals("{\"b\": 2}", QmpJsonWriter.toJson(second.value()));
    }

    @Test
    void messageSplitIntoOneByteBuffers() {
        byte[] input = utf8("{ 'execute': 'x', \"arguments\": {\"list\": [1, -2.5e3, true, null, \"\u00e9\\u00e9\"]} }\n");
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        List<JsonMessage> ms = new ArrayList<>();
        for (byte b : input) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {b});
            JsonMessage m;
            while ((m = s.next(one)) != null) {
                ms.add(m);
            }
        }
        assertEquals(List.of("{\"execute\": \"x\", \"arguments\": {\"list\": [1, -2500, true, null, \"\\u00E9\\u00E9\"]}}"),
                render(ms));
    }

    @Test
    void backPressureLeavesBytesInBuffer() {
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        ByteBuffer buf = ByteBuffer.wrap(raw("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n"));
        JsonMessage m1 = s.next(buf);
        assertEquals(1, m1.value().get("id").intValue());
        int pos = buf.position();
        assertTrue(buf.hasRemaining());
        // The caller stops here (queue full) and resumes later with the same buffer.
        assertEquals(pos, buf.position());
        assertEquals(2, s.next(buf).value().get("id").intValue());
        // ... or with the remaining bytes moved to another buffer
        ByteBuffer rest = ByteBuffer.allocate(64);
        rest.put(buf).flip();
        assertEquals(3, s.next(rest).value().get("id").intValue());
        assertNull(s.next(rest));
    }

    @Test
    void compactedBufferContinuesPartialMessage() {
        // Typical read loop: read, drain messages, compact, read more.
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        ByteBuffer buf = ByteBuffer.allocate(16);
        buf.put(raw("{\"execute\":")).flip();
        assertNull(s.next(buf));
        buf.compact();
        buf.put(raw(" \"stop\"}")).flip();
        assertEquals("stop", s.next(buf).value().get("execute").textValue());
    }

    @Test
    void directAndReadOnlyBuffers() {
        byte[] input = raw("{\"a\": [1, 2]} 3 \"x\"\n");
        List<String> expected = List.of("{\"a\": [1, 2]}", "3", "\"x\"");
        for (ByteBuffer buf : List.of(ByteBuffer.allocateDirect(input.length).put(input).flip(),
                ByteBuffer.wrap(input).asReadOnlyBuffer())) {
            JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
            List<JsonMessage> ms = new ArrayList<>();
            JsonMessage m;
            while ((m = s.next(buf)) != null) {
                ms.add(m);
            }
            assertEquals(expected, render(ms));
            assertFalse(buf.hasRemaining());
        }
    }

    @Test
    void directBufferStopsAtMessageBoundary() {
        byte[] input = raw("[1] [2]");
        ByteBuffer buf = ByteBuffer.allocateDirect(input.length).put(input).flip();
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        assertEquals("[1]", QmpJsonWriter.toJson(s.next(buf).value()));
        assertEquals(3, buf.position());
    }

    @Test
    void arrayOffsetOfSlicedBufferIsHonoured() {
        byte[] backing = raw("garbage[7]\n");
        ByteBuffer slice = ByteBuffer.wrap(backing, 7, 4).slice();
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        assertEquals("[7]", QmpJsonWriter.toJson(s.next(slice).value()));
        assertEquals(3, slice.position());
    }

    @Test
    void singleQuotedStrings() {
        JsonNode v = singleValue("{'execute': 'x', 'q': 'say \"hi\"'}\n");
        assertEquals("x", v.get("execute").textValue());
        assertEquals("say \"hi\"", v.get("q").textValue());
    }

    @Test
    void apostropheEscapeInBothQuoteKinds() {
        assertEquals("'", singleValue("\"\\'\"\n").textValue());
        assertEquals("'", singleValue("'\\''\n").textValue());
        assertEquals("the bee's knees", singleValue("\"the bee's knees\"").textValue());
    }

    @Test
    void leadingZeroIsLexicalError() {
        assertEquals("JSON parse error, stray '01'", singleError("01\n"));
        assertEquals("JSON parse error, stray '00'", singleError("00"));
        assertEquals("JSON parse error, stray '-01'", singleError("-01\n"));
    }

    @Test
    void lexicalErrorThenGoodMessage() {
        List<JsonMessage> ms = all("\u0001{\"execute\": \"x\"}\n");
        assertEquals(List.of("error: JSON parse error, stray '\u0001'", "{\"execute\": \"x\"}"), render(ms));
    }

    @Test
    void strayByteInsideObject() {
        // The error discards the pending tokens; '}' then arrives alone (brace count -1).
        List<JsonMessage> ms = all("{\"a\" @}\n{\"execute\": \"x\"}\n");
        assertEquals(List.of(
                "error: JSON parse error, stray '@'",
                "error: JSON parse error, expecting value",
                "{\"execute\": \"x\"}"), render(ms));
    }

    @Test
    void recoverySkipsToStructuralCharacterOrControlCharacter() {
        // After the error, "abc xyz\t" is skipped; TAB does not resynchronise, LF does.
        List<JsonMessage> ms = all("@abc xyz\t\n[1]\n");
        assertEquals(List.of("error: JSON parse error, stray '@'", "[1]"), render(ms));
        // a structural character resynchronises and is lexed
        assertEquals(List.of("error: JSON parse error, stray '%'", "[2]"), render(all("%foo[2]\n")));
        // 0xFF both causes and ends recovery
        assertEquals(List.of("error: JSON parse error, stray '@'", "error: JSON parse error, stray '\uFFFD'",
                "3"), render(all("@x\u00ff\n3\n")));
        // digits are skipped too while recovering
        assertEquals(List.of("error: JSON parse error, stray '.'"), render(all(".5\n")));
    }

    @Test
    void qmpTestMalformedInputs() {
        // tests/qtest/qmp-test.c test_malformed(): one error each, then recovered
        String good = "{ 'execute': 'no-such-cmd' }";
        String[][] cases = {
            {"{]\n", "JSON parse error, expecting value"},
            {"{\u00ff", "JSON parse error, stray '\uFFFD'"},
            {"{\u0001", "JSON parse error, stray '\u0001'"},
            {"{'bad \u00ff", "JSON parse error, stray ''bad \uFFFD'"},
            {"{'execute': 'nonexistent', 'id':'\n", "JSON parse error, stray ''\n'"},
            {"%%p", "JSON parse error, stray '%'"},
        };
        for (String[] c : cases) {
            List<JsonMessage> ms = all(c[0] + good);
            assertEquals(List.of("error: " + c[1], "{\"execute\": \"no-such-cmd\"}"), render(ms), c[0]);
        }
    }

    @Test
    void percentIsLexicalError() {
        assertEquals(List.of("error: JSON parse error, stray '%'"), render(all("%d ")));
        assertEquals("100%", singleValue("'100%'").textValue());
    }

    @Test
    void nulByteEndsStrayText() {
        // QEMU formats the token with %s, which stops at the NUL byte.
        assertEquals("JSON parse error, stray '\"ab'", singleError("\"ab\u0000"));
        assertEquals("JSON parse error, stray ''", singleError("\u0000"));
    }

    @Test
    void controlCharacterInStringIsLexicalError() {
        // the offending byte ends the token; recovery then skips the rest of the string
        assertEquals("JSON parse error, stray '\"a\t'", singleError("\"a\tb\""));
        // the LF is consumed by the error, the next LF resynchronises
        assertEquals(List.of("error: JSON parse error, stray '\"abc\n'", "\"x\""),
                render(all("\"abc\n\n\"x\"")));
    }

    @Test
    void numberSyntax() {
        assertEquals(List.of("error: JSON parse error, stray '1.x'"), render(all("1.x")));
        assertEquals(List.of("error: JSON parse error, stray '-x'"), render(all("-x")));
        assertEquals(List.of("error: JSON parse error, stray '1e+x'"), render(all("1e+x")));
        assertEquals(List.of("error: JSON parse error, stray '1e]'"), render(all("[1e]")));
        // a number ends at any byte that cannot continue it
        assertEquals(List.of("1", "error: JSON parse error, invalid keyword 'abc'"), render(all("1abc ")));
        assertEquals(new DoubleNode(1000.0), singleValue("1e3\n"));
        assertEquals(new DoubleNode(100.0), singleValue("1E+2\n"));
        assertEquals(new DoubleNode(-0.0), singleValue("-0.0\n"));
        assertEquals(new DoubleNode(0.5), singleValue("0.5\n"));
    }

    @Test
    void multipleValues() {
        // check-qjson.c multiple_values: as a stream these are separate messages
        assertEquals(List.of("false", "true"), render(all("false true\n")));
        assertEquals(List.of("error: JSON parse error, expecting value", "true"), render(all("} true\n")));
    }

    @Test
    void syntaxErrors() {
        assertEquals("JSON parse error, key is not a string in object", singleError("{32:'abc'}"));
        assertEquals("JSON parse error, key is not a string in object", singleError("{{}: 1}"));
        assertEquals("JSON parse error, key is not a string in object", singleError("{null: 1}"));
        assertEquals("JSON parse error, invalid keyword 'nul'", singleError("{nul: 1}"));
        assertEquals("JSON parse error, missing : in object pair", singleError("{\"a\" 1}"));
        assertEquals("JSON parse error, missing : in object pair", singleError("{\"a\", 1}"));
        assertEquals("JSON parse error, expected separator in dict", singleError("{\"a\": 1 \"b\": 2}"));
        assertEquals("JSON parse error, expected separator in list", singleError("[1 2]"));
        assertEquals("JSON parse error, expected separator in list", singleError("[1:2]"));
        assertEquals("JSON parse error, expecting value", singleError("[32,}"));
        assertEquals("JSON parse error, expecting value", singleError("{'abc':32,}"));
        assertEquals("JSON parse error, expecting value", singleError("[1,]"));
        assertEquals("JSON parse error, expecting value", singleError("[,]"));
        assertEquals("JSON parse error, expecting value", singleError("{,}"));
        assertEquals("JSON parse error, expecting value", singleError(":"));
        assertEquals("JSON parse error, expecting value", singleError(","));
        assertEquals("JSON parse error, expecting value", singleError("]"));
        assertEquals("JSON parse error, invalid keyword 'truer'", singleError("truer "));
        assertEquals("JSON parse error, expected separator in dict", singleError("{\"a\": 1]"));
    }

    @Test
    void negativeCountEndsMessage() {
        // A message also ends when a count goes negative while the other is positive.
        assertEquals(List.of("error: JSON parse error, expecting value",
                "error: JSON parse error, expecting value", "{\"a\": 1}"), render(all("[}]{\"a\":1}")));
    }

    @Test
    void unterminatedInputWaitsForMore() {
        // check-qjson.c unterminated_*: without flush these are just incomplete
        for (String s : new String[] {"\"abc", "'abc", "\"abc\\\"", "[32", "[32,", "{'abc':32", "{'abc':32,",
                "nul", "[1e", "  \t\r\n"}) {
            assertEquals(List.of(), all(s), s);
        }
    }

    @Test
    void keywordsAndWhitespace() {
        JsonNode v = singleValue("\t[ 43 , { 'h' : 'b' },\r\n\t[ ], 42 ]\n");
        assertEquals("[43, {\"h\": \"b\"}, [], 42]", QmpJsonWriter.toJson(v));
        assertEquals("[43, {\"h\": \"b\", \"a\": 32}, [], 42]",
                QmpJsonWriter.toJson(singleValue(" [ 43 , { 'h' : 'b' , 'a' : 32 }, [ ], 42 ]")));
        assertEquals("[43, 42]", QmpJsonWriter.toJson(singleValue("[43,42]")));
        assertEquals("[{}]", QmpJsonWriter.toJson(singleValue("[{}]")));
    }

    @Test
    void objectKeepsInsertionOrder() {
        ObjectNode v = (ObjectNode) singleValue("{\"z\": 1, \"a\": 2, \"m\": 3}");
        List<String> names = new ArrayList<>();
        v.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("z", "a", "m"), names);
    }

    @Test
    void integerRanges() {
        assertInstanceOf(IntNode.class, singleValue("2147483647 "));
        assertInstanceOf(IntNode.class, singleValue("-2147483648 "));
        assertEquals(LongNode.valueOf(2147483648L), singleValue("2147483648 "));
        assertEquals(LongNode.valueOf(Long.MAX_VALUE), singleValue("9223372036854775807 "));
        assertEquals(LongNode.valueOf(Long.MIN_VALUE), singleValue("-9223372036854775808 "));
        assertEquals(LongNode.valueOf(-123456789012345678L), singleValue("-123456789012345678 "));
        assertEquals(BigIntegerNode.valueOf(BigInteger.ONE.shiftLeft(63)), singleValue("9223372036854775808 "));
        assertEquals(BigIntegerNode.valueOf(new BigInteger("18446744073709551615")),
                singleValue("18446744073709551615 "));
        // check-qjson.c float_number: beyond uint64 / below int64 become doubles
        assertEquals(new DoubleNode(0x1p64), singleValue("18446744073709551616 "));
        assertEquals(new DoubleNode(-0x1p63), singleValue("-9223372036854775809 "));
        assertEquals(IntNode.valueOf(0), singleValue("-0 "));
        assertEquals(IntNode.valueOf(-32), singleValue("-32 "));
        assertEquals(new DoubleNode(1e30), singleValue("1000000000000000000000000000000 "));
    }

    @Test
    void largeDict() {
        // check-qjson.c large_dict
        StringBuilder sb = new StringBuilder();
        genTestJson(sb, 10, 100);
        JsonNode v = singleValue(sb.toString());
        assertEquals(10, v.size());
        assertEquals(100, v.get("key0").size());
        assertEquals(99, v.get("key9").get("key8").get("key0").get(99).intValue());
    }

    private static void genTestJson(StringBuilder sb, int nestLevelMax, int elemCount) {
        if (nestLevelMax == 0) {
            sb.append('[');
            for (int i = 0; i < elemCount; i++) {
                sb.append(i).append(i < elemCount - 1 ? ", " : "");
            }
            sb.append(']');
            return;
        }
        sb.append('{');
        for (int i = 0; i < nestLevelMax; i++) {
            sb.append("'key").append(i).append("': ");
            genTestJson(sb, i, elemCount);
            if (i < nestLevelMax - 1) {
                sb.append(',');
            }
        }
        sb.append('}');
    }

    @Test
    void resetForgetsPartialInput() {
        JsonStreamer s = new JsonStreamer(JsonLimits.QEMU);
        assertNull(s.next(ByteBuffer.wrap(raw("{\"execute\": [1, 2"))));
        s.reset();
        assertEquals(List.of("{\"b\": 1}"), render(all(s, raw("{\"b\": 1}"))));
        // reset also leaves recovery mode
        assertEquals(List.of("error: JSON parse error, stray '@'"), render(all(s, raw("@junk"))));
        s.reset();
        assertEquals(List.of("7"), render(all(s, raw("7\n"))));
    }

    @Test
    void oneMebibyteStringMessage() {
        int size = 1 << 20;
        StringBuilder sb = new StringBuilder(size + 64);
        sb.append("{\"execute\": \"x\", \"arguments\": {\"data\": \"");
        for (int i = 0; i < size; i++) {
            sb.append((char) ('a' + i % 26));
        }
        sb.append("\"}}\n");
        JsonNode v = singleValue(sb.toString());
        String data = v.get("arguments").get("data").textValue();
        assertEquals(size, data.length());
        assertEquals('z', data.charAt(25));
    }

    @Test
    void oneMebibyteEscapedUnicodeStringMessage() {
        StringBuilder sb = new StringBuilder();
        sb.append('"');
        for (int i = 0; i < (1 << 20) / 8; i++) {
            sb.append("\u00e9\\u00e9\u20ac"); // 2 + 6 + 3 bytes
        }
        sb.append("\"\n");
        JsonNode v = singleValue(utf8(sb.toString()));
        assertEquals(3 * ((1 << 20) / 8), v.textValue().length());
    }

    @Test
    void manySmallMessagesInOneBuffer() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            sb.append("{\"execute\": \"query-status\", \"id\": ").append(i).append("}\r\n");
        }
        List<JsonMessage> ms = all(sb.toString());
        assertEquals(10_000, ms.size());
        assertEquals(9_999, ms.get(9_999).value().get("id").intValue());
    }

    @Test
    void deeplyNestedValueParsesWithoutRecursion() {
        String json = "[".repeat(1024) + "]".repeat(1024);
        JsonNode v = singleValue(json);
        int depth = 0;
        while (v instanceof ArrayNode a && a.size() > 0) {
            v = a.get(0);
            depth++;
        }
        assertEquals(1023, depth);
    }
}

package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qmon.qmp.internal.json.StreamerTestSupport.singleValue;
import static org.qmon.qmp.internal.json.StreamerTestSupport.utf8;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Output format of {@link QmpJsonWriter} (json-writer.c compact mode) and its Jackson twin. */
class QmpJsonWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static String line(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        QmpJsonWriter.writeLine(node, out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static String str(String s) {
        return QmpJsonWriter.toJson(TextNode.valueOf(s));
    }

    @Test
    void separatorsAndLineEnd() {
        ObjectNode resp = NODES.objectNode();
        resp.putObject("return");
        resp.put("id", 1);
        assertEquals("{\"return\": {}, \"id\": 1}\r\n", line(resp));
        ArrayNode arr = NODES.arrayNode().add(1).add("a").add(NODES.arrayNode()).add(NODES.objectNode());
        arr.addNull();
        arr.add(true).add(false);
        assertEquals("[1, \"a\", [], {}, null, true, false]\r\n", line(arr));
        assertEquals("{\"a\": {\"b\": [1, {\"c\": null}]}}",
                QmpJsonWriter.toJson(singleValue("{'a':{'b':[1,{'c':null}]}}")));
    }

    @Test
    void appendsToExistingOutput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        QmpJsonWriter.writeLine(NODES.numberNode(1), out);
        QmpJsonWriter.writeLine(NODES.textNode("x"), out);
        assertEquals("1\r\n\"x\"\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void stringEscapes() {
        assertEquals("\"\\u00E9\"", str("\u00e9"));
        assertEquals("\"\\u0001\"", str("\u0001"));
        assertEquals("\"\\uD83D\\uDE00\"", str("\ud83d\ude00"));
        assertEquals("\"\\\" \\\\ / \\b \\f \\n \\r \\t\"", str("\" \\ / \b \f \n \r \t"));
        assertEquals("\"\\u0000\\u000B\\u001F \\u007F\\u0080\\u20AC\\uFFFD\"",
                str("\u0000\u000b\u001f \u007f\u0080\u20ac\ufffd"));
        assertEquals("{\"\\u00E9\\n\": \"v\"}", QmpJsonWriter.toJson(NODES.objectNode().put("\u00e9\n", "v")));
    }

    @Test
    void controlCharactersAsInCheckQjson() {
        // check-qjson.c utf8_string case 0: unparse of all control characters
        StringBuilder in = new StringBuilder();
        for (char c = 1; c < 0x20; c++) {
            in.append(c);
        }
        assertEquals("\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                + "\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                + "\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F\"", str(in.toString()));
    }

    @Test
    void integers() {
        assertEquals("18446744073709551615",
                QmpJsonWriter.toJson(BigIntegerNode.valueOf(new BigInteger("18446744073709551615"))));
        assertEquals("-9223372036854775808", QmpJsonWriter.toJson(NODES.numberNode(Long.MIN_VALUE)));
        assertEquals("0", QmpJsonWriter.toJson(singleValue("-0 ")));
        assertEquals("-32", QmpJsonWriter.toJson(singleValue("-32 ")));
        assertEquals("1234", QmpJsonWriter.toJson(NODES.numberNode((short) 1234)));
    }

    @ParameterizedTest
    @CsvSource({
        // check-qjson.c float_number: encoded, re-encoded
        "32.43, 32.43",
        "0.222, 0.222",
        "-32.12313, -32.123130000000003",
        "-32.20e-10, -3.22e-09",
        "18446744073709551616, 1.8446744073709552e+19",
        "-9223372036854775809, -9.2233720368547758e+18",
        // more %.17g cases (checked against C printf)
        "0.1, 0.10000000000000001",
        "1.0, 1",
        "1e-5, 1.0000000000000001e-05",
        "1e-4, 0.0001",
        "1e16, 10000000000000000",
        "1e17, 1e+17",
        "2.5, 2.5",
        "-1.5e300, -1.5000000000000001e+300",
        "5e-324, 4.9406564584124654e-324",
        "1.7976931348623157e308, 1.7976931348623157e+308",
        "100.0, 100",
        "3.14159, 3.1415899999999999",
        "1e21, 1e+21",
        "12345.678, 12345.678",
        "0.0, 0",
        "-0.0, -0",
    })
    void doublesAsPercent17g(String encoded, String reencoded) {
        assertEquals(reencoded, QmpJsonWriter.toJson(singleValue(encoded + " ")));
    }

    @Test
    void nonFiniteDoublesAsQemuPrintsThem() {
        assertEquals("inf", QemuDoubleFormat.format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", QemuDoubleFormat.format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", QemuDoubleFormat.format(Double.NaN));
        assertEquals("inf", QmpJsonWriter.toJson(singleValue("1e999 ")));
    }

    @Test
    void otherNumericNodes() {
        assertEquals("1.5", QmpJsonWriter.toJson(FloatNode.valueOf(1.5f)));
        assertEquals("0.10000000149011612", QmpJsonWriter.toJson(FloatNode.valueOf(0.1f)));
        assertEquals("0.10000000000000001", QmpJsonWriter.toJson(DecimalNode.valueOf(new BigDecimal("0.1"))));
    }

    @Test
    void roundTripThroughStreamer() {
        String in = "{\"execute\": \"x\", \"arguments\": {\"s\": \"\\u00E9\\uD83D\\uDE00\\u0000\\\"\\\\\", "
                + "\"n\": [0, -1, 18446744073709551615, 0.5, true, false, null], \"o\": {}}}";
        JsonNode v = singleValue(utf8(in + "\n"));
        assertEquals(in, QmpJsonWriter.toJson(v));
        assertEquals(v, singleValue(utf8(QmpJsonWriter.toJson(v))));
    }

    // --- Jackson generator path -------------------------------------------------------------

    private static String viaGenerator(Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonGenerator g = QmpJsonWriter.generator(out, MAPPER);
        MAPPER.writeValue(g, value);
        g.flush();
        out.write('\r');
        out.write('\n');
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void generatorMatchesWriterForTrees() throws IOException {
        List<String> inputs = List.of(
                "{\"return\": {}, \"id\": 1}",
                "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 9}, \"package\": \"\"}, "
                        + "\"capabilities\": [\"oob\"]}}",
                "[]",
                "{}",
                "[[], {}, [[]], {\"a\": {}}]",
                "\"\u00e9\\u0001\u007f\ud83d\ude00\\u0000 / \\\" \\\\ \\b\\f\\n\\r\\t \u20ac\"",
                "[0, -1, 2147483648, -9223372036854775808, 18446744073709551615, 18446744073709551616]",
                "[0.1, -32.12313, 1e300, 5e-324, 0.0, -0.0, 1e16, 1e17, 100.0]",
                "{\"\u00e9\": \"\u00e9\", \"k\\n\": [true, false, null]}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\u0001'\"}}");
        for (String in : inputs) {
            JsonNode tree = singleValue(utf8(in + "\n"));
            assertEquals(line(tree), viaGenerator(tree), in);
        }
    }

    @Test
    void generatorMatchesWriterForInvalidCodePoints() throws IOException {
        for (String s : new String[] {"\ud800", "x\udc00y", "\ufffe", "\ufdd0", "\ud83f\udfff", "\ud83d\ude00"}) {
            ObjectNode tree = NODES.objectNode();
            tree.put(s, s);
            tree.putArray("a").add(s);
            assertEquals(line(tree), viaGenerator(tree), s);
        }
    }

    /** A response record as the integrator would serialise it. */
    record Reply(Map<String, Object> ret, Object id) {
    }

    record Version(int major, int minor, int micro, String name, double load, List<String> caps) {
    }

    @Test
    void generatorSerialisesRecordsInQmpFormat() throws IOException {
        Map<String, Object> ret = new LinkedHashMap<>();
        ret.put("status", "running");
        ret.put("singlestep", false);
        ret.put("note", "caf\u00e9 \ud83d\ude00");
        assertEquals("{\"ret\": {\"status\": \"running\", \"singlestep\": false, "
                        + "\"note\": \"caf\\u00E9 \\uD83D\\uDE00\"}, \"id\": 7}\r\n",
                viaGenerator(new Reply(ret, 7)));
        assertEquals("{\"major\": 9, \"minor\": 2, \"micro\": 0, \"name\": \"\\u00E9\", \"load\": 0.10000000000000001, "
                        + "\"caps\": [\"oob\", \"x\"]}\r\n",
                viaGenerator(new Version(9, 2, 0, "\u00e9", 0.1, List.of("oob", "x"))));
        // identical to the tree path
        Version v = new Version(1, 2, 3, "a\u0001\u007f", -32.12313, List.of());
        assertEquals(line(MAPPER.valueToTree(v)), viaGenerator(v));
    }

    @Test
    void writeValueLineAppendsCrlf() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        QmpJsonWriter.writeValueLine(MAPPER, Map.of("return", Map.of()), out);
        QmpJsonWriter.writeValueLine(MAPPER, List.of(1.5f, new BigDecimal("2.5"), 'c'), out);
        assertEquals("{\"return\": {}}\r\n[1.5, 2.5, \"c\"]\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void closingGeneratorDoesNotCloseTarget() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (JsonGenerator g = QmpJsonWriter.generator(out, MAPPER)) {
            MAPPER.writeValue(g, Map.of("a", 1));
        }
        assertEquals("{\"a\": 1}", out.toString(StandardCharsets.US_ASCII));
        assertEquals(false, closed[0]);
    }

    @Test
    void generatorOutputIsAsciiOnly() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int cp = 0; cp < 0x800; cp++) {
            all.appendCodePoint(cp);
        }
        all.appendCodePoint(0x10000).appendCodePoint(0x10FFFD);
        String viaGen = viaGenerator(TextNode.valueOf(all.toString()));
        byte[] bytes = viaGen.getBytes(StandardCharsets.ISO_8859_1);
        for (byte b : bytes) {
            assertEquals(true, b >= 0x20 || b == '\r' || b == '\n', "byte " + b);
        }
        assertArrayEquals(line(TextNode.valueOf(all.toString())).getBytes(StandardCharsets.ISO_8859_1), bytes);
        assertEquals(new DoubleNode(0.5), singleValue("0.5 "));
    }
}

package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qmon.api.runtime.Reply;
import org.qmon.qmp.internal.json.ByteSink;
import org.qmon.qmp.internal.json.QmpJsonWriter;
import org.qmon.qmp.internal.json.RecordWriters;

/**
 * {@link RecordWriters} writes what QMP's Jackson configuration writes, byte for byte, and hands back to
 * Jackson (writing nothing) whatever it cannot be sure to match.
 */
class RecordWritersTest {

    private static final ObjectMapper MAPPER = QmpOutput.newMapper();

    enum Arch {
        @JsonProperty("x86_64") X86_64,
        @JsonProperty("aarch64") AARCH64,
        plain
    }

    record Simple(String name, int count, long big, boolean on, Integer boxed, Long boxedLong, Boolean flag) {
    }

    record Numbers(double d, Double boxed, float f, short s, byte b, BigInteger huge) {
    }

    record Renamed(@JsonProperty("cpu-index") int cpuIndex, @JsonProperty("qom-path") String qomPath, Arch arch) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Included(String a, String b) {
    }

    record Inner(String value, List<String> tags) {
    }

    record Outer(Inner inner, List<Inner> list, Set<Arch> arches, List<Integer> numbers, List<List<String>> nested) {
    }

    record Node(String name, List<Node> children, Node next) {
    }

    /** Components named like bean getters: Jackson must not rename or double them. */
    record GetterNamed(boolean isOn, String getName, int get, boolean is) {
    }

    // What Jackson must write: each of these is handed back.
    record WithMap(Map<String, Object> map) {
    }

    record WithOptional(Optional<String> maybe) {
    }

    record WithObject(Object any) {
    }

    record WithIgnore(String a, @JsonIgnore String b) {
    }

    record WithGetter(String a) {
        public String getExtra() {
            return "extra";
        }
    }

    @JsonPropertyOrder({"b", "a"})
    record Ordered(String a, String b) {
    }

    enum Valued {
        ONE;

        @JsonValue
        String wire() {
            return "one";
        }
    }

    record WithValued(Valued v) {
    }

    record WithArray(int[] values) {
    }

    record WithWildcard(List<? extends Number> values) {
    }

    record Throwing(String a) {
        @Override
        public String a() {
            throw new IllegalStateException("accessor failed");
        }
    }

    static Stream<Object> handled() {
        Node leaf = new Node("leaf", List.of(), null);
        return Stream.of(
                new Simple("vm0", 3, 1L << 40, true, null, -7L, false),
                new Simple(null, -2147483648, Long.MIN_VALUE, false, 42, Long.MAX_VALUE, null),
                new Simple("é\u0000\u001f\"\\/\u007f\u2028 \ud83d\ude00 \ud800 tab\tnl\n", 0, 0, true, 0, 0L, true),
                new Numbers(1.5, null, 0.1f, (short) -3, (byte) 7, new BigInteger("123456789012345678901234567890")),
                new Numbers(0.1, -0.0, 1e20f, (short) 0, (byte) 0, BigInteger.ZERO),
                new Numbers(1e300, 123456789.0, Float.MIN_VALUE, (short) 1, (byte) -1, BigInteger.ONE.negate()),
                new Numbers(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, (short) 1, (byte) 1, null),
                new Numbers(4.9e-324, 2.5e-7, 3.0f, (short) 2, (byte) 2, null),
                new Renamed(0, "/machine/unattached/device[0]", Arch.X86_64),
                new Renamed(1, null, Arch.plain),
                new Renamed(2, "p", null),
                new Included("a", null),
                new GetterNamed(true, "n", 1, false),
                // the greeting, written here so that no mapper is built before the first client
                new QmpRuntime.Greeting(new QmpRuntime.Offer(new org.qmon.api.runtime.VersionInfo(
                        new org.qmon.api.runtime.VersionInfo.Triple(7, 2, 22), "Debian 1:7.2+dfsg-7"), List.of("oob"))),
                new Outer(new Inner("v", List.of("a", "b")), List.of(new Inner("w", List.of())),
                        new LinkedHashSet<>(List.of(Arch.AARCH64, Arch.plain)), Arrays.asList(1, null, 3),
                        List.of(List.of("x"), List.of())),
                new Outer(null, List.of(), Set.of(), List.of(), null),
                new Node("root", List.of(leaf, new Node("mid", List.of(leaf), leaf)), new Node("n", null, null)),
                List.of(new Inner("a", null), new Inner("b", List.of("c"))),
                List.of(),
                Arrays.asList(new Inner("a", null), null),
                chain(RecordWriters.MAX_DEPTH / 2));
    }

    static Stream<Object> handedBack() {
        return Stream.of(
                new WithMap(Map.of("k", 1)),
                new WithOptional(Optional.of("x")),
                new WithObject("x"),
                new WithIgnore("a", "b"),
                new WithGetter("a"),
                new Ordered("a", "b"),
                new WithValued(Valued.ONE),
                new WithArray(new int[] {1, 2}),
                new WithWildcard(List.of(1)),
                List.of(new Inner("a", null), "not a record"),
                Map.of("k", "v"),
                "a string",
                42,
                new ArrayList<>(List.of(Map.of())),
                JsonNodeFactory.instance.objectNode().put("tree", 1),
                chain(RecordWriters.MAX_DEPTH + 10));
    }

    /** A chain of records {@code n} deep. */
    static Node chain(int n) {
        Node node = null;
        for (int i = 0; i < n; i++) {
            node = new Node("n" + i, null, node);
        }
        return node;
    }

    @ParameterizedTest
    @MethodSource("handled")
    void writesWhatJacksonWrites(Object value) throws Exception {
        ByteSink sink = new ByteSink();
        assertTrue(RecordWriters.write(value, sink), () -> value.getClass() + " should be written here");
        String expected = jackson(value);
        assertEquals(expected, new String(sink.toByteArray(), StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @MethodSource("handedBack")
    void handsBackWhatItCannotMatchWritingNothing(Object value) throws Exception {
        ByteSink sink = new ByteSink();
        sink.ascii("prefix");
        assertFalse(RecordWriters.write(value, sink), () -> value.getClass() + " should be handed to Jackson");
        assertEquals("prefix", new String(sink.toByteArray(), StandardCharsets.US_ASCII));
    }

    @Test
    void anAccessorThatThrowsPropagates() {
        assertThrows(IllegalStateException.class, () -> RecordWriters.write(new Throwing("a"), new ByteSink()));
    }

    @Test
    void aReplyWithARecordIsTheJacksonReplyAndAFailingOneIsAnErrorReply() throws Exception {
        QmpOutput output = new QmpOutput();
        Simple value = new Simple("vm0", 3, 4, true, null, null, null);
        byte[] reply = output.reply(Reply.success(value), JsonNodeFactory.instance.numberNode(7));
        assertArrayEquals(("{\"return\": " + jackson(value) + ", \"id\": 7}\r\n").getBytes(StandardCharsets.US_ASCII), reply);

        byte[] failed = output.reply(Reply.success(new Throwing("a")), JsonNodeFactory.instance.textNode("x"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Cannot serialise the result: accessor failed\"},"
                + " \"id\": \"x\"}\r\n", new String(failed, StandardCharsets.US_ASCII));

        // The thread's buffer holds nothing of the failed value afterwards.
        byte[] again = output.reply(Reply.success(value), null);
        assertEquals("{\"return\": " + jackson(value) + "}\r\n", new String(again, StandardCharsets.US_ASCII));
    }

    @Test
    void aChainDeeperThanTheLimitIsWrittenByJacksonInFull() throws Exception {
        QmpOutput output = new QmpOutput();
        Node deep = chain(RecordWriters.MAX_DEPTH + 10);
        byte[] reply = output.reply(Reply.success(deep), null);
        assertEquals("{\"return\": " + jackson(deep) + "}\r\n", new String(reply, StandardCharsets.US_ASCII));
    }

    private static String jackson(Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = QmpJsonWriter.generator(out, MAPPER)) {
            MAPPER.writeValue(g, value);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}

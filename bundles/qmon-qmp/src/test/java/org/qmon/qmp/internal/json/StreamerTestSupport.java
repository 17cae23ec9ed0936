package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the streamer tests. */
final class StreamerTestSupport {

    private StreamerTestSupport() {
    }

    /** Raw bytes: every char of {@code s} (all must be <= 0xFF) is one byte. */
    static byte[] raw(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("not a byte string: " + s);
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds all bytes (one buffer) and collects every message. */
    static List<JsonMessage> all(JsonStreamer streamer, byte[] input) {
        ByteBuffer buf = ByteBuffer.wrap(input);
        List<JsonMessage> out = new ArrayList<>();
        JsonMessage m;
        while ((m = streamer.next(buf)) != null) {
            out.add(m);
        }
        assertFalse(buf.hasRemaining(), "null must mean: all input consumed");
        return out;
    }

    static List<JsonMessage> all(byte[] input) {
        return all(new JsonStreamer(JsonLimits.QEMU), input);
    }

    static List<JsonMessage> all(String rawInput) {
        return all(raw(rawInput));
    }

    /** Exactly one message, which must be an error; returns its text. */
    static String singleError(String rawInput) {
        List<JsonMessage> ms = all(rawInput);
        assertEquals(1, ms.size(), () -> "messages: " + ms);
        assertTrue(ms.get(0).isError(), () -> "expected an error: " + ms.get(0));
        return ms.get(0).error();
    }

    /** Exactly one message, which must be a value; returns it. */
    static JsonNode singleValue(byte[] input) {
        List<JsonMessage> ms = all(input);
        assertEquals(1, ms.size(), () -> "messages: " + ms);
        assertFalse(ms.get(0).isError(), () -> "unexpected error: " + ms.get(0).error());
        return ms.get(0).value();
    }

    static JsonNode singleValue(String rawInput) {
        return singleValue(raw(rawInput));
    }

    /** Messages rendered as strings: values in compact QEMU form, errors as "error: text". */
    static List<String> render(List<JsonMessage> ms) {
        List<String> out = new ArrayList<>();
        for (JsonMessage m : ms) {
            out.add(m.isError() ? "error: " + m.error() : QmpJsonWriter.toJson(m.value()));
        }
        return out;
    }

    /**
     * Every message a streamer gives for {@code input} offered in reads of the sizes {@code readSize}
     * names (read k, from 0; clamped to what is left), each as {@link #exact}; checks that every byte
     * offered is consumed.
     */
    static List<String> exactMessages(JsonStreamer s, byte[] input, java.util.function.IntUnaryOperator readSize) {
        List<String> out = new ArrayList<>();
        int off = 0;
        for (int k = 0; off < input.length; k++) {
            int n = Math.max(0, Math.min(readSize.applyAsInt(k), input.length - off));
            ByteBuffer buf = ByteBuffer.wrap(input, off, n);
            for (JsonMessage m; (m = s.next(buf)) != null;) {
                out.add(exact(m));
            }
            assertEquals(0, buf.remaining(), "every byte offered is consumed");
            off += n;
        }
        return out;
    }

    /** A message as its compact text plus the class of every node, depth first (or its error). */
    static String exact(JsonMessage m) {
        return m.isError() ? "error: " + m.error() : QmpJsonWriter.toJson(m.value()) + " " + types(m.value());
    }

    private static String types(JsonNode n) {
        StringBuilder b = new StringBuilder(n.getClass().getSimpleName());
        if (n.isContainerNode()) {
            b.append('(');
            for (java.util.Iterator<JsonNode> it = n.elements(); it.hasNext();) {
                b.append(types(it.next())).append(' ');
            }
            b.append(')');
        }
        return b.toString();
    }
}

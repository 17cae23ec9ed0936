package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qmon.qmp.internal.json.StreamerTestSupport.all;
import static org.qmon.qmp.internal.json.StreamerTestSupport.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property checks with fixed seeds: chunking independence and writer/parser round trips. */
class JsonStreamerFuzzTest {

    private static final byte[] ALPHABET = StreamerTestSupport.raw(
            "{}[]:,\"'\\ \n\t\r0123456789-+.eEaflnrstuxz%@\u0000\u0001\u007f\u00c3\u00a9\u00ff\u00fe");

    /** Feeds {@code input} in random chunks, draining after each. */
    private static List<String> chunked(byte[] input, Random rnd, JsonLimits limits) {
        JsonStreamer s = new JsonStreamer(limits);
        List<JsonMessage> ms = new ArrayList<>();
        int off = 0;
        while (off < input.length) {
            int n = 1 + rnd.nextInt(Math.min(16, input.length - off));
            ByteBuffer buf = ByteBuffer.wrap(input, off, n);
            JsonMessage m;
            while ((m = s.next(buf)) != null) {
                ms.add(m);
            }
            off += n;
        }
        return render(ms);
    }

    @Test
    void chunkingDoesNotChangeTheMessages() {
        Random rnd = new Random(42);
        JsonLimits small = new JsonLimits(24, 12, 3);
        for (int iter = 0; iter < 2000; iter++) {
            byte[] input = new byte[rnd.nextInt(80)];
            for (int i = 0; i < input.length; i++) {
                input[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
            }
            for (JsonLimits limits : new JsonLimits[] {JsonLimits.QEMU, small}) {
                List<String> whole = render(all(new JsonStreamer(limits), input));
                assertEquals(whole, chunked(input, rnd, limits), () -> new String(input,
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void writerOutputParsesBackToTheSameTree() {
        Random rnd = new Random(7);
        for (int iter = 0; iter < 500; iter++) {
            JsonNode tree = randomTree(rnd, 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            QmpJsonWriter.writeLine(tree, out);
            List<JsonMessage> ms = all(out.toByteArray());
            assertEquals(1, ms.size());
            assertEquals(tree, ms.get(0).value(), QmpJsonWriter.toJson(tree));
        }
    }

    private static JsonNode randomTree(Random rnd, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth > 4 ? 2 + rnd.nextInt(5) : rnd.nextInt(7);
        switch (kind) {
            case 0 -> {
                ObjectNode o = f.objectNode();
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    o.set(randomString(rnd), randomTree(rnd, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = f.arrayNode();
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(randomTree(rnd, depth + 1));
                }
                return a;
            }
            case 2 -> {
                return f.textNode(randomString(rnd));
            }
            case 3 -> {
                long v = rnd.nextLong() >> rnd.nextInt(64);
                return v == (int) v ? f.numberNode((int) v) : f.numberNode(v);
            }
            case 4 -> {
                double d;
                do {
                    d = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
                    // %.17g prints integral doubles like 1e16 without '.' or 'e': they come
                    // back as integers, in QEMU too; keep only doubles that stay doubles.
                } while (QemuDoubleFormat.format(d).chars().noneMatch(c -> c == '.' || c == 'e'));
                return f.numberNode(d);
            }
            case 5 -> {
                return f.booleanNode(rnd.nextBoolean());
            }
            default -> {
                return f.nullNode();
            }
        }
    }

    private static String randomString(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            int cp;
            do {
                cp = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(0x80);
                    case 1 -> rnd.nextInt(0x800);
                    case 2 -> rnd.nextInt(0x10000);
                    default -> rnd.nextInt(0x110000);
                };
            } while (!ModifiedUtf8.isValidCodePoint(cp));
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}

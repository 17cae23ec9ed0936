package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/**
 * The parser's per-thread cache of short strings gives back exactly what decoding gives, for many more
 * distinct strings than it has slots (so slots are reused and collide), with escapes, and never caches
 * an error.
 */
class JsonParserStringCacheTest {

    private static JsonMessage parse(JsonStreamer streamer, String text) {
        return streamer.next(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void cachedStringsAreTheDecodedOnesAcrossCollisionsAndEscapes() {
        JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int k = random.nextInt(500);
            int v = random.nextInt(300);
            // Some keys with escapes whose raw text differs from the decoded text; keys and values of
            // every length up to past the cache's limit.
            String key = k % 5 == 0 ? "k\\u00e9" + k : "k" + "x".repeat(k % 45) + k;
            String expectedKey = k % 5 == 0 ? "k\u00e9" + k : key;
            String value = "v" + v + "\\t" + "y".repeat(v % 41);
            JsonMessage m = parse(streamer, "{\"" + key + "\": \"" + value + "\", 'id': " + i + "}");
            assertFalse(m.isError(), m::error);
            JsonNode node = m.value().get(expectedKey);
            assertEquals("v" + v + "\t" + "y".repeat(v % 41), node.textValue(), key);
            assertEquals(i, m.value().get("id").intValue());
            assertEquals(2, m.value().size());
        }
    }

    @Test
    void anInvalidStringIsAnErrorEveryTimeItIsSeen() {
        JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);
        for (int i = 0; i < 3; i++) {
            JsonMessage bad = parse(streamer, "{\"a\\x\": 1}");
            assertTrue(bad.isError(), "an invalid escape is an error on every occurrence");
            JsonMessage good = parse(streamer, "{\"a\": 1}");
            assertFalse(good.isError(), good::error);
        }
    }
}

package org.qmon.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The reply scanner sees a stream that the socket cuts anywhere: every message must come out whole,
 * classified and with its id, whatever the cuts, and a message larger than the buffer must too.
 */
class InboxTest {

    private static final String STREAM = ""
            + "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, "
            + "\"capabilities\": [\"oob\"]}}\r\n"
            + "{\"return\": {}, \"id\": 1}\r\n"
            + "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n"
            // a nested "id" and braces, quotes and escapes inside strings must not confuse the scan
            + "{\"return\": {\"id\": 77, \"s\": \"}{\\\"id\\\": 5}\"}, \"id\": 23}\r\n"
            + "{\"id\": 4, \"error\": {\"class\": \"GenericError\", \"desc\": \"no \\\\\"}}\r\n"
            // QEMU's pretty=on output spans lines
            + "{\n    \"return\": {\n        \"status\": \"running\"\n    },\n    \"id\": 123456789012\n}\n"
            + "{\"return\": {}, \"id\": \"text\"}\r\n"
            + "{\"return\":{},\"id\":5}\n";

    private static final List<String> EXPECTED = List.of(
            "GREETING", "RETURN id=1", "EVENT", "RETURN id=23", "ERROR id=4", "RETURN id=123456789012",
            "RETURN id=?", "RETURN id=5");

    @Test
    void everyCutOfTheStreamYieldsTheSameMessages() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        assertEquals(EXPECTED, feed(bytes, new int[0], 64 * 1024), "in one read");
        for (int cut = 1; cut < bytes.length; cut++) {
            assertEquals(EXPECTED, feed(bytes, new int[] {cut}, 64 * 1024), "cut at " + cut);
        }
        for (int chunk = 1; chunk <= 7; chunk++) {
            List<Integer> cuts = new ArrayList<>();
            for (int at = chunk; at < bytes.length; at += chunk) {
                cuts.add(at);
            }
            assertEquals(EXPECTED, feed(bytes, cuts.stream().mapToInt(Integer::intValue).toArray(), 64 * 1024),
                    "reads of " + chunk + " bytes");
        }
    }

    @Test
    void aMessageLargerThanTheBufferGrowsIt() {
        String big = "{\"return\": {\"pad\": \"" + "x".repeat(5000) + "\"}, \"id\": 9}\r\n";
        byte[] bytes = (big + "{\"return\": {}, \"id\": 10}\r\n").getBytes(StandardCharsets.UTF_8);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 100; at < bytes.length; at += 100) {
            cuts.add(at);
        }
        assertEquals(List.of("RETURN id=9", "RETURN id=10"),
                feed(bytes, cuts.stream().mapToInt(Integer::intValue).toArray(), 256));
    }

    /** Delivers the bytes as reads ending at the cut positions; collects what the inbox yields. */
    private static List<String> feed(byte[] bytes, int[] cuts, int capacity) {
        Inbox in = new Inbox(capacity);
        List<String> seen = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            while (from < to) {
                ByteBuffer b = in.buffer();
                int n = Math.min(b.remaining(), to - from);
                b.put(bytes, from, n);
                from += n;
                while (in.next()) {
                    seen.add(describe(in));
                }
                in.compact();
            }
        }
        return seen;
    }

    private static String describe(Inbox in) {
        if (in.is(Inbox.GREETING)) {
            return "GREETING";
        }
        if (in.is(Inbox.EVENT)) {
            return "EVENT";
        }
        String kind = in.is(Inbox.RETURN) ? "RETURN" : in.is(Inbox.ERROR) ? "ERROR" : "OTHER";
        return kind + " id=" + (in.is(Inbox.NUMERIC_ID) ? Long.toString(in.id()) : in.is(Inbox.HAS_ID) ? "?" : "none");
    }
}

package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.runtime.VersionInfo;
import org.qmon.dispatcher.internal.DispatcherImpl;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;

/**
 * Coverage-guided fuzz targets (Jazzer) for the QMP frontend's input path: framing, request checking,
 * and a whole session. Without {@code JAZZER_FUZZ=1} each target runs its committed corpus
 * ({@code src/test/resources/org/qmon/qmp/internal/QmpFuzzTestInputs/<target>/}, seeded from the
 * differential tests' inputs) as ordinary regression tests; with it, the target is fuzzed for 10^7
 * executions or 4 hours, whichever comes first (see docs/reliability.md for the runs and their figures).
 *
 * <p>Invariants on every input: no exception escapes; every complete message yields exactly one
 * outcome; a whole session answers every message read with exactly one reply line; and memory per
 * input stays within the parser's limits.
 */
class QmpFuzzTest {

    private static DispatcherImpl dispatcher;
    private static QmpRuntime runtime;

    /** A command that runs inline and answers {@code {}}, so a session answers synchronously. */
    static final class Nothing implements Command<NoArguments, Void> {
        @Override
        public Void execute(NoArguments a, CommandContext c) {
            return null;
        }
    }

    /** Echoes a record of every argument kind, so binding is exercised by whatever arrives. */
    record Echoed(String s, java.util.Optional<Integer> i, java.util.Optional<List<Boolean>> l) {
    }

    static final class Echo implements Command<Echoed, Echoed> {
        @Override
        public Echoed execute(Echoed a, CommandContext c) {
            return a;
        }
    }

    @BeforeAll
    static void setUp() {
        dispatcher = new DispatcherImpl();
        dispatcher.add(new Nothing(), Map.of("qmon.command.name", "query-name", "qmon.command.nonBlocking", true,
                "service.id", 1L), "fuzz");
        dispatcher.add(new Echo(), Map.of("qmon.command.name", "echo", "qmon.command.nonBlocking", true,
                "qmon.command.allowOob", true, "service.id", 2L), "fuzz");
        runtime = new QmpRuntime(dispatcher, new VersionInfo(new VersionInfo.Triple(0, 1, 0), "qmon-0.1.0"));
    }

    @AfterAll
    static void tearDown() {
        runtime.deactivate();
        dispatcher.deactivate();
    }

    /** Splits the input into reads of the sizes the data picks, as a socket might deliver it. */
    private static List<byte[]> reads(FuzzedDataProvider data) {
        int n = data.consumeInt(1, 8);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            sizes.add(data.consumeInt(0, 4096));
        }
        byte[] all = data.consumeRemainingAsBytes();
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            int len = Math.min(size, all.length - at);
            out.add(java.util.Arrays.copyOfRange(all, at, at + len));
            at += len;
        }
        out.add(java.util.Arrays.copyOfRange(all, at, all.length));
        return out;
    }

    /** Frames the reads; every message is exactly one of a value and an error, every byte is consumed. */
    private static List<JsonMessage> frame(List<byte[]> reads) {
        JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);
        List<JsonMessage> messages = new ArrayList<>();
        for (byte[] r : reads) {
            ByteBuffer buf = ByteBuffer.wrap(r);
            for (JsonMessage m; (m = streamer.next(buf)) != null;) {
                assertTrue((m.value() == null) != (m.error() == null));
                messages.add(m);
            }
            assertEquals(0, buf.remaining(), "the streamer consumes every byte it is offered");
        }
        return messages;
    }

    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void framing(FuzzedDataProvider data) {
        frame(reads(data));
    }

    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void requestChecking(FuzzedDataProvider data) {
        boolean negotiating = data.consumeBoolean();
        boolean oob = data.consumeBoolean();
        RequestChecker.SessionState state = new RequestChecker.SessionState() {
            @Override
            public boolean negotiating() {
                return negotiating;
            }

            @Override
            public boolean oobEnabled() {
                return oob;
            }

            @Override
            public boolean allowedBeforeNegotiation(String command) {
                return "qmp_capabilities".equals(command);
            }
        };
        for (JsonMessage m : frame(reads(data))) {
            RequestChecker.Outcome o = RequestChecker.check(m, state);
            assertNotNull(o);
            if (o instanceof RequestChecker.Run run) {
                assertNotNull(run.command());
                assertTrue(run.outOfBand() ? oob : true);
                if (run.arguments() != null) {
                    assertNeutral(run.arguments());
                }
            } else {
                RequestChecker.Answer a = (RequestChecker.Answer) o;
                assertTrue(a.reply().isError());
                assertNotNull(a.reply().description());
            }
        }
    }

    private static void assertNeutral(Object v) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                assertTrue(k instanceof String);
                assertNeutral(x);
            });
        } else if (v instanceof List<?> l) {
            l.forEach(QmpFuzzTest::assertNeutral);
        } else {
            assertTrue(v == null || v instanceof String || v instanceof Boolean || v instanceof Integer
                    || v instanceof Long || v instanceof BigInteger || v instanceof Double, () -> "not neutral: " + v.getClass());
        }
    }

    /** A connection in memory: what the session sends is collected; input is offered by the test. */
    private static final class MemoryConnection implements Connection {
        /** Bytes, not a String: the checks below compare bytes (see {@link #replyLines}). */
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean suspended;
        boolean closed;

        @Override
        public long id() {
            return 1;
        }

        @Override
        public String listenerAddress() {
            return "memory";
        }

        @Override
        public void send(byte[] message) {
            if (!closed) {
                out.write(message, 0, message.length);
            }
        }

        @Override
        public void suspendInput() {
            suspended = true;
        }

        @Override
        public void resumeInput() {
            suspended = false;
        }

        @Override
        public boolean inputSuspended() {
            return suspended;
        }

        @Override
        public void closeWhenFlushed() {
            closed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * A whole session, negotiated first: every message read gets exactly one reply line, in order.
     * Every command here runs inline, so each reply is out before the next message is read.
     */
    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void session(FuzzedDataProvider data) {
        List<byte[]> reads = reads(data);
        List<byte[]> withNegotiation = new ArrayList<>();
        withNegotiation.add("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n"
                .getBytes(StandardCharsets.US_ASCII));
        withNegotiation.addAll(reads);
        int expected = frame(withNegotiation).size();
        MemoryConnection c = new MemoryConnection();
        ConnectionHandler h = runtime.open(c);
        try {
            for (byte[] r : withNegotiation) {
                ByteBuffer buf = ByteBuffer.wrap(r);
                h.received(buf);
                assertEquals(0, buf.remaining(), "with inline commands the session never has to stop reading");
            }
            h.inputEnded();
        } finally {
            h.closed();
        }
        assertEquals(expected, replyLines(c.out.toByteArray()), "one reply per message read");
        assertTrue(c.closed, "end of input with nothing pending closes");
    }

    /** The session target's reply check itself: it counts replies and can fail. */
    @org.junit.jupiter.api.Test
    void replyLinesCountsRepliesAndFailsOnAnythingElse() {
        byte[] good = "{\"QMP\": {}}\r\n{\"return\": {}}\r\n{\"error\": {}}\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(2, replyLines(good));
        assertEquals(0, replyLines(new byte[0]));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> replyLines("{\"QMP\": {}}\r\n{\"event\": 1}\r\n".getBytes(StandardCharsets.US_ASCII)));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> replyLines("{\"QMP\": {}}\r\n{\"return\": {}}\n".getBytes(StandardCharsets.US_ASCII)));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> replyLines("{\"QMP\": {}}\r\n{\"return\": {}}".getBytes(StandardCharsets.US_ASCII)));
    }

    private static final byte[] RETURN = "{\"return\": ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "{\"error\": ".getBytes(StandardCharsets.US_ASCII);

    /**
     * The number of reply lines after the greeting, failing unless every line ends in CRLF and is a
     * return or an error. Line ends are found by the JDK's {@code String.indexOf(int)}, which Jazzer
     * does not instrument, and only the first bytes of each line are compared here: Jazzer reports
     * every comparison in instrumented code to the fuzzer, and a comparison per byte of output cost a
     * quarter of this target's time (a String comparison on whole replies, hooked, two thirds).
     */
    static int replyLines(byte[] out) {
        String text = new String(out, StandardCharsets.ISO_8859_1);
        int replies = -1; // the first line is the greeting
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
            final int at = start;
            assertTrue(nl > at && out[nl - 1] == '\r', () -> "a line not ending in CRLF: " + line(out, at));
            if (replies >= 0) {
                assertTrue(startsWith(out, at, RETURN) || startsWith(out, at, ERROR), () -> "not a reply: " + line(out, at));
            }
            replies++;
        }
        final int rest = start;
        assertEquals(out.length, rest, () -> "output not ending in CRLF: " + line(out, rest));
        return Math.max(replies, 0);
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (b.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String line(byte[] b, int at) {
        int end = at;
        while (end < b.length && b[end] != '\n') {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.US_ASCII);
    }
}

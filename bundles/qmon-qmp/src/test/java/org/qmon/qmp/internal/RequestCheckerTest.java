package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.qmon.api.ErrorClass;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;

/**
 * The request checker without sockets: one framed message and a session state in, what to do out.
 * Texts and the choice between in-band and out-of-band answers are QEMU's ({@code handle_qmp_command},
 * {@code qmp_dispatch_check_obj}).
 */
class RequestCheckerTest {

    /** A session state of the test's choosing. */
    private record State(boolean negotiating, boolean oobEnabled, List<String> beforeNegotiation)
            implements RequestChecker.SessionState {
        @Override
        public boolean allowedBeforeNegotiation(String command) {
            return beforeNegotiation.contains(command);
        }
    }

    private static final State NEGOTIATING = new State(true, false, List.of("qmp_capabilities"));
    private static final State PLAIN = new State(false, false, List.of("qmp_capabilities"));
    private static final State OOB = new State(false, true, List.of("qmp_capabilities"));

    private static JsonMessage frame(String json) {
        JsonMessage m = new JsonStreamer(JsonLimits.QEMU).next(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        if (m == null) {
            throw new IllegalArgumentException("no complete message in " + json);
        }
        return m;
    }

    private static RequestChecker.Answer answer(String json, State state) {
        return assertInstanceOf(RequestChecker.Answer.class, RequestChecker.check(frame(json), state));
    }

    private static RequestChecker.Run run(String json, State state) {
        return assertInstanceOf(RequestChecker.Run.class, RequestChecker.check(frame(json), state));
    }

    private static void assertError(RequestChecker.Answer a, ErrorClass cls, String desc) {
        assertEquals(cls, a.reply().errorClass());
        assertEquals(desc, a.reply().description());
    }

    @Test
    void aLexicalErrorIsAnsweredInBandWithoutId() {
        RequestChecker.Answer a = answer("{\"execute\": \"x\", \"id\": 1, }", PLAIN);
        assertEquals(ErrorClass.GenericError, a.reply().errorClass());
        assertTrue(a.reply().description().startsWith("JSON parse error"), a.reply().description());
        assertNull(a.id());
        assertFalse(a.outOfBand());
    }

    @Test
    void onlyObjectsAreRequests() {
        for (String notAnObject : List.of("[1, 2]", "42", "\"execute\"", "null", "true")) {
            RequestChecker.Answer a = answer(notAnObject, PLAIN);
            assertError(a, ErrorClass.GenericError, "QMP input must be a JSON object");
            assertNull(a.id());
        }
    }

    @Test
    void envelopeFaultsHaveQemusTextsAndEchoTheId() {
        assertError(answer("{\"id\": 7}", PLAIN), ErrorClass.GenericError, "QMP input lacks member 'execute'");
        assertEquals(7, answer("{\"id\": 7}", PLAIN).id().intValue());
        assertError(answer("{\"execute\": 1}", PLAIN), ErrorClass.GenericError, "QMP input member 'execute' must be a string");
        assertError(answer("{\"execute\": \"x\", \"arguments\": []}", PLAIN), ErrorClass.GenericError,
                "QMP input member 'arguments' must be an object");
        assertError(answer("{\"execute\": \"x\", \"foo\": 1}", PLAIN), ErrorClass.GenericError,
                "QMP input member 'foo' is unexpected");
    }

    @Test
    void twoFaultsReportTheFirstInQemusDictOrderNotInputOrder() {
        // Both members are wrong; QEMU's QDict iterates by hash bucket, not by input order.
        String one = "{\"arguments\": 1, \"execute\": 2}";
        String two = "{\"execute\": 2, \"arguments\": 1}";
        assertEquals(answer(one, PLAIN).reply().description(), answer(two, PLAIN).reply().description());
    }

    @Test
    void execOobIsAnOrdinaryUnexpectedMemberUntilOobIsEnabled() {
        RequestChecker.Answer a = answer("{\"exec-oob\": \"oob-cmd\", \"id\": 3}", PLAIN);
        assertError(a, ErrorClass.GenericError, "QMP input member 'exec-oob' is unexpected");
        assertFalse(a.outOfBand(), "answered in its turn, as QEMU without OOB would");

        RequestChecker.Run r = run("{\"exec-oob\": \"oob-cmd\", \"id\": 3}", OOB);
        assertEquals("oob-cmd", r.command());
        assertTrue(r.outOfBand());
        assertEquals(3, r.id().intValue());
    }

    @Test
    void aFaultyOutOfBandRequestIsAnsweredOutOfBand() {
        RequestChecker.Answer a = answer("{\"exec-oob\": \"x\", \"arguments\": 5, \"id\": \"o\"}", OOB);
        assertError(a, ErrorClass.GenericError, "QMP input member 'arguments' must be an object");
        assertTrue(a.outOfBand());
        assertEquals("o", a.id().textValue());
        RequestChecker.Answer clash = answer("{\"execute\": \"a\", \"exec-oob\": \"b\"}", OOB);
        assertTrue(clash.reply().description().contains("clashes with"), clash.reply().description());
        assertFalse(clash.outOfBand(), "with 'execute' present it is not an out-of-band request");
    }

    @Test
    void whileNegotiatingOnlyCommandsDeclaredForItPass() {
        RequestChecker.Answer a = answer("{\"execute\": \"query-status\", \"id\": \"q\"}", NEGOTIATING);
        assertError(a, ErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'");
        assertEquals("q", a.id().textValue());
        assertEquals("qmp_capabilities", run("{\"execute\": \"qmp_capabilities\"}", NEGOTIATING).command());
        // The declared trait decides, not the name.
        State other = new State(true, false, List.of("my-hello"));
        assertEquals("my-hello", run("{\"execute\": \"my-hello\"}", other).command());
        assertError(answer("{\"execute\": \"qmp_capabilities\"}", other), ErrorClass.CommandNotFound,
                RequestChecker.EXPECTING_NEGOTIATION);
        // An envelope fault is reported before the negotiation state.
        assertError(answer("{\"execute\": \"query-status\", \"x\": 1}", NEGOTIATING), ErrorClass.GenericError,
                "QMP input member 'x' is unexpected");
    }

    @Test
    void argumentsReachTheDispatcherInNeutralForm() {
        RequestChecker.Run r = run("{\"execute\": \"c\", \"arguments\": {\"s\": \"t\", \"i\": 1, \"l\": 5000000000,"
                + " \"u\": 18446744073709551615, \"d\": 1.5, \"e\": 1e3, \"b\": true, \"n\": null,"
                + " \"list\": [1, \"x\", {\"k\": []}], \"o\": {\"inner\": false}}, \"id\": [1, {\"a\": null}]}", PLAIN);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "t");
        expected.put("i", 1);
        expected.put("l", 5000000000L);
        expected.put("u", new BigInteger("18446744073709551615"));
        expected.put("d", 1.5);
        expected.put("e", 1000.0);
        expected.put("b", true);
        expected.put("n", null);
        expected.put("list", Arrays.asList(1, "x", Map.of("k", List.of())));
        expected.put("o", Map.of("inner", false));
        assertEquals(expected, r.arguments());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(r.arguments().keySet()), "member order is kept");
        assertEquals("[1,{\"a\":null}]", r.id().toString(), "any JSON value is an id, echoed as it came");
        assertNull(run("{\"execute\": \"c\"}", PLAIN).arguments(), "no arguments member: none");
    }

    /** A state with deadlines enabled or not. */
    private record DeadlineState(boolean oobEnabled, boolean deadlinesEnabled) implements RequestChecker.SessionState {
        @Override
        public boolean negotiating() {
            return false;
        }

        @Override
        public boolean allowedBeforeNegotiation(String command) {
            return false;
        }
    }

    /**
     * The one-pass check agrees with QEMU's member-by-member one ({@code envelopeFault} in QDict order)
     * on every request built from the envelope's members, each absent or of each kind, in two orders,
     * in every session state: a valid one runs, a faulty one is answered with the first fault's text.
     */
    @Test
    void theOnePassCheckAgreesWithTheMemberByMemberOneOnEveryEnvelope() {
        String[] names = {"execute", "exec-oob", "arguments", "id", DeadlineMember.MEMBER, "bogus"};
        String[] kinds = {null, "\"cmd\"", "{}", "1", "[]"};
        int[] choice = new int[names.length];
        int checked = 0;
        while (true) {
            StringBuilder forward = new StringBuilder("{");
            StringBuilder backward = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                String kind = kinds[choice[i]];
                if (kind != null) {
                    String member = "\"" + names[i] + "\": " + kind;
                    forward.append(forward.length() > 1 ? ", " : "").append(member);
                    backward.insert(0, member + (backward.length() > 0 ? ", " : ""));
                }
            }
            for (String json : List.of(forward + "}", "{" + backward + "}")) {
                for (boolean oob : new boolean[] {false, true}) {
                    for (boolean deadlines : new boolean[] {false, true}) {
                        JsonMessage m = frame(json);
                        var req = (com.fasterxml.jackson.databind.node.ObjectNode) m.value();
                        String expected = RequestChecker.envelopeFault(req,
                                org.qmon.qmp.internal.json.QdictOrder.keys(req), oob, deadlines);
                        RequestChecker.Outcome o = RequestChecker.check(m, new DeadlineState(oob, deadlines));
                        if (expected == null) {
                            assertInstanceOf(RequestChecker.Run.class, o, json);
                        } else {
                            RequestChecker.Answer a = assertInstanceOf(RequestChecker.Answer.class, o, json);
                            assertEquals(expected, a.reply().description(), json);
                        }
                        checked++;
                    }
                }
            }
            int i = 0;
            while (i < choice.length && ++choice[i] == kinds.length) {
                choice[i++] = 0;
            }
            if (i == choice.length) {
                break;
            }
        }
        assertEquals(5 * 5 * 5 * 5 * 5 * 5 * 2 * 4, checked);
    }
}

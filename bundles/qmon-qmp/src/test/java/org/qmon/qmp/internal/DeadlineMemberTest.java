package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.qmon.api.ErrorClass;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonStreamer;

/**
 * The per-call deadline member on the wire: unknown (QEMU's text) unless the session enabled
 * {@code x-deadline}; then a number of seconds, checked, and handed on in milliseconds.
 */
class DeadlineMemberTest {

    private record State(boolean deadlinesEnabled) implements RequestChecker.SessionState {
        @Override
        public boolean negotiating() {
            return false;
        }

        @Override
        public boolean oobEnabled() {
            return false;
        }

        @Override
        public boolean allowedBeforeNegotiation(String command) {
            return false;
        }
    }

    private static RequestChecker.Outcome check(String json, boolean enabled) {
        return RequestChecker.check(new JsonStreamer(JsonLimits.QEMU)
                .next(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8))), new State(enabled));
    }

    private static String error(String json, boolean enabled) {
        RequestChecker.Answer a = assertInstanceOf(RequestChecker.Answer.class, check(json, enabled));
        assertEquals(ErrorClass.GenericError, a.reply().errorClass());
        return a.reply().description();
    }

    @Test
    void withoutTheCapabilityTheMemberIsUnexpectedAsInQemu() {
        assertEquals("QMP input member 'x-deadline' is unexpected",
                error("{\"execute\": \"query-status\", \"x-deadline\": 2}", false));
    }

    @Test
    void withTheCapabilityItIsADeadlineInMilliseconds() {
        RequestChecker.Run r = assertInstanceOf(RequestChecker.Run.class,
                check("{\"execute\": \"query-status\", \"x-deadline\": 2.5, \"id\": 7}", true));
        assertEquals(2500, r.deadlineMillis());
        assertEquals(7, r.id().intValue());
        RequestChecker.Run none = assertInstanceOf(RequestChecker.Run.class, check("{\"execute\": \"query-status\"}", true));
        assertEquals(0, none.deadlineMillis());
        RequestChecker.Run tiny = assertInstanceOf(RequestChecker.Run.class,
                check("{\"execute\": \"query-status\", \"x-deadline\": 0.0001}", true));
        assertEquals(1, tiny.deadlineMillis());
    }

    @Test
    void badValuesAreClearErrors() {
        assertEquals("QMP input member 'x-deadline' must be a number",
                error("{\"execute\": \"query-status\", \"x-deadline\": \"2\"}", true));
        for (String v : new String[] {"0", "-1", "86401"}) {
            assertEquals("QMP input member 'x-deadline' must be more than 0 and at most 86400 seconds",
                    error("{\"execute\": \"query-status\", \"x-deadline\": " + v + "}", true));
        }
        assertTrue(error("{\"execute\": \"query-status\", \"x-deadlin\": 1}", true).contains("is unexpected"));
    }

    @Test
    void theGreetingStillOffersOnlyQemusCapabilities() {
        assertEquals(java.util.List.of("oob"), QmpCapabilitiesCommand.OFFERED);
        assertEquals(java.util.List.of("oob", "x-deadline"), QmpCapabilitiesCommand.ACCEPTED);
    }
}

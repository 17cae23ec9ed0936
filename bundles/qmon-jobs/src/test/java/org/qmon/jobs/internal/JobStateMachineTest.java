package org.qmon.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.qmon.api.CommandException;
import org.qmon.api.job.JobStatus;
import org.qmon.api.job.JobVerb;

/**
 * The two tables against QEMU 7.2's own, copied here as QEMU writes them in {@code job.c} (rows and
 * columns in {@code JobStatus} order U, C, R, P, Y, S, W, D, X, E, N), cell by cell. 7.2 accepts
 * {@code complete} on standby (QEMU 6.2, "job: Allow complete for jobs on standby") and has no
 * {@code change} verb yet (QEMU 8.2).
 */
class JobStateMachineTest {

    /** QEMU's {@code JobSTT}, row by row. */
    private static final String[] QEMU_STT = {
        /* U: */ "0 1 0 0 0 0 0 0 0 0 0",
        /* C: */ "0 0 1 0 0 0 0 0 1 0 1",
        /* R: */ "0 0 0 1 1 0 1 0 1 0 0",
        /* P: */ "0 0 1 0 0 0 0 0 0 0 0",
        /* Y: */ "0 0 0 0 0 1 1 0 1 0 0",
        /* S: */ "0 0 0 0 1 0 0 0 0 0 0",
        /* W: */ "0 0 0 0 0 0 0 1 1 0 0",
        /* D: */ "0 0 0 0 0 0 0 0 1 1 0",
        /* X: */ "0 0 0 0 0 0 0 0 1 1 0",
        /* E: */ "0 0 0 0 0 0 0 0 0 0 1",
        /* N: */ "0 0 0 0 0 0 0 0 0 0 0",
    };

    /** QEMU's {@code JobVerbTable}, by verb. */
    private static final Map<JobVerb, String> QEMU_VERBS = Map.of(
            JobVerb.CANCEL,    "0 1 1 1 1 1 1 1 0 0 0",
            JobVerb.PAUSE,     "0 1 1 1 1 1 0 0 0 0 0",
            JobVerb.RESUME,    "0 1 1 1 1 1 0 0 0 0 0",
            JobVerb.SET_SPEED, "0 1 1 1 1 1 0 0 0 0 0",
            JobVerb.COMPLETE,  "0 0 0 0 1 1 0 0 0 0 0",
            JobVerb.FINALIZE,  "0 0 0 0 0 0 0 1 0 0 0",
            JobVerb.DISMISS,   "0 0 0 0 0 0 0 0 0 1 0");

    @Test
    void theStatusesAreQemusInQemusOrder() {
        assertEquals("undefined created running paused ready standby waiting pending aborting concluded null",
                String.join(" ", java.util.Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList()));
    }

    @Test
    void everyTransitionIsAllowedExactlyWhenQemuAllowsIt() {
        JobStatus[] s = JobStatus.values();
        for (int from = 0; from < s.length; from++) {
            String[] row = QEMU_STT[from].split(" ");
            for (int to = 0; to < s.length; to++) {
                assertEquals(row[to].equals("1"), JobStateMachine.allowed(s[from], s[to]),
                        s[from].wireName() + " -> " + s[to].wireName());
            }
        }
    }

    @Test
    void everyVerbIsAcceptedExactlyWhereQemuAcceptsIt() {
        JobStatus[] s = JobStatus.values();
        assertEquals(JobVerb.values().length, QEMU_VERBS.size());
        for (JobVerb verb : JobVerb.values()) {
            String[] row = QEMU_VERBS.get(verb).split(" ");
            for (int i = 0; i < s.length; i++) {
                assertEquals(row[i].equals("1"), JobStateMachine.accepts(verb, s[i]), verb.wireName() + " in " + s[i].wireName());
            }
        }
    }

    @Test
    void aRefusedVerbHasQemusText() {
        CommandException e = assertThrows(CommandException.class,
                () -> JobStateMachine.apply("j0", JobStatus.CONCLUDED, JobVerb.SET_SPEED));
        assertEquals("Job 'j0' in state 'concluded' cannot accept command verb 'set-speed'", e.description());
        assertEquals(org.qmon.api.ErrorClass.GenericError, e.errorClass());
    }

    @Test
    void idsAreWellFormedAsQemuSays() {
        for (String ok : new String[] {"a", "job0", "J-1.x_y"}) {
            assertTrue(JobStateMachine.wellFormed(ok), ok);
        }
        for (String bad : new String[] {"", "0job", "-a", "_a", "a b", "a/b", "é"}) {
            assertFalse(JobStateMachine.wellFormed(bad), bad);
        }
    }
}

package org.qmon.jobs.internal;

import static org.qmon.api.job.JobStatus.ABORTING;
import static org.qmon.api.job.JobStatus.CONCLUDED;
import static org.qmon.api.job.JobStatus.CREATED;
import static org.qmon.api.job.JobStatus.NULL;
import static org.qmon.api.job.JobStatus.PAUSED;
import static org.qmon.api.job.JobStatus.PENDING;
import static org.qmon.api.job.JobStatus.READY;
import static org.qmon.api.job.JobStatus.RUNNING;
import static org.qmon.api.job.JobStatus.STANDBY;
import static org.qmon.api.job.JobStatus.UNDEFINED;
import static org.qmon.api.job.JobStatus.WAITING;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.qmon.api.CommandException;
import org.qmon.api.job.JobStatus;
import org.qmon.api.job.JobVerb;

/**
 * QEMU's two tables ({@code job.c}): which status may follow which ({@code JobSTT}), and which verb a
 * user may apply in which status ({@code JobVerbTable}), with QEMU's text for a refused verb, as in
 * QEMU 7.2 (where {@code complete} is also accepted on {@code standby}). Pure data.
 */
final class JobStateMachine {

    private JobStateMachine() {
    }

    /** {@code JobSTT}: from each status, the statuses it may move to. */
    static final Map<JobStatus, Set<JobStatus>> TRANSITIONS = new EnumMap<>(JobStatus.class);

    /** {@code JobVerbTable}: for each verb, the statuses that accept it. */
    static final Map<JobVerb, Set<JobStatus>> VERBS = new EnumMap<>(JobVerb.class);

    static {
        TRANSITIONS.put(UNDEFINED, EnumSet.of(CREATED));
        TRANSITIONS.put(CREATED, EnumSet.of(RUNNING, ABORTING, NULL));
        TRANSITIONS.put(RUNNING, EnumSet.of(PAUSED, READY, WAITING, ABORTING));
        TRANSITIONS.put(PAUSED, EnumSet.of(RUNNING));
        TRANSITIONS.put(READY, EnumSet.of(STANDBY, WAITING, ABORTING));
        TRANSITIONS.put(STANDBY, EnumSet.of(READY));
        TRANSITIONS.put(WAITING, EnumSet.of(PENDING, ABORTING));
        TRANSITIONS.put(PENDING, EnumSet.of(ABORTING, CONCLUDED));
        TRANSITIONS.put(ABORTING, EnumSet.of(ABORTING, CONCLUDED));
        TRANSITIONS.put(CONCLUDED, EnumSet.of(NULL));
        TRANSITIONS.put(NULL, EnumSet.noneOf(JobStatus.class));

        Set<JobStatus> control = EnumSet.of(CREATED, RUNNING, PAUSED, READY, STANDBY);
        VERBS.put(JobVerb.CANCEL, EnumSet.of(CREATED, RUNNING, PAUSED, READY, STANDBY, WAITING, PENDING));
        VERBS.put(JobVerb.PAUSE, control);
        VERBS.put(JobVerb.RESUME, control);
        VERBS.put(JobVerb.SET_SPEED, control);
        VERBS.put(JobVerb.COMPLETE, EnumSet.of(READY, STANDBY));
        VERBS.put(JobVerb.FINALIZE, EnumSet.of(PENDING));
        VERBS.put(JobVerb.DISMISS, EnumSet.of(CONCLUDED));
    }

    /**
     * Whether a job may move between two statuses.
     *
     * @param from the current status
     * @param to the next
     * @return whether {@code JobSTT} allows it
     */
    static boolean allowed(JobStatus from, JobStatus to) {
        return TRANSITIONS.get(from).contains(to);
    }

    /**
     * Whether a verb is accepted in a status.
     *
     * @param verb the verb
     * @param status the status
     * @return whether {@code JobVerbTable} allows it
     */
    static boolean accepts(JobVerb verb, JobStatus status) {
        return VERBS.get(verb).contains(status);
    }

    /**
     * QEMU's {@code job_apply_verb}.
     *
     * @param id the job's id
     * @param status its status
     * @param verb the verb asked for
     * @throws CommandException {@code Job '<id>' in state '<status>' cannot accept command verb '<verb>'}
     */
    static void apply(String id, JobStatus status, JobVerb verb) throws CommandException {
        if (status == JobStatus.NULL) {
            // Dismissed while the caller held it: QEMU would no longer find it.
            throw CommandException.generic("Job not found");
        }
        if (!accepts(verb, status)) {
            throw CommandException.generic("Job '" + id + "' in state '" + status.wireName()
                    + "' cannot accept command verb '" + verb.wireName() + "'");
        }
    }

    /**
     * QEMU's {@code id_wellformed}: a letter, then letters, digits, {@code -}, {@code .} and {@code _}.
     *
     * @param id the id
     * @return whether it is well formed
     */
    static boolean wellFormed(String id) {
        if (id.isEmpty() || !isAsciiLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}

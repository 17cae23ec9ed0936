package org.qmon.dispatcher.internal;

import java.math.BigDecimal;

/**
 * The deadline of one call: the shortest of the dispatcher's limit ({@code command.timeout.seconds}),
 * the command's declared timeout ({@code @QmpCommand(timeout = ...)}) and the caller's per-call
 * deadline, each of them 0 when absent; and the text the caller gets when it passes.
 */
final class Deadlines {

    private Deadlines() {
    }

    /**
     * The effective deadline.
     *
     * @param limitMillis the dispatcher's limit, 0 for none
     * @param declaredMillis the command's declared timeout, 0 for none
     * @param requestedMillis the caller's per-call deadline, 0 for none
     * @return the shortest of those that are set, 0 when none is
     */
    static long effective(long limitMillis, long declaredMillis, long requestedMillis) {
        long t = 0;
        for (long v : new long[] {limitMillis, declaredMillis, requestedMillis}) {
            if (v > 0 && (t == 0 || v < t)) {
                t = v;
            }
        }
        return t;
    }

    /**
     * The error text for a call that ran out of time, e.g. {@code Command screendump timed out after
     * 2.5 s}: seconds without trailing zeros.
     *
     * @param command the command name
     * @param millis the deadline that passed
     * @return the text
     */
    static String timedOut(String command, long millis) {
        return "Command " + command + " timed out after " + seconds(millis) + " s";
    }

    /** Milliseconds as seconds without trailing zeros: 300000 → 300, 2500 → 2.5, 1 → 0.001. */
    static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * Seconds, as declared in a service property ({@code Double}, any {@link Number}, or a string from
     * a configuration file), as milliseconds; anything else, or a value not above zero, is 0.
     *
     * @param value the property value
     * @return milliseconds, at least 1 for any positive value; 0 for none
     */
    static long millis(Object value) {
        double seconds;
        if (value instanceof Number n) {
            seconds = n.doubleValue();
        } else if (value instanceof String s) {
            try {
                seconds = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        } else {
            return 0;
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            return 0;
        }
        return Math.max(1, (long) Math.min(Long.MAX_VALUE / 2, Math.ceil(seconds * 1000)));
    }
}

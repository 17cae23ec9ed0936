package org.qmon.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * qmon's per-call deadline on the wire (an extension; QEMU has none): a client that enabled the
 * {@value #CAPABILITY} capability in {@code qmp_capabilities} may add the member {@value #MEMBER} to
 * any request, a number of seconds:
 *
 * <pre>
 * {"execute": "qmp_capabilities", "arguments": {"enable": ["x-deadline"]}}
 * {"execute": "screendump", "arguments": {"filename": "a.ppm"}, "x-deadline": 2.5, "id": 1}
 * {"error": {"class": "GenericError", "desc": "Command screendump timed out after 2.5 s"}, "id": 1}
 * </pre>
 *
 * <p>Without the capability the member is what QEMU says of any other, {@code QMP input member
 * 'x-deadline' is unexpected}, so clients written for QEMU see nothing new; the greeting does not list
 * the capability either (its {@code capabilities} stay QEMU's).
 */
final class DeadlineMember {

    /** The capability that enables the member. */
    static final String CAPABILITY = "x-deadline";
    /** The request member. */
    static final String MEMBER = "x-deadline";
    /** The longest deadline a client may ask for, in seconds (one day). */
    static final long MAX_SECONDS = 86_400;

    private DeadlineMember() {
    }

    /**
     * Checks the member's value.
     *
     * @param v the value
     * @return the fault's text, or {@code null} when it is a valid deadline
     */
    static String fault(JsonNode v) {
        if (!v.isNumber()) {
            return "QMP input member '" + MEMBER + "' must be a number";
        }
        double s = v.doubleValue();
        if (!(s > 0) || s > MAX_SECONDS) {
            return "QMP input member '" + MEMBER + "' must be more than 0 and at most " + MAX_SECONDS + " seconds";
        }
        return null;
    }

    /**
     * The deadline in milliseconds, at least 1.
     *
     * @param v a value {@link #fault} accepted
     * @return milliseconds
     */
    static long millis(JsonNode v) {
        return Math.max(1, (long) Math.ceil(v.doubleValue() * 1000));
    }
}

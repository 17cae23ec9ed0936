package org.qmon.qmp.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.Reply;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.QdictOrder;

/**
 * Checks one framed QMP message the way QEMU's {@code handle_qmp_command()} and
 * {@code qmp_dispatch_check_obj()} do, and says what to do with it: run a command (in band or out of
 * band), or answer with an error (in band or out of band). A plain object of pure functions: no
 * sockets, no dispatcher, no threads; the session supplies its negotiation state.
 */
final class RequestChecker {

    private RequestChecker() {
    }

    /** What the checker needs to know of the session. */
    interface SessionState {
        /** @return whether capabilities negotiation is still going on */
        boolean negotiating();

        /** @return whether the client enabled the {@code oob} capability */
        boolean oobEnabled();

        /**
         * @param command a command name
         * @return whether the session may run it before negotiation (a declared trait of the command)
         */
        boolean allowedBeforeNegotiation(String command);

        /** @return whether the client enabled per-call deadlines ({@link DeadlineMember}) */
        default boolean deadlinesEnabled() {
            return false;
        }
    }

    /** What to do with a message. */
    sealed interface Outcome permits Run, Answer {
        /** @return the request's {@code id} member, to echo; {@code null} when it had none */
        JsonNode id();

        /** @return whether it is handled out of band: at once, ahead of queued in-band requests */
        boolean outOfBand();
    }

    /**
     * Run a command.
     *
     * @param command the command name
     * @param arguments the {@code arguments} member in neutral form, or {@code null} when absent
     * @param id the id to echo, or {@code null}
     * @param outOfBand {@code exec-oob} with OOB enabled
     * @param deadlineMillis the client's per-call deadline ({@link DeadlineMember}), 0 for none
     */
    record Run(String command, Map<String, Object> arguments, JsonNode id, boolean outOfBand, long deadlineMillis)
            implements Outcome {

        /**
         * A request without a deadline.
         *
         * @param command the command name
         * @param arguments the arguments or {@code null}
         * @param id the id or {@code null}
         * @param outOfBand out of band
         */
        Run(String command, Map<String, Object> arguments, JsonNode id, boolean outOfBand) {
            this(command, arguments, id, outOfBand, 0);
        }
    }

    /**
     * Answer with an error without running anything.
     *
     * @param reply the error
     * @param id the id to echo, or {@code null}
     * @param outOfBand answer at once (the request looked out-of-band)
     */
    record Answer(Reply reply, JsonNode id, boolean outOfBand) implements Outcome {
    }

    /** QEMU's text for any command but the allowed ones while negotiating. */
    static final String EXPECTING_NEGOTIATION = "Expecting capabilities negotiation with 'qmp_capabilities'";

    /**
     * Checks a message.
     *
     * @param m the framed message (a value or a lexer/parser error)
     * @param state the session's state
     * @return what to do
     */
    static Outcome check(JsonMessage m, SessionState state) {
        if (m.isError()) {
            return new Answer(Reply.error(ErrorClass.GenericError, m.error()), null, false);
        }
        if (!(m.value() instanceof ObjectNode req)) {
            return new Answer(Reply.error(ErrorClass.GenericError, "QMP input must be a JSON object"), null, false);
        }
        boolean oobEnabled = state.oobEnabled();
        boolean deadlines = state.deadlinesEnabled();
        // One pass over the members finds what a valid request carries and whether anything is wrong;
        // only a faulty request is visited again, in QEMU's order, for the text of its first fault.
        JsonNode id = null;
        JsonNode execute = null;
        JsonNode execOob = null;
        JsonNode arguments = null;
        JsonNode deadline = null;
        boolean odd = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = req.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "id" -> id = v;
                case "execute" -> execute = v;
                case "exec-oob" -> execOob = v;
                case "arguments" -> arguments = v;
                case DeadlineMember.MEMBER -> deadline = v;
                default -> odd = true;
            }
        }
        boolean fault = odd
                || (execute != null && !execute.isTextual())
                || (execOob != null && (!oobEnabled || !execOob.isTextual() || execute != null))
                || (execute == null && execOob == null)
                || (arguments != null && !arguments.isObject())
                || (deadline != null && (!deadlines || DeadlineMember.fault(deadline) != null));
        // A request that looks out-of-band is handled at once, like QEMU's handle_qmp_command(). When
        // OOB is not enabled QEMU queues at most one in-band request and stops reading, so an 'exec-oob'
        // request is not even parsed before the earlier replies are out: answering its error in band
        // gives the client the same order without QEMU's one-request window.
        boolean looksOob = oobEnabled && execOob != null && execute == null;
        if (fault) {
            // Two faults in one request: QEMU reports the first in its QDict order, not input order.
            String text = envelopeFault(req, QdictOrder.keys(req), oobEnabled, deadlines);
            return new Answer(Reply.error(ErrorClass.GenericError, text), id, looksOob);
        }
        String command = (execute != null ? execute : execOob).textValue();
        if (state.negotiating() && !state.allowedBeforeNegotiation(command)) {
            return new Answer(Reply.error(ErrorClass.CommandNotFound, EXPECTING_NEGOTIATION), id, looksOob);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> args = arguments == null ? null : (Map<String, Object>) toNeutral(arguments);
        return new Run(command, args, id, looksOob, deadline == null ? 0 : DeadlineMember.millis(deadline));
    }

    /**
     * QEMU's qmp_dispatch_check_obj(): the request's members visited in the given order.
     *
     * @return the first fault's description, or {@code null} when the envelope is valid
     */
    static String envelopeFault(ObjectNode req, Iterable<String> names, boolean oobEnabled) {
        return envelopeFault(req, names, oobEnabled, false);
    }

    /**
     * The same, where the session may also accept qmon's {@link DeadlineMember}.
     *
     * @return the first fault's description, or {@code null} when the envelope is valid
     */
    static String envelopeFault(ObjectNode req, Iterable<String> names, boolean oobEnabled, boolean deadlines) {
        String execKey = null;
        for (String name : names) {
            JsonNode v = req.get(name);
            if (name.equals("execute") || (name.equals("exec-oob") && oobEnabled)) {
                if (!v.isTextual()) {
                    return "QMP input member '" + name + "' must be a string";
                }
                if (execKey != null) {
                    return "QMP input member '" + name + "' clashes with '" + execKey + "'";
                }
                execKey = name;
            } else if (name.equals("arguments")) {
                if (!v.isObject()) {
                    return "QMP input member 'arguments' must be an object";
                }
            } else if (deadlines && name.equals(DeadlineMember.MEMBER)) {
                String f = DeadlineMember.fault(v);
                if (f != null) {
                    return f;
                }
            } else if (!name.equals("id")) {
                return "QMP input member '" + name + "' is unexpected";
            }
        }
        return execKey == null ? "QMP input lacks member 'execute'" : null;
    }

    /**
     * A parsed JSON value in the dispatcher's neutral form: maps (in member order), lists, strings,
     * booleans, {@code Integer}/{@code Long}/{@code BigInteger} for integers, {@code Double} for other
     * numbers, and {@code null}.
     *
     * @param node the value
     * @return the same value without Jackson types
     */
    static Object toNeutral(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>(Math.max(4, node.size() * 2));
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), toNeutral(e.getValue()));
                }
                return map;
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode e : node) {
                    list.add(toNeutral(e));
                }
                return list;
            }
            case STRING:
                return node.textValue();
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                if (node.isIntegralNumber()) {
                    if (node.isBigInteger()) {
                        return node.bigIntegerValue();
                    }
                    return node.isLong() ? (Object) node.longValue() : (Object) node.intValue();
                }
                return node.doubleValue();
            default:
                return null;
        }
    }
}

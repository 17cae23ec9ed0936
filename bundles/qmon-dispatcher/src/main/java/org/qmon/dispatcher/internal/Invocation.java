package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the dispatcher: the exactly-once {@link Completion} handed to
 * handlers (synchronous handlers are completed by the same object, so there is one path for both) and
 * the {@link CommandContext} they see.
 *
 * <p>State moves once from RUNNING to DONE (complete/fail) or CANCELLED; the compare-and-set on
 * {@link #state} makes the first outcome win and every later one a logged no-op. {@link #handoff} joins
 * two events that race: "the handler's execute() returned" (on the session's worker) and "the outcome
 * is known" (on any thread); whichever happens second carries the session on to its next request.
 */
final class Invocation implements Completion<Object>, CommandContext {

    private static final Logger LOG = LoggerFactory.getLogger(Invocation.class);

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int CANCELLED = 2;

    final SessionImpl session;
    final String command;
    final ObjectNode arguments;
    final boolean oob;
    final Consumer<Reply> onReply;
    /** Set when the request is started; read by the departure and timeout paths. */
    volatile CommandInfo info;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    final AtomicBoolean handoff = new AtomicBoolean();
    /** The outcome to deliver; written before {@link #state} leaves RUNNING is observed by finish(). */
    private volatile Reply reply;
    /** Guarded by {@code this}; {@code null} once cancellation has run them. */
    private List<Runnable> cancelActions = new ArrayList<>(0);
    /**
     * When the dispatcher's timeout sweep cancels it ({@link System#nanoTime()}); meaningful while it is
     * in {@link #timedIn}.
     */
    volatile long deadline;
    /** The dispatcher's set of timed invocations it was added to, if any; left on settling. */
    volatile Set<Invocation> timedIn;
    private final Set<String> capabilities;

    Invocation(SessionImpl session, String command, ObjectNode arguments, boolean oob, Consumer<Reply> onReply,
            Set<String> capabilities) {
        this.session = session;
        this.command = command;
        this.arguments = arguments;
        this.oob = oob;
        this.onReply = onReply;
        this.capabilities = capabilities;
    }

    /** An invocation whose reply is already known (a frontend's error or negotiation answer). */
    static Invocation ofReply(SessionImpl session, Reply reply, Consumer<Reply> onReply) {
        Invocation inv = new Invocation(session, null, null, false, onReply, Set.of());
        inv.reply = reply;
        inv.state.set(DONE);
        return inv;
    }

    Reply reply() {
        return reply;
    }

    @Override
    public boolean complete(Object result) {
        return settle(Reply.success(result), DONE);
    }

    @Override
    public boolean fail(Throwable error) {
        return settle(toReply(error, command), DONE);
    }

    /**
     * Cancels: the handler sees {@link #isCancelled()} and its cancel actions run.
     *
     * @param replacement the reply the client still gets (timeout, departed handler), or {@code null}
     *        when there is nobody to answer (the session closed)
     * @return {@code true} if this call cancelled it
     */
    boolean cancel(Reply replacement) {
        if (!settle(replacement, CANCELLED)) {
            return false;
        }
        List<Runnable> actions;
        synchronized (this) {
            actions = cancelActions;
            cancelActions = null;
        }
        for (Runnable r : actions) {
            runCancelAction(r);
        }
        return true;
    }

    private boolean settle(Reply outcome, int newState) {
        if (!state.compareAndSet(RUNNING, newState)) {
            if (newState == DONE) {
                LOG.debug("Ignored a second outcome of command {}", command);
            }
            return false;
        }
        reply = outcome;
        Set<Invocation> t = timedIn;
        if (t != null) {
            t.remove(this);
        }
        CommandInfo i = info;
        if (i != null) {
            i.inflight().remove(this);
        }
        session.settled(this);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return state.get() == CANCELLED;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (cancelActions != null) {
                if (state.get() == RUNNING) {
                    cancelActions.add(action);
                }
                return;
            }
        }
        runCancelAction(action);
    }

    private void runCancelAction(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("A cancel action of command {} failed", command, e);
        }
    }

    @Override
    public long sessionId() {
        return session.id();
    }

    @Override
    public String frontend() {
        return session.frontend();
    }

    @Override
    public Set<String> capabilities() {
        return capabilities;
    }

    @Override
    public boolean outOfBand() {
        return oob;
    }

    /**
     * Maps a handler's throwable to a reply: a {@link CommandException} keeps its class and text,
     * anything else is a GenericError with its message (never a stack trace on the wire) and is logged.
     */
    static Reply toReply(Throwable error, String command) {
        if (error instanceof CommandException ce) {
            return Reply.error(ce);
        }
        LOG.warn("Command {} failed", command, error);
        String msg = error.getMessage();
        return Reply.error(ErrorClass.GenericError, msg != null && !msg.isBlank() ? msg : error.getClass().getSimpleName());
    }
}

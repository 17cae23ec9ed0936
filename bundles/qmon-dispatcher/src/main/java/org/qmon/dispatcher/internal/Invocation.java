package org.qmon.dispatcher.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the dispatcher, and the owner of its lifecycle: it starts itself
 * ({@link #start}: OOB check, argument binding, in-flight bookkeeping, deadline, the handler call),
 * is the exactly-once {@link Completion} handed to handlers (synchronous handlers are completed by the
 * same object, so there is one path for both) and the {@link CommandContext} they see, and it settles
 * once: completed, failed, timed out, departed with its handler, or cancelled with its session.
 *
 * <p>State moves once from RUNNING to DONE (complete/fail) or CANCELLED; the compare-and-set on
 * {@link #state} makes the first outcome win and every later one a logged no-op. {@link #handOff()} joins
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
    final Map<String, ?> arguments;
    final boolean oob;
    final Consumer<Reply> onReply;
    private final Set<String> capabilities;

    /** RUNNING, DONE or CANCELLED; moved by {@link #STATE} (a field, not an AtomicInteger: one object less per request). */
    private volatile int state = RUNNING;
    /** Set by the first of the two events {@link #handOff()} joins. */
    private volatile boolean handoff;

    private static final VarHandle STATE;
    private static final VarHandle HANDOFF;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Invocation.class, "state", int.class);
            HANDOFF = l.findVarHandle(Invocation.class, "handoff", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The outcome to deliver; written before {@link #state} leaves RUNNING is observed by finish(). */
    private volatile Reply reply;
    /** Guarded by {@code this}; {@code null} until the first is registered (most requests have none). */
    private List<Runnable> cancelActions;
    /** Guarded by {@code this}: cancellation has run the actions; later ones run at once. */
    private boolean cancelRan;
    /** The handler it runs; set by {@link #start} before it joins the handler's in-flight set. */
    private volatile CommandInfo info;
    /** The timeouts it is watched by, if any; left when it settles. */
    private volatile Timeouts timeouts;
    /** When the timeout sweep cancels it ({@link System#nanoTime()}); meaningful while watched. */
    volatile long deadline;
    /** The caller's per-call deadline in ms, 0 for none; written before {@link #start}. */
    long requestedMillis;
    /** The deadline it is watched with, in ms, for the timeout's text; written by {@link Timeouts#watch}. */
    volatile long timeoutMillis;

    Invocation(SessionImpl session, String command, Map<String, ?> arguments, boolean oob, Consumer<Reply> onReply,
            Set<String> capabilities) {
        this.session = session;
        this.command = command;
        this.arguments = arguments;
        this.oob = oob;
        this.onReply = onReply;
        this.capabilities = capabilities;
    }

    /** An invocation whose reply is already known (a frontend's error answer). */
    static Invocation ofReply(SessionImpl session, Reply reply, Consumer<Reply> onReply) {
        Invocation inv = new Invocation(session, null, null, false, onReply, Set.of());
        inv.reply = reply;
        inv.state = DONE;
        return inv;
    }

    Reply reply() {
        return reply;
    }

    /**
     * Runs the request on the calling thread: OOB check, argument binding, then the handler. Every
     * failure settles the invocation, so exactly one outcome is always produced.
     *
     * @param target the handler the session resolved for the command name, or {@code null} if none
     * @param timeouts watches the deadline
     * @param inline whether it runs on the submitting thread (a non-blocking or out-of-band command):
     *        then a synchronous handler returns within microseconds by contract, so it is neither put
     *        under the timeout nor joins its handler's in-flight set (two concurrent-set updates saved
     *        per request on the hot path); it still never starts once its handler has left
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void start(CommandInfo target, Timeouts timeouts, boolean inline) {
        if (target == null) {
            fail(new CommandException(ErrorClass.CommandNotFound, "The command " + command + " has not been found"));
            return;
        }
        if (oob && !target.allowOob()) {
            fail(CommandException.generic("The command " + command + " does not support OOB"));
            return;
        }
        Object args;
        try {
            args = target.argumentModel().bind(arguments != null ? arguments : java.util.Map.of(), null);
        } catch (CommandException | RuntimeException e) {
            fail(e);
            return;
        }
        if (inline && !target.async()) {
            if (target.departed()) {
                departed(target);
                return;
            }
        } else {
            info = target;
            target.inflight().add(this);
            if (target.departed()) {
                // Departed between the lookup and joining inflight: its departure may have missed us.
                departed(target);
                return;
            }
            this.timeouts = timeouts;
            if (timeouts.watch(this, target.timeoutMillis()) != 0 && state != RUNNING) {
                timeouts.unwatch(this); // settled concurrently (session closed) before being watched
            }
        }
        try {
            if (target.async()) {
                ((AsyncCommand) target.handler()).execute(args, this, this);
            } else {
                complete(((Command) target.handler()).execute(args, this));
            }
        } catch (CommandException e) {
            fail(e);
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            fail(e);
        } catch (Exception | LinkageError | AssertionError e) {
            fail(e);
        }
    }

    /** Its handler's service left while it ran: the client is answered with an error at once. */
    void departed(CommandInfo handler) {
        cancel(Reply.error(ErrorClass.CommandNotFound,
                "The command " + handler.name() + " has been removed while it was running"));
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
            cancelRan = true;
        }
        if (actions != null) {
            for (Runnable r : actions) {
                runCancelAction(r);
            }
        }
        return true;
    }

    private boolean settle(Reply outcome, int newState) {
        if (!STATE.compareAndSet(this, RUNNING, newState)) {
            if (newState == DONE) {
                LOG.debug("Ignored a second outcome of command {}", command);
            }
            return false;
        }
        reply = outcome;
        Timeouts t = timeouts;
        if (t != null) {
            t.unwatch(this);
        }
        CommandInfo i = info;
        if (i != null) {
            i.inflight().remove(this);
        }
        session.settled(this);
        return true;
    }

    /**
     * Joins "the handler's execute() returned" and "the outcome is known": the first caller gets
     * {@code false}, the second {@code true} and carries the session on.
     */
    boolean handOff() {
        return (boolean) HANDOFF.getAndSet(this, true);
    }

    @Override
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelRan) {
                if (state == RUNNING) {
                    if (cancelActions == null) {
                        cancelActions = new ArrayList<>(2);
                    }
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

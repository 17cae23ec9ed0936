package org.qmon.dispatcher.internal;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.qmon.api.runtime.CommandDescriptor;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session: its in-band requests run one at a time, in submission order, on the dispatcher's
 * workers; out-of-band requests run at once on the caller's thread. An in-band request for a
 * non-blocking command that finds the session idle also runs on the caller's (I/O) thread: that saves
 * the hand-off to a worker and back, the largest cost of a request-response round trip (bench/).
 *
 * <p>Locking: {@link #lock} guards {@link #queue}, {@link #busy}, {@link #current} and {@link #closed}.
 * It is never held while a handler runs or a reply handler is called. {@code busy} is true from the
 * moment a drain is scheduled until the drain finds the queue empty, so at most one drain runs.
 */
final class SessionImpl implements DispatchSession {

    private static final Logger LOG = LoggerFactory.getLogger(SessionImpl.class);

    private final DispatcherImpl dispatcher;
    private final long id;
    private final String frontend;
    private volatile Set<String> capabilities;
    /** This session's own commands, looked up before the registry; immutable. */
    private final Map<String, CommandInfo> local;

    private final Object lock = new Object();
    private final ArrayDeque<Invocation> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    /** The in-band invocation started last and not yet delivered. */
    private Invocation current;
    /** Out-of-band invocations not yet settled, for cancellation on close. */
    private final Set<Invocation> oobRunning = ConcurrentHashMap.newKeySet();

    SessionImpl(DispatcherImpl dispatcher, long id, String frontend, Set<String> capabilities,
            Map<String, CommandInfo> local) {
        this.dispatcher = dispatcher;
        this.id = id;
        this.frontend = frontend;
        this.capabilities = Set.copyOf(capabilities);
        this.local = local;
    }

    /**
     * The last name this session resolved, the registry snapshot it was resolved in, and the outcome.
     * A client repeats its commands, and the QMP parser hands out the same String for a repeated name
     * (its string cache): the next look-up of that name is then two reference comparisons. Immutable,
     * so a thread that reads the field sees a whole one; a race only costs a look-up.
     */
    private record Resolved(String name, Map<String, CommandInfo> snapshot, CommandInfo info) {
    }

    /** See {@link Resolved}; written by whichever thread resolves, read without a lock. */
    private Resolved last;

    /** The handler this session runs for a name: its own command first, then the registry's winner. */
    CommandInfo resolve(String name) {
        Map<String, CommandInfo> snapshot = dispatcher.registry().active();
        Resolved r = last;
        if (r != null && r.name == name && r.snapshot == snapshot) {
            return r.info;
        }
        CommandInfo i = local.isEmpty() ? null : local.get(name);
        if (i == null) {
            i = snapshot.get(name);
        }
        last = new Resolved(name, snapshot, i);
        return i;
    }

    /** This session's own commands, for {@code query-commands}. */
    Map<String, CommandInfo> localCommands() {
        return local;
    }

    @Override
    public Optional<CommandDescriptor> command(String name) {
        CommandInfo i = resolve(name);
        return i == null ? Optional.empty() : Optional.of(i.descriptor());
    }

    @Override
    public long id() {
        return id;
    }

    String frontend() {
        return frontend;
    }

    @Override
    public void capabilities(Set<String> caps) {
        this.capabilities = Set.copyOf(caps);
    }

    @Override
    public void submit(String command, Map<String, ?> arguments, boolean outOfBand, Consumer<Reply> onReply) {
        submit(command, arguments, outOfBand, 0, onReply);
    }

    @Override
    public void submit(String command, Map<String, ?> arguments, boolean outOfBand, long deadlineMillis,
            Consumer<Reply> onReply) {
        Invocation inv = new Invocation(this, command, arguments, outOfBand, onReply, capabilities);
        inv.requestedMillis = Math.max(0, deadlineMillis);
        if (outOfBand) {
            oobRunning.add(inv);
            if (closedNow()) {
                oobRunning.remove(inv);
                return;
            }
            inv.start(resolve(inv.command), dispatcher.timeouts(), true);
            return;
        }
        enqueue(inv);
    }

    @Override
    public void submitReply(Reply reply, Consumer<Reply> onReply) {
        Invocation inv = Invocation.ofReply(this, reply, onReply);
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (!busy && queue.isEmpty()) {
                // Nothing ahead of it: answer on the caller's thread, no hand-off. busy keeps a
                // concurrent submit from overtaking while we deliver.
                busy = true;
            } else {
                queue.add(inv);
                return;
            }
        }
        deliver(inv);
        releaseOrDrain();
    }

    /**
     * After the caller's thread answered one request itself: go idle, or let a worker run what
     * arrived meanwhile (a queue never runs on the caller's, possibly I/O, thread).
     */
    private void releaseOrDrain() {
        synchronized (lock) {
            if (closed || queue.isEmpty()) {
                busy = false;
                current = null;
                return;
            }
        }
        dispatcher.execute(this::drain);
    }

    /** Starts a queued invocation on a worker with the handler this session resolves for it now. */
    private void start(Invocation inv) {
        inv.start(resolve(inv.command), dispatcher.timeouts(), false);
    }

    private void enqueue(Invocation inv) {
        // A request without a handler may run inline too: its answer is an error, found at once.
        CommandInfo target = resolve(inv.command);
        boolean inline = target == null || target.nonBlocking();
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (busy || !inline) {
                queue.add(inv);
                if (busy) {
                    return;
                }
                busy = true;
            } else {
                busy = true;
                current = inv;
            }
        }
        if (!inline) {
            dispatcher.execute(this::drain);
            return;
        }
        // Idle session, non-blocking handler: run it here, as drain() would, but only this one.
        inv.start(target, dispatcher.timeouts(), true);
        if (!inv.handOff()) {
            return; // pending on its Completion: settled() answers and carries on, on a worker
        }
        deliver(inv);
        releaseOrDrain();
    }

    private boolean closedNow() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Runs queued requests until the queue is empty or one is left pending on its Completion. */
    void drain() {
        for (;;) {
            Invocation inv;
            synchronized (lock) {
                inv = closed ? null : queue.poll();
                if (inv == null) {
                    busy = false;
                    current = null;
                    return;
                }
                current = inv;
            }
            if (inv.reply() == null) {
                start(inv);
                if (!inv.handOff()) {
                    return; // still pending: settled() carries on when the outcome arrives
                }
            }
            deliver(inv);
        }
    }

    /** Called exactly once per invocation, when its outcome is known (on any thread). */
    void settled(Invocation inv) {
        if (inv.oob) {
            oobRunning.remove(inv);
            deliver(inv);
            return;
        }
        if (inv.handOff()) {
            // execute() has returned and the drain left this invocation to us: answer, and let a
            // worker (not this thread, which may be a device's or a timer's) run the next request.
            deliver(inv);
            dispatcher.execute(this::drain);
        }
    }

    private void deliver(Invocation inv) {
        Reply r = inv.reply();
        if (r == null || closedNow()) {
            return; // cancelled because the session closed: nobody to answer
        }
        try {
            inv.onReply.accept(r);
        } catch (RuntimeException e) {
            LOG.warn("Reply handler of session {} failed", id, e);
        }
    }

    @Override
    public void close() {
        Invocation running;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            running = current;
        }
        if (running != null) {
            running.cancel(null);
        }
        for (Invocation inv : oobRunning) {
            inv.cancel(null);
        }
        oobRunning.clear();
        dispatcher.sessionClosed(this);
    }
}

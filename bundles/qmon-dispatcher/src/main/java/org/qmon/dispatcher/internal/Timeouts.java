package org.qmon.dispatcher.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.Reply;

/**
 * The command timeout: a sweep every {@link #SWEEP_MILLIS} ms cancels the invocations whose deadline
 * has passed. A request costs a set insertion and removal instead of scheduling and cancelling a timer
 * task (a lock shared by every thread, two objects per request, and a cancelled task that stays queued
 * until its delay: bench/results/history.md).
 *
 * <p>{@link #timed} is a concurrent set: invocations add themselves when they start and remove
 * themselves when they settle, from any thread; the sweep runs on its own timer thread.
 */
final class Timeouts implements AutoCloseable {

    /** How often the sweep runs: a timeout fires up to this late. */
    static final long SWEEP_MILLIS = 250;

    private final Set<Invocation> timed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmon-dispatch-timer");
        t.setDaemon(true);
        return t;
    });
    /** 0 disables the limit. Written by configuration, read when an invocation starts. */
    private volatile long timeoutMillis;

    Timeouts(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    void timeoutMillis(long millis) {
        this.timeoutMillis = millis;
    }

    /**
     * Puts an invocation under its deadline: the shortest of this limit, the command's declared
     * timeout and the caller's per-call deadline ({@link Deadlines#effective}), unless none is set.
     *
     * @param declaredMillis the command's declared timeout, 0 for none
     * @return the deadline in {@link System#nanoTime()} terms, or 0 when not watched
     */
    long watch(Invocation inv, long declaredMillis) {
        long t = Deadlines.effective(timeoutMillis, declaredMillis, inv.requestedMillis);
        if (t <= 0) {
            return 0;
        }
        inv.timeoutMillis = t;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(t);
        inv.deadline = deadline;
        timed.add(inv);
        return deadline;
    }

    void unwatch(Invocation inv) {
        timed.remove(inv);
    }

    /** Cancels the invocations whose deadline has passed. Timer thread. */
    private void sweep() {
        if (timed.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Invocation inv : timed) {
            if (now - inv.deadline >= 0) {
                timed.remove(inv);
                inv.cancel(Reply.error(ErrorClass.GenericError, Deadlines.timedOut(inv.command, inv.timeoutMillis)));
            }
        }
    }

    /** Invocations under the timeout now, for tests and reporting. */
    int size() {
        return timed.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

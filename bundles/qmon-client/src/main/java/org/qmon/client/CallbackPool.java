package org.qmon.client;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's own callback executor, used unless the options supply one: at most
 * {@link QmpClientOptions#CALLBACK_THREADS} threads run callbacks at once; more work waits in an
 * unbounded queue (it is bounded by what the caller pipelines and by the event buffers). Threads
 * are daemons, start on demand and end after 10 s idle, or at once when idle after {@link #retire()}.
 *
 * <p>A callback that waits for another future of the same client would deadlock a bounded pool if
 * every thread did so: the completions they wait for would sit in the queue behind them. So a pool
 * thread that blocks in a client future's {@code get}/{@code join} (which {@link QmpClient#call}
 * uses) lends its place: {@link #beginWait()} raises the number of threads allowed by one until
 * {@link #endWait()}. Only blocking on other things (a lock, a sleep, another client) counts
 * against the bound.
 *
 * <p>Locking: {@code this} guards {@link #lent} and every change of the pool's size, so that its
 * core and maximum size are always {@code bound + lent}.
 */
final class CallbackPool implements Executor {
    private static final long KEEP_ALIVE_SECONDS = 10;

    private final int bound;
    private final ThreadPoolExecutor pool;
    /** Pool threads currently blocked waiting for one of this client's futures. Guarded by this. */
    private int lent;

    CallbackPool(String namePrefix, int bound) {
        this.bound = bound;
        // core = maximum: with an unbounded queue the pool starts a new thread for a task while it
        // has fewer than core threads and never more; the maximum makes a thread beyond it (after
        // a lent place is returned) end as soon as it is idle instead of after the keep-alive.
        this.pool = new ThreadPoolExecutor(bound, bound, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new Factory(namePrefix));
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /**
     * Called by a thread about to block on one of the client's futures. On a thread of this pool it
     * allows one more pool thread while this one waits, and returns {@code true}; elsewhere it does
     * nothing and returns {@code false}.
     */
    boolean beginWait() {
        if (!(Thread.currentThread() instanceof Worker w) || w.owner != this) {
            return false;
        }
        synchronized (this) {
            lent++;
            // Maximum first: the core size may never exceed it. Raising the core size starts
            // threads for tasks already queued; later tasks start one while the pool is below it.
            pool.setMaximumPoolSize(bound + lent);
            pool.setCorePoolSize(bound + lent);
        }
        return true;
    }

    /** Ends a wait begun with {@link #beginWait()} that returned {@code true}. */
    void endWait() {
        synchronized (this) {
            lent--;
            // Core first, for the same reason; threads beyond the maximum end when next idle.
            pool.setCorePoolSize(bound + lent);
            pool.setMaximumPoolSize(bound + lent);
        }
    }

    /**
     * The client closed: idle threads end at once from now on. The pool keeps accepting tasks (the
     * completions a close queues, late event deliveries), so nothing is ever rejected and run on
     * the wrong thread; each runs on a pool thread that ends right after.
     */
    void retire() {
        pool.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
    }

    /** Number of threads the pool has (tests). */
    int threads() {
        return pool.getPoolSize();
    }

    private final class Factory implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        Factory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Worker t = new Worker(CallbackPool.this, task, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /** A pool thread; knows its pool so that {@link #beginWait()} recognises it. */
    private static final class Worker extends Thread {
        final CallbackPool owner;

        Worker(CallbackPool owner, Runnable task, String name) {
            super(task, name);
            this.owner = owner;
        }
    }
}

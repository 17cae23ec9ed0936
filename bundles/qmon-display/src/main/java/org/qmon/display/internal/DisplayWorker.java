package org.qmon.display.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

import org.qmon.api.device.Frame;
import org.qmon.api.device.FrameListener;
import org.qmon.api.device.FrameRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A display's worker thread: it renders a frame only while a request waits, at most once per refresh
 * interval, and hands that one frame to every request waiting at that moment, as a vertical refresh
 * serves every reader at once. A request that arrives just after a refresh waits for the next one, so
 * a client that loops on frames is paced by the refresh rate instead of taking a core, and any number
 * of concurrent requests cost one render per interval. While the machine is stopped it hands out its
 * last frame again instead of rendering: the picture freezes.
 *
 * <p>Idle (nothing waiting) the thread is parked on {@link #wake} without a timeout: no CPU at all.
 *
 * <p>Locking: {@link #lock} guards {@link #waiting}, {@link #closed} and {@link #closeReason}. It is
 * never held while rendering or while a listener runs, so a listener may ask for the next frame. The
 * fields {@link #nextFrameAt} and {@link #last} belong to the worker thread alone.
 */
final class DisplayWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DisplayWorker.class);

    /** How long {@link #close} waits for a listener that is writing a file before it gives up on the thread. */
    private static final long JOIN_MILLIS = 10_000;

    private final String id;
    private final LongFunction<Frame> renderer;
    private final BooleanSupplier running;
    private final long intervalNanos;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the first request arrives and on close. */
    private final Condition wake = lock.newCondition();
    private List<Waiter> waiting = new ArrayList<>();
    private boolean closed;
    private String closeReason;

    /** Earliest {@link System#nanoTime()} of the next render. Worker thread only. */
    private long nextFrameAt;
    /** The last frame handed out, served again while the machine is stopped. Worker thread only. */
    private Frame last;
    /** Frames rendered (not counting frozen repeats). Written by the worker. */
    private volatile long frames;

    /**
     * Starts a worker.
     *
     * @param id the display's id, for the thread name and texts
     * @param renderer renders frame number {@code n} (1, 2, ...); called on the worker thread only
     * @param running whether the machine runs; when it does not, the last frame is served again
     * @param refreshRateHz renders per second at most, {@code > 0}
     */
    DisplayWorker(String id, LongFunction<Frame> renderer, BooleanSupplier running, double refreshRateHz) {
        if (!(refreshRateHz > 0)) {
            throw new IllegalArgumentException("refresh rate must be > 0, not " + refreshRateHz);
        }
        this.id = id;
        this.renderer = renderer;
        this.running = running;
        this.intervalNanos = Math.max(1, (long) (TimeUnit.SECONDS.toNanos(1) / refreshRateHz));
        this.nextFrameAt = System.nanoTime();
        this.thread = new Thread(this::run, "qmon-display-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request for the next frame; never blocks.
     *
     * @param listener the request's listener
     * @return the request
     */
    FrameRequest request(FrameListener listener) {
        Waiter w = new Waiter(listener);
        String reason;
        lock.lock();
        try {
            if (!closed) {
                waiting.add(w);
                if (waiting.size() == 1) {
                    wake.signal();
                }
                return w;
            }
            reason = closeReason;
        } finally {
            lock.unlock();
        }
        w.fail(reason);
        return w;
    }

    /** @return frames rendered so far */
    long frames() {
        return frames;
    }

    /** @return requests waiting for the next frame */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return the worker thread, for tests and leak checks */
    Thread thread() {
        return thread;
    }

    /**
     * Stops the worker: every request still waiting is told {@code reason}; waits (bounded) for a
     * listener that is running to return.
     *
     * @param reason the text for the requests that will not get a frame
     */
    void close(String reason) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = reason;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("Display {}: the worker is still busy after {} ms; it ends when its listener returns",
                        id, JOIN_MILLIS);
            }
        }
        failWaiting();
    }

    @Override
    public void close() {
        close("Display '" + id + "' was removed before its next frame");
    }

    private void failWaiting() {
        List<Waiter> left;
        String reason;
        lock.lock();
        try {
            left = waiting;
            waiting = new ArrayList<>();
            reason = closeReason;
        } finally {
            lock.unlock();
        }
        for (Waiter w : left) {
            w.fail(reason);
        }
    }

    private void run() {
        try {
            for (;;) {
                List<Waiter> batch = nextBatch();
                if (batch == null) {
                    return;
                }
                nextFrameAt = System.nanoTime() + intervalNanos;
                Frame frame;
                try {
                    frame = last != null && !running.getAsBoolean() ? last : renderer.apply(frames + 1);
                } catch (RuntimeException e) {
                    LOG.warn("Display {} failed to render", id, e);
                    for (Waiter w : batch) {
                        w.fail("Display '" + id + "' failed to render: " + e);
                    }
                    continue;
                }
                if (frame != last) {
                    frames++;
                    last = frame;
                }
                for (Waiter w : batch) {
                    w.deliver(frame);
                }
            }
        } catch (InterruptedException e) {
            LOG.warn("Display {}: worker interrupted", id);
        } finally {
            lock.lock();
            try {
                closed = true;
                if (closeReason == null) {
                    closeReason = "Display '" + id + "' stopped";
                }
            } finally {
                lock.unlock();
            }
            failWaiting();
        }
    }

    /**
     * Waits until a request is waiting and the refresh interval since the last render has passed, then
     * takes every waiting request.
     *
     * @return the requests the next frame serves, or {@code null} when closed
     */
    private List<Waiter> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            for (;;) {
                if (closed) {
                    return null;
                }
                if (waiting.isEmpty()) {
                    wake.await();
                    continue;
                }
                long delay = nextFrameAt - System.nanoTime();
                if (delay > 0) {
                    wake.awaitNanos(delay);
                    continue; // re-check: closed, or every request cancelled meanwhile
                }
                List<Waiter> batch = waiting;
                waiting = new ArrayList<>();
                return batch;
            }
        } finally {
            lock.unlock();
        }
    }

    /** One request; {@link #done} makes its outcome (frame, failure or cancellation) happen once. */
    private final class Waiter implements FrameRequest {
        private final FrameListener listener;
        private final AtomicBoolean done = new AtomicBoolean();

        Waiter(FrameListener listener) {
            this.listener = listener;
        }

        void deliver(Frame frame) {
            if (done.compareAndSet(false, true)) {
                try {
                    listener.frame(frame);
                } catch (RuntimeException e) {
                    LOG.warn("Display {}: a frame listener failed", id, e);
                }
            }
        }

        void fail(String reason) {
            if (done.compareAndSet(false, true)) {
                try {
                    listener.unavailable(reason);
                } catch (RuntimeException e) {
                    LOG.warn("Display {}: a frame listener failed", id, e);
                }
            }
        }

        @Override
        public boolean cancel() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            lock.lock();
            try {
                waiting.remove(this);
            } finally {
                lock.unlock();
            }
            return true;
        }
    }
}

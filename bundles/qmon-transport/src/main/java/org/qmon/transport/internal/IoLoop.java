package org.qmon.transport.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread. Socket reads and the protocol's framing and checks happen here, and so do
 * commands declared non-blocking (see {@link org.qmon.api.runtime.DispatchSession}); every other
 * command runs on the dispatcher's workers. Other threads hand work to the loop with {@link #post},
 * which wakes the selector.
 *
 * <p>Only the loop thread touches the selector's key set and the connections' read state.
 */
final class IoLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);

    /** What the loop calls for a ready key; the key's attachment implements it. */
    interface Handler {
        void ready(SelectionKey key) throws IOException;

        void closeNow();
    }

    /**
     * The buffer every connection of this loop reads into, one at a time (loop thread only): an idle
     * connection then owns no read buffer. 64 KiB: a pipelined burst of small requests fits in one read,
     * and a 1 MiB request takes 16 reads.
     */
    private final java.nio.ByteBuffer readBuffer = java.nio.ByteBuffer.allocate(64 * 1024);

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    IoLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    Selector selector() {
        return selector;
    }

    /** The loop's read buffer, lent to the connection being served. Loop thread only. */
    java.nio.ByteBuffer readBuffer() {
        return readBuffer;
    }

    void start() {
        thread.start();
    }

    /** @return false once {@link #stop()} has been called */
    boolean running() {
        return running;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs a task on the loop thread: now if called from it, else soon. */
    void execute(Runnable task) {
        if (inLoop()) {
            task.run();
        } else {
            post(task);
        }
    }

    /** Hands a ready key to its connection or listener. Loop thread. */
    private void dispatch(SelectionKey key) {
        Handler h = (Handler) key.attachment();
        try {
            if (key.isValid()) {
                h.ready(key);
            }
        } catch (IOException e) {
            // A read reset, a write that failed: the client went away.
            LOG.debug("Closing after I/O error: {}", e.toString());
            h.closeNow();
        } catch (RuntimeException e) {
            LOG.warn("Closing a connection whose protocol failed", e);
            h.closeNow();
        }
    }

    /** Queues a task for the loop thread and wakes the selector. */
    void post(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        while (running) {
            for (Runnable t; (t = tasks.poll()) != null;) {
                runSafely(t);
            }
            try {
                // The action form: no selected-key set to fill and empty on every round.
                selector.select(this::dispatch);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Selector failed", e);
                break;
            }
        }
        for (SelectionKey key : selector.keys()) {
            ((Handler) key.attachment()).closeNow();
        }
        for (Runnable t; (t = tasks.poll()) != null;) {
            runSafely(t);
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("Closing selector: {}", e.toString());
        }
    }

    private static void runSafely(Runnable t) {
        try {
            t.run();
        } catch (RuntimeException e) {
            LOG.warn("Loop task failed", e);
        }
    }

    /** Stops the loop, closes every channel registered with it, and waits (bounded) for the thread. */
    void stop() {
        running = false;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.device.Frame;
import org.qmon.api.device.FrameListener;
import org.qmon.api.device.FrameRequest;

class DisplayWorkerTest {

    private static final long WAIT_SECONDS = 10;

    private final AtomicInteger renders = new AtomicInteger();
    private final List<DisplayWorker> workers = new ArrayList<>();

    @AfterEach
    void closeWorkers() {
        workers.forEach(DisplayWorker::close);
    }

    private DisplayWorker worker(double hz, BooleanSupplier running) {
        DisplayWorker w = new DisplayWorker("test", n -> {
            renders.incrementAndGet();
            return new Frame(1, 1, n, Instant.now(), new int[] {(int) n});
        }, running, hz);
        workers.add(w);
        return w;
    }

    /** A listener as a future: the frame, or the reason as an exception. */
    private static final class Outcome extends CompletableFuture<Frame> implements FrameListener {
        volatile Thread thread;

        @Override
        public void frame(Frame frame) {
            thread = Thread.currentThread();
            complete(frame);
        }

        @Override
        public void unavailable(String reason) {
            thread = Thread.currentThread();
            completeExceptionally(new IllegalStateException(reason));
        }

        Frame frameWithin() throws Exception {
            return get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    @Test
    void anIdleWorkerIsParkedWithoutATimeoutAndRendersNothing() {
        DisplayWorker w = worker(1000, () -> true);
        await(() -> w.thread().getState() == Thread.State.WAITING, "the worker to park");
        assertEquals(0, renders.get());
        assertEquals(0, w.frames());
    }

    @Test
    void theFrameIsRenderedOnTheWorkerThread() throws Exception {
        DisplayWorker w = worker(1000, () -> true);
        Outcome o = new Outcome();
        w.request(o);
        assertEquals(1, o.frameWithin().sequence());
        assertSame(w.thread(), o.thread);
    }

    @Test
    void everyRequestWaitingAtARefreshSharesOneRender() throws Exception {
        DisplayWorker w = worker(2, () -> true); // 500 ms between renders
        Outcome first = new Outcome();
        w.request(first);
        first.frameWithin();
        List<Outcome> next = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Outcome o = new Outcome();
            next.add(o);
            w.request(o);
        }
        Frame shared = next.get(0).frameWithin();
        for (Outcome o : next) {
            assertSame(shared, o.frameWithin());
        }
        assertEquals(2, renders.get());
        assertEquals(2, shared.sequence());
    }

    @Test
    void aClientThatLoopsIsPacedByTheRefreshRate() throws Exception {
        DisplayWorker w = worker(20, () -> true); // 50 ms
        long t0 = System.nanoTime();
        for (int i = 1; i <= 6; i++) {
            Outcome o = new Outcome();
            w.request(o);
            assertEquals(i, o.frameWithin().sequence());
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // The first frame comes at once, each of the 5 others a refresh interval later.
        assertTrue(elapsedMs >= 5 * 50 - 5, "6 frames at 20 Hz took only " + elapsedMs + " ms");
        assertEquals(6, renders.get());
    }

    @Test
    void whileTheMachineIsStoppedTheLastFrameIsServedAgain() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        DisplayWorker w = worker(1000, running::get);
        Outcome a = new Outcome();
        w.request(a);
        Frame before = a.frameWithin();
        running.set(false);
        for (int i = 0; i < 3; i++) {
            Outcome o = new Outcome();
            w.request(o);
            assertSame(before, o.frameWithin());
        }
        assertEquals(1, w.frames());
        running.set(true);
        Outcome after = new Outcome();
        w.request(after);
        assertEquals(2, after.frameWithin().sequence());
    }

    @Test
    void aCancelledRequestIsForgottenAndNeverServed() throws Exception {
        DisplayWorker w = worker(0.1, () -> true); // 10 s between renders
        Outcome first = new Outcome();
        w.request(first);
        first.frameWithin();
        Outcome waiting = new Outcome();
        FrameRequest r = w.request(waiting);
        assertEquals(1, w.waiting());
        assertTrue(r.cancel());
        assertFalse(r.cancel());
        assertEquals(0, w.waiting());
        w.close("closed");
        assertFalse(waiting.isDone(), "a cancelled request hears nothing, not even the close");
    }

    @Test
    void closingFailsWaitingRequestsAndEndsTheThread() throws Exception {
        DisplayWorker w = worker(0.1, () -> true);
        Outcome first = new Outcome();
        w.request(first);
        first.frameWithin();
        Outcome waiting = new Outcome();
        w.request(waiting);
        w.close("Display 'test' was removed before its next frame");
        assertFalse(w.thread().isAlive());
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, waiting::frameWithin);
        assertEquals("Display 'test' was removed before its next frame", e.getCause().getMessage());

        Outcome late = new Outcome();
        w.request(late);
        assertTrue(late.isCompletedExceptionally(), "after close, a request fails at once");
        assertSame(Thread.currentThread(), late.thread);
        assertEquals(0, w.waiting());
    }

    @Test
    void aListenerMayAskForTheNextFrame() throws Exception {
        DisplayWorker w = worker(1000, () -> true);
        Outcome second = new Outcome();
        w.request(new FrameListener() {
            @Override
            public void frame(Frame frame) {
                w.request(second);
            }

            @Override
            public void unavailable(String reason) {
                second.completeExceptionally(new IllegalStateException(reason));
            }
        });
        assertEquals(2, second.frameWithin().sequence());
    }
}

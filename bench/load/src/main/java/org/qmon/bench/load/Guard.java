package org.qmon.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds the blocking steps. Connecting, the greeting, negotiation and HMP's round trips use blocking
 * reads (for one connection at a time they take the fewest system calls, which is what the greet
 * latency measures); the step {@link #arm arms} a deadline, and if it passes, this thread closes the
 * channel, which ends the blocked call with an exception. The same thread is the watchdog: past the
 * run's overall limit it ends the process.
 *
 * <p>It wakes every {@value #TICK_MS} ms and touches nothing the load path uses, so it costs the
 * measurement nothing but a volatile write per step.
 */
final class Guard {

    private static final long TICK_MS = 20;

    private record Armed(SocketChannel channel, long deadline) {
    }

    private volatile Armed armed;
    private volatile boolean fired;

    private Guard() {
    }

    static Guard start(long watchdogSeconds, PrintStream err) {
        Guard g = new Guard();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(watchdogSeconds);
        Thread t = new Thread(() -> g.watch(end, watchdogSeconds, err), "qmp-load-guard");
        t.setDaemon(true);
        t.start();
        return g;
    }

    /** The channel is closed if the step is still going at the deadline (System.nanoTime()). */
    void arm(SocketChannel channel, long deadline) {
        fired = false;
        armed = new Armed(channel, deadline);
    }

    void disarm() {
        armed = null;
    }

    /** Whether the last armed step ran out of time (its channel was closed for it). */
    boolean fired() {
        return fired;
    }

    private void watch(long end, long seconds, PrintStream err) {
        for (;;) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
            long now = System.nanoTime();
            Armed a = armed;
            if (a != null && now - a.deadline >= 0) {
                fired = true;
                armed = null;
                try {
                    a.channel.close();
                } catch (IOException e) {
                    // closing is all there is to do; the blocked step reports the timeout
                }
            }
            if (now - end >= 0) {
                err.println("qmp-load: watchdog: still running after " + seconds + " s");
                err.flush();
                Runtime.getRuntime().halt(2);
            }
        }
    }
}

package org.qmon.dispatcher.internal;

import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;
import org.qmon.bench.QmonBenchmark;

/**
 * A full dispatcher round trip: {@link DispatchSession#submit} of a {@code query-status}-like
 * command until the reply callback has run, through a real {@link DispatcherImpl} (registry lookup,
 * argument binding, the per-session queue, the worker pool, the command timeout timer, the exactly
 * once completion, delivery).
 *
 * <p>Why it matters: this is what the QMP frontend does for every parsed request. In band, the
 * request is handed from the I/O thread to a dispatcher worker and the reply callback runs there
 * (where the frontend serialises and writes the reply); out of band it all runs on the I/O thread.
 * The in-band single-request score is therefore mostly the cost of that thread hand-off; the
 * pipelined score shows what is left when the worker finds the next request already queued; the
 * out-of-band score is the dispatcher's own work without any hand-off. A handler registered with
 * {@code qmon.command.nonBlocking=true} may run in band on the calling thread too, on a dispatcher
 * that supports the trait ({@link #inBandSyncNonBlocking}).
 *
 * <p>The caller waits by spinning (then yielding) on the reply count, bounded: it fails after
 * {@value #WAIT_SECONDS} s. So the score is submit-to-callback latency without a park/unpark of
 * the caller. The handlers return a preallocated result, so the handler itself costs nothing.
 *
 * <p>{@link #timeoutSeconds} is the dispatcher's {@code command.timeout.seconds}: 300 is the
 * default; {@code -p timeoutSeconds=0} disables the timeout, and with it the per-request timeout
 * bookkeeping, to show what that bookkeeping costs.
 */
public class DispatchBenchmark extends QmonBenchmark {

    static final long WAIT_SECONDS = 10;
    /** Busy-wait iterations before the waiting thread starts yielding. */
    static final int SPINS = 100;
    static final int PIPELINED = 16;
    /** A plain synchronous command: in band it always runs on a dispatcher worker. */
    static final String SYNC = "query-status";
    /** The same handler registered with {@value #NON_BLOCKING}=true. */
    static final String SYNC_NON_BLOCKING = "query-status-nb";
    /** An asynchronous command that completes at once. */
    static final String ASYNC = "query-status-async";
    /** The same synchronous handler, registered with {@code allowOob}. */
    static final String SYNC_OOB = "query-status-oob";
    /**
     * The service property by which a handler declares that it returns promptly, so that the
     * dispatcher may run it on the submitting thread. Spelled out rather than taken from
     * {@code QmpCommand}, so that the benchmark also builds against a dispatcher without the trait
     * (there it is ignored and {@link #inBandSyncNonBlocking} measures what {@link #inBandSync} does).
     */
    static final String NON_BLOCKING = "qmon.command.nonBlocking";

    /** The result every handler returns. */
    public record StatusInfo(boolean running, boolean singlestep, String status) {
    }

    static final StatusInfo RUNNING = new StatusInfo(true, false, "running");

    /** A synchronous command that returns a preallocated result. */
    public static final class QueryStatus implements Command<NoArguments, StatusInfo> {
        @Override
        public StatusInfo execute(NoArguments arguments, CommandContext context) {
            return RUNNING;
        }
    }

    /** An asynchronous command that completes before {@code execute} returns. */
    public static final class QueryStatusAsync implements AsyncCommand<NoArguments, StatusInfo> {
        @Override
        public void execute(NoArguments arguments, Completion<StatusInfo> completion, CommandContext context) {
            completion.complete(RUNNING);
        }
    }

    /** Counts replies; the reply callback of every request. */
    static final class Replies implements Consumer<Reply> {
        final AtomicInteger count = new AtomicInteger();
        volatile Reply last;

        @Override
        public void accept(Reply r) {
            last = r;
            count.incrementAndGet();
        }

        /**
         * Waits until {@code n} replies have arrived since the last reset: spins briefly, then
         * yields, so that on a machine with few cores the waiting thread does not keep the worker
         * from running. Bounded: fails after {@value DispatchBenchmark#WAIT_SECONDS} s.
         */
        Reply await(int n) {
            long deadline = 0;
            int spins = 0;
            while (count.get() < n) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                    continue;
                }
                Thread.yield();
                if ((spins & 1023) == 0) {
                    long now = System.nanoTime();
                    if (deadline == 0) {
                        deadline = now + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                    } else if (now - deadline > 0) {
                        throw new IllegalStateException(count.get() + " of " + n + " replies after "
                                + WAIT_SECONDS + " s");
                    }
                }
            }
            count.set(0);
            return last;
        }
    }

    /** The dispatcher's {@code command.timeout.seconds}. */
    @Param({"300"})
    public long timeoutSeconds;

    private DispatcherImpl dispatcher;
    private DispatchSession session;
    private final Replies replies = new Replies();

    /** Starts a dispatcher with both commands and one session, and checks one reply of each kind. */
    @Setup
    public void setUp() {
        dispatcher = new DispatcherImpl();
        long timeout = timeoutSeconds;
        dispatcher.activate(new DispatcherImpl.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DispatcherImpl.Config.class;
            }

            @Override
            public long command_timeout_seconds() {
                return timeout;
            }
        });
        dispatcher.add(new QueryStatus(), Map.of(QmpCommand.NAME, SYNC,
                "service.id", 1L, "service.ranking", 0), "bench");
        dispatcher.add(new QueryStatus(), Map.of(QmpCommand.NAME, SYNC_NON_BLOCKING, NON_BLOCKING, true,
                "service.id", 2L, "service.ranking", 0), "bench");
        dispatcher.add(new QueryStatusAsync(), Map.of(QmpCommand.NAME, ASYNC,
                "service.id", 3L, "service.ranking", 0), "bench");
        dispatcher.add(new QueryStatus(), Map.of(QmpCommand.NAME, SYNC_OOB, QmpCommand.ALLOW_OOB, true,
                "service.id", 4L, "service.ranking", 0), "bench");
        session = dispatcher.openSession(CommandContext.FRONTEND_QMP, Set.of("oob"));
        check(inBandSync());
        check(inBandSyncNonBlocking());
        check(inBandAsync());
        check(inBandSyncPipelined());
        check(outOfBandSync());
    }

    private static void check(Reply r) {
        if (r.isError() || r.value() != RUNNING) {
            throw new IllegalStateException("unexpected reply " + r);
        }
    }

    /** Closes the session and stops the dispatcher's threads. */
    @TearDown
    public void tearDown() {
        session.close();
        dispatcher.deactivate();
    }

    /** One in-band request of a synchronous command, submit to reply callback. */
    @Benchmark
    public Reply inBandSync() {
        session.submit(SYNC, null, false, replies);
        return replies.await(1);
    }

    /**
     * One in-band request of a synchronous command registered as non-blocking: a dispatcher that
     * honours the trait runs it on the calling thread when the session is idle.
     */
    @Benchmark
    public Reply inBandSyncNonBlocking() {
        session.submit(SYNC_NON_BLOCKING, null, false, replies);
        return replies.await(1);
    }

    /** One in-band request of an asynchronous command that completes at once. */
    @Benchmark
    public Reply inBandAsync() {
        session.submit(ASYNC, null, false, replies);
        return replies.await(1);
    }

    /** Sixteen in-band requests submitted back to back, then all sixteen replies; score per request. */
    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public Reply inBandSyncPipelined() {
        for (int i = 0; i < PIPELINED; i++) {
            session.submit(SYNC, null, false, replies);
        }
        return replies.await(PIPELINED);
    }

    /** One out-of-band request: runs and answers on the calling thread, no hand-off. */
    @Benchmark
    public Reply outOfBandSync() {
        session.submit(SYNC_OOB, null, true, replies);
        return replies.await(1);
    }
}

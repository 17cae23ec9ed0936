package org.qmon.dispatcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.ErrorClass;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;

/**
 * Per-call deadlines and declared command timeouts: the shortest of the dispatcher's limit, the
 * command's {@code timeout} and the caller's deadline fires, the handler sees the cancellation, and a
 * call that completes in time is answered normally.
 */
class DeadlineTest {

    private final DispatcherImpl dispatcher = new DispatcherImpl();

    /** Completes when the test says so; records cancellation through onCancel. */
    static final class Later implements AsyncCommand<NoArguments, String> {
        final LinkedBlockingQueue<Completion<String>> pending = new LinkedBlockingQueue<>();
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public void execute(NoArguments a, Completion<String> completion, CommandContext c) {
            completion.onCancel(cancelled::countDown);
            pending.add(completion);
        }
    }

    @AfterEach
    void tearDown() {
        dispatcher.deactivate();
    }

    private Later register(String name, Double timeoutSeconds) {
        Later later = new Later();
        Map<String, Object> props = timeoutSeconds == null
                ? Map.of(QmpCommand.NAME, name, "service.id", 10L + name.length())
                : Map.of(QmpCommand.NAME, name, QmpCommand.TIMEOUT, timeoutSeconds, "service.id", 10L + name.length());
        dispatcher.add(later, props, "test");
        return later;
    }

    private static CompletableFuture<Reply> submit(DispatchSession s, String command, long deadlineMillis) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        s.submit(command, null, false, deadlineMillis, f::complete);
        return f;
    }

    @Test
    void aPerCallDeadlineFiresCancelsTheHandlerAndSaysHowLong() throws Exception {
        Later later = register("later", null);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        long t0 = System.nanoTime();
        Reply r = submit(s, "later", 300).get(10, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ErrorClass.GenericError, r.errorClass());
        assertEquals("Command later timed out after 0.3 s", r.description());
        assertTrue(took >= 300, "fired after " + took + " ms");
        assertTrue(later.cancelled.await(10, TimeUnit.SECONDS), "the handler's cancel action ran");
        assertTrue(later.pending.poll().isCancelled());
    }

    @Test
    void aCallThatCompletesBeforeItsDeadlineIsAnsweredNormally() throws Exception {
        Later later = register("later", null);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        CompletableFuture<Reply> f = submit(s, "later", 60_000);
        Completion<String> c = later.pending.poll(10, TimeUnit.SECONDS);
        assertTrue(c.complete("done"));
        Reply r = f.get(10, TimeUnit.SECONDS);
        assertFalse(r.isError(), r::toString);
        assertEquals("done", r.value());
        assertEquals(1, later.cancelled.getCount(), "never cancelled");
        assertEquals(0, dispatcher.timeouts().size(), "no longer watched");
    }

    @Test
    void aDeclaredTimeoutAppliesWithoutAPerCallDeadlineAndIsInTheDescriptor() throws Exception {
        register("slow", 0.25);
        assertEquals(250, dispatcher.command("slow").orElseThrow().timeoutMillis());
        DispatchSession s = dispatcher.openSession("local", Set.of());
        Reply r = submit(s, "slow", 0).get(10, TimeUnit.SECONDS);
        assertEquals("Command slow timed out after 0.25 s", r.description());
    }

    @Test
    void theShortestOfDeclaredAndRequestedWins() throws Exception {
        register("slow", 30.0);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        assertEquals("Command slow timed out after 0.2 s", submit(s, "slow", 200).get(10, TimeUnit.SECONDS).description());
        register("quick", 0.2);
        assertEquals("Command quick timed out after 0.2 s",
                submit(s, "quick", 30_000).get(10, TimeUnit.SECONDS).description());
    }

    @Test
    void withoutADeadlineTheDispatchersLimitStillApplies() throws Exception {
        Later later = register("later", null);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        CompletableFuture<Reply> f = submit(s, "later", 0);
        Completion<String> c = later.pending.poll(10, TimeUnit.SECONDS);
        assertEquals(1, dispatcher.timeouts().size(), "watched by the 300 s limit");
        c.complete(null);
        assertNull(f.get(10, TimeUnit.SECONDS).value());
    }

    @Test
    void effectiveAndTexts() {
        assertEquals(0, Deadlines.effective(0, 0, 0));
        assertEquals(5, Deadlines.effective(300_000, 0, 5));
        assertEquals(7, Deadlines.effective(0, 7, 9));
        assertEquals(300_000, Deadlines.effective(300_000, 0, 900_000));
        assertEquals("300", Deadlines.seconds(300_000));
        assertEquals("2.5", Deadlines.seconds(2500));
        assertEquals("0.001", Deadlines.seconds(1));
        assertEquals(1500, Deadlines.millis(1.5));
        assertEquals(2000, Deadlines.millis("2"));
        assertEquals(0, Deadlines.millis(-1));
        assertEquals(0, Deadlines.millis("soon"));
        assertEquals(0, Deadlines.millis(null));
    }
}

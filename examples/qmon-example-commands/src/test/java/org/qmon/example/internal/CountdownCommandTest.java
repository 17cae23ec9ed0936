package org.qmon.example.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.event.MonitorEvent;
import org.qmon.example.internal.CountdownCommand.Arguments;
import org.qmon.example.internal.CountdownCommand.Done;
import org.qmon.example.internal.CountdownCommand.Result;

/**
 * The asynchronous command alone, with a completion and an EventAdmin that record what they get:
 * it answers after its time with the event first, refuses bad lengths, and a cancelled countdown frees
 * its timer entry. docs/commands.md shows how the same command is tested inside a running qmon.
 */
class CountdownCommandTest {

    /** What an EventAdmin was given, in order. */
    private final List<MonitorEvent> events = new CopyOnWriteArrayList<>();
    private final CountdownCommand command = new CountdownCommand(new EventAdmin() {
        @Override
        public void postEvent(Event event) {
            MonitorEvent.from(event).ifPresent(events::add);
        }

        @Override
        public void sendEvent(Event event) {
            MonitorEvent.from(event).ifPresent(events::add);
        }
    }, (org.osgi.framework.ServiceRegistration<org.qmon.api.event.EventType>) null);

    @AfterEach
    void stop() {
        command.deactivate();
    }

    @Test
    void answersAfterItsTimeWithTheEventFirst() throws Exception {
        RecordingCompletion<Result> c = new RecordingCompletion<>(() -> assertEquals(1, events.size(),
                "the event is out before the answer"));
        long start = System.nanoTime();
        command.execute(new Arguments(1, Optional.of("tea")), c, TestContext.QMP);
        assertEquals(1, command.pending());
        Result r = c.result.get(10, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("tea", r.tag());
        assertTrue(r.elapsedMs() >= 1000 && took >= 1000, "waited a second: " + r.elapsedMs() + " ms");
        assertEquals(List.of(new MonitorEvent(CountdownCommand.EVENT, new Done("tea", 1))), events);
        assertEquals(0, command.pending());
    }

    @Test
    void refusesLengthsOutOfRange() {
        for (int seconds : new int[] {0, -1, CountdownCommand.MAX_SECONDS + 1}) {
            CommandException e = assertThrows(CommandException.class, () -> command.execute(
                    new Arguments(seconds, Optional.empty()), new RecordingCompletion<>(null), TestContext.QMP));
            assertEquals("Parameter 'seconds' expects a value from 1 to 120", e.description());
        }
        assertEquals(0, command.pending());
    }

    @Test
    void cancellingFreesTheTimerEntryAndNothingIsSent() throws Exception {
        RecordingCompletion<Result> c = new RecordingCompletion<>(null);
        command.execute(new Arguments(CountdownCommand.MAX_SECONDS, Optional.empty()), c, TestContext.QMP);
        assertEquals(1, command.pending());
        c.cancel();
        assertEquals(0, command.pending());
        assertFalse(c.result.isDone());
        assertTrue(events.isEmpty());
    }

    @Test
    void boundsPendingCountdowns() throws Exception {
        for (int i = 0; i < CountdownCommand.MAX_PENDING; i++) {
            command.execute(new Arguments(CountdownCommand.MAX_SECONDS, Optional.empty()), new RecordingCompletion<>(null), TestContext.QMP);
        }
        CommandException e = assertThrows(CommandException.class, () -> command.execute(
                new Arguments(1, Optional.empty()), new RecordingCompletion<>(null), TestContext.QMP));
        assertEquals("Too many countdowns pending (at most 1000)", e.description());
        assertEquals(CountdownCommand.MAX_PENDING, command.pending());
    }

    @Test
    void humanForm() {
        assertEquals("countdown 'tea' done after 1001 ms",
                CountdownHmp.format(Map.of("tag", "tea", "elapsed-ms", 1001L), Map.of()));
        assertEquals("countdown done after 5 ms", CountdownHmp.format(Map.of("tag", "", "elapsed-ms", 5L), Map.of()));
    }

    /** A completion as the platform's behaves: the first outcome counts, cancel runs the actions once. */
    static final class RecordingCompletion<R> implements Completion<R> {
        final CompletableFuture<R> result = new CompletableFuture<>();
        private final Runnable onComplete;
        private final List<Runnable> cancelActions = new CopyOnWriteArrayList<>();
        private volatile boolean cancelled;

        RecordingCompletion(Runnable onComplete) {
            this.onComplete = onComplete;
        }

        @Override
        public boolean complete(R value) {
            if (cancelled || result.isDone()) {
                return false;
            }
            if (onComplete != null) {
                onComplete.run();
            }
            return result.complete(value);
        }

        @Override
        public boolean fail(Throwable error) {
            return !cancelled && result.completeExceptionally(error);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void onCancel(Runnable action) {
            if (cancelled) {
                action.run();
            } else {
                cancelActions.add(action);
            }
        }

        void cancel() {
            cancelled = true;
            cancelActions.forEach(Runnable::run);
        }
    }
}

package ${package}.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;

/** The commands called directly, as the dispatcher calls them after binding the arguments. */
class HelloCommandTest {

    /** A QMP client's context. */
    static final CommandContext QMP = new CommandContext() {
        @Override
        public long sessionId() {
            return 1;
        }

        @Override
        public String frontend() {
            return FRONTEND_QMP;
        }

        @Override
        public Set<String> capabilities() {
            return Set.of();
        }

        @Override
        public boolean outOfBand() {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    @Test
    void greets() throws CommandException {
        HelloCommand hello = new HelloCommand();
        assertEquals("Hello, world!", hello.execute(new HelloCommand.Arguments("world", Optional.empty()), QMP).greeting());
        assertEquals("Hello, a! Hello, a!", hello.execute(new HelloCommand.Arguments("a", Optional.of(2)), QMP).greeting());
    }

    @Test
    void refusesTooManyTimes() {
        CommandException e = assertThrows(CommandException.class,
                () -> new HelloCommand().execute(new HelloCommand.Arguments("a", Optional.of(11)), QMP));
        assertEquals("Parameter 'times' expects a value from 1 to 10", e.description());
    }

    @Test
    void humanForm() {
        assertEquals("Hello, a!", HelloHmp.format(Map.of("greeting", "Hello, a!"), Map.of()));
    }

    @Test
    void waitCompletesLater() throws Exception {
        WaitCommand wait = new WaitCommand();
        try {
            CompletableFuture<WaitCommand.Waited> result = new CompletableFuture<>();
            wait.execute(new WaitCommand.Arguments(50), new Completion<>() {
                @Override
                public boolean complete(WaitCommand.Waited value) {
                    return result.complete(value);
                }

                @Override
                public boolean fail(Throwable error) {
                    return result.completeExceptionally(error);
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }

                @Override
                public void onCancel(Runnable action) {
                }
            }, QMP);
            assertEquals(50, result.get(10, TimeUnit.SECONDS).waitedMs());
        } finally {
            wait.deactivate();
        }
    }
}

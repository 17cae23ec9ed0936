package ${package}.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code ${commandPrefix}-wait}: an asynchronous command. {@code execute} schedules the work and returns at
 * once; the timer completes the {@link Completion} later, from its own thread. No thread waits
 * meanwhile and other clients go on. If the client leaves, the command times out or this bundle
 * stops, the dispatcher cancels the completion and {@code onCancel} drops the timer entry.
 * {@code nonBlocking}: {@code execute} only schedules, so it may run on the I/O thread.
 *
 * <pre>
 * -&gt; {"execute": "${commandPrefix}-wait", "arguments": {"milliseconds": 500}}
 * &lt;- {"return": {"waited-ms": 500}}
 * </pre>
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "${commandPrefix}-wait", nonBlocking = true, description = "Answers after the given number of milliseconds.")
public final class WaitCommand implements AsyncCommand<WaitCommand.Arguments, WaitCommand.Waited> {

    /** The longest wait, in milliseconds. */
    static final int MAX_MILLISECONDS = 60_000;

    /**
     * The arguments.
     *
     * @param milliseconds how long, 0 to {@value MAX_MILLISECONDS}
     */
    public record Arguments(int milliseconds) {
    }

    /**
     * The result; {@link JsonProperty} gives the member its wire name.
     *
     * @param waitedMs the milliseconds asked for
     */
    public record Waited(@JsonProperty("waited-ms") int waitedMs) {
    }

    /** One daemon thread completes every wait; what it runs takes microseconds. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "${artifactId}-wait");
        t.setDaemon(true);
        return t;
    });

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    @Override
    public void execute(Arguments arguments, Completion<Waited> completion, CommandContext context)
            throws CommandException {
        int ms = arguments.milliseconds();
        if (ms < 0 || ms > MAX_MILLISECONDS) {
            throw CommandException.generic("Parameter 'milliseconds' expects a value from 0 to " + MAX_MILLISECONDS);
        }
        ScheduledFuture<?> done = timer.schedule(() -> completion.complete(new Waited(ms)), ms, TimeUnit.MILLISECONDS);
        completion.onCancel(() -> done.cancel(false));
    }
}

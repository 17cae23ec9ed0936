package org.qmon.example.internal;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.event.EventType;
import org.qmon.api.event.MonitorEvent;

/**
 * {@code example-countdown}: answers after {@code seconds} seconds, and first emits the event
 * {@code EXAMPLE_COUNTDOWN_DONE}. An asynchronous command: {@link #execute} only schedules the work and
 * returns; the timer thread completes it later. While it waits no thread is held, the client's other
 * sessions and every other client go on, and when the client leaves (or this bundle is stopped) the
 * dispatcher cancels the completion, which cancels the timer.
 *
 * <pre>
 * -&gt; {"execute": "example-countdown", "arguments": {"seconds": 2, "tag": "tea"}}
 * &lt;- {"event": "EXAMPLE_COUNTDOWN_DONE", "data": {"tag": "tea", "seconds": 2}, "timestamp": {...}}
 * &lt;- {"return": {"tag": "tea", "elapsed-ms": 2001}}
 * </pre>
 *
 * <p>Limits: {@code seconds} from 1 to {@value #MAX_SECONDS}; at most {@value #MAX_PENDING} countdowns
 * pending at once over all clients (each holds a timer entry until it ends or is cancelled).
 *
 * <p>{@code nonBlocking}: {@link #execute} only checks its arguments and schedules, so it may run on the
 * I/O thread that read the request.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "example-countdown", nonBlocking = true,
        description = "Answers after the given number of seconds, emitting EXAMPLE_COUNTDOWN_DONE first.")
public final class CountdownCommand implements AsyncCommand<CountdownCommand.Arguments, CountdownCommand.Result> {

    /** The longest countdown, in seconds: well within the dispatcher's command timeout (300 s by default). */
    static final int MAX_SECONDS = 120;
    /** The most countdowns pending at once. */
    static final int MAX_PENDING = 1000;
    /** The event this command emits. */
    static final String EVENT = "EXAMPLE_COUNTDOWN_DONE";

    /**
     * The arguments.
     *
     * @param seconds how long to wait, 1 to {@value #MAX_SECONDS}
     * @param tag a label echoed in the event and the result; optional
     */
    public record Arguments(int seconds, Optional<String> tag) {
    }

    /**
     * The result. The Java name {@code elapsedMs} is sent as {@code elapsed-ms}, QMP's style.
     *
     * @param tag the tag, or {@code ""} when none was given
     * @param elapsedMs the milliseconds from the request to the answer
     */
    public record Result(String tag, @JsonProperty("elapsed-ms") long elapsedMs) {
    }

    /**
     * The data of {@code EXAMPLE_COUNTDOWN_DONE}.
     *
     * @param tag the tag, or {@code ""}
     * @param seconds the countdown's length
     */
    public record Done(String tag, int seconds) {
    }

    private final EventAdmin events;
    /** One daemon thread runs every countdown's end; the work there is a few microseconds. */
    private final ScheduledExecutorService timer;
    /** Countdowns scheduled and neither ended nor cancelled: at most {@link #MAX_PENDING}. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Declares the event (query-qmp-schema lists it) for as long as this component is active. */
    private final ServiceRegistration<EventType> eventType;

    /**
     * Starts the timer and declares the event.
     *
     * @param events EventAdmin, through which monitor events reach the clients
     * @param context this bundle's context, to register the event declaration
     */
    @Activate
    public CountdownCommand(@Reference EventAdmin events, BundleContext context) {
        this(events, context.registerService(EventType.class, new EventType(EVENT, Done.class), null));
    }

    /**
     * Starts the timer (unit tests, without a framework).
     *
     * @param events where the event goes
     * @param eventType the event declaration to withdraw on deactivation, or {@code null}
     */
    CountdownCommand(EventAdmin events, ServiceRegistration<EventType> eventType) {
        this.events = events;
        this.eventType = eventType;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "example-countdown");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    void deactivate() {
        if (eventType != null) {
            eventType.unregister();
        }
        // The dispatcher has cancelled this command's pending calls when its service went away.
        timer.shutdownNow();
    }

    @Override
    public void execute(Arguments arguments, Completion<Result> completion, CommandContext context)
            throws CommandException {
        int seconds = arguments.seconds();
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw CommandException.generic("Parameter 'seconds' expects a value from 1 to " + MAX_SECONDS);
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            throw CommandException.generic("Too many countdowns pending (at most " + MAX_PENDING + ")");
        }
        String tag = arguments.tag().orElse("");
        long start = System.nanoTime();
        ScheduledFuture<?> end = timer.schedule(() -> {
            pending.decrementAndGet();
            // sendEvent delivers synchronously, so the event reaches the client before the answer.
            events.sendEvent(new MonitorEvent(EVENT, new Done(tag, seconds)).toOsgiEvent());
            completion.complete(new Result(tag, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        }, seconds, TimeUnit.SECONDS);
        // The client left, the command timed out, or this bundle is going: stop the timer entry. If it
        // has already run, cancel() is false and the task has counted itself out.
        completion.onCancel(() -> {
            if (end.cancel(false)) {
                pending.decrementAndGet();
            }
        });
    }

    /** @return countdowns pending now (for tests) */
    int pending() {
        return pending.get();
    }
}

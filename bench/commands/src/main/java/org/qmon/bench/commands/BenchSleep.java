package org.qmon.bench.commands;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code bench-sleep}: an asynchronous command that completes {@code ms} milliseconds later from a
 * timer thread, holding no thread meanwhile. The stand-in for a device operation that finishes later
 * (QEMU's coroutine screendump), used by the mixed-load benchmark. Its {@code execute} only schedules
 * the timer, so it is declared non-blocking, as an asynchronous command should be.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "bench-sleep", nonBlocking = true)
public final class BenchSleep implements AsyncCommand<Duration, Void> {

    /** One timer thread for all pending completions; a daemon so it never keeps the JVM up. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmon-bench-sleep");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void execute(Duration arguments, Completion<Void> completion, CommandContext context) {
        ScheduledFuture<?> f = timer.schedule(() -> completion.complete(null), arguments.millis(), TimeUnit.MILLISECONDS);
        completion.onCancel(() -> f.cancel(false));
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}

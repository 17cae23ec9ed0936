package org.qmon.itest.hot;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.event.MonitorEvent;

/**
 * {@code itest-park}: never completes by itself; it stays pending until it is cancelled (its client
 * leaves, or this bundle is uninstalled while it runs). When it has started it emits the event
 * {@code ITEST_PARKED} (data: the session id), so a test knows the handler is running before it pulls
 * the bundle away.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "itest-park")
public final class Park implements AsyncCommand<NoArguments, Void> {

    private final EventAdmin events;

    /**
     * Creates the command.
     *
     * @param events to announce that a call has started
     */
    @Activate
    public Park(@Reference EventAdmin events) {
        this.events = events;
    }

    @Override
    public void execute(NoArguments arguments, Completion<Void> completion, CommandContext context) {
        // Intentionally left pending; sent synchronously, so the event is out before execute returns.
        events.sendEvent(new MonitorEvent("ITEST_PARKED", Map.of("session", context.sessionId())).toOsgiEvent());
    }
}

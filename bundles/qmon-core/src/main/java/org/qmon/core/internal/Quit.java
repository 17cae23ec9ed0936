package org.qmon.core.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quit}: emits SHUTDOWN ({@code "guest": false, "reason": "host-qmp-quit"}), answers, and stops
 * the framework cleanly. The stop runs on its own thread, after this command has returned; the QMP
 * frontend lets replies already under way leave before it closes its sockets.
 */
@Component(service = Command.class)
@QmpCommand(name = "quit", description = "quit the emulator")
public final class Quit implements Command<NoArguments, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(Quit.class);

    private final RunStateService runState;
    private final BundleContext context;

    @Activate
    public Quit(@Reference RunStateService runState, BundleContext context) {
        this.runState = runState;
        this.context = context;
    }

    @Override
    public Void execute(NoArguments arguments, CommandContext ctx) {
        runState.shutdown(CoreEvents.ShutdownCause.HOST_QMP_QUIT);
        Thread t = new Thread(() -> {
            try {
                LOG.info("quit: stopping the framework");
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("quit: cannot stop the framework", e);
            }
        }, "qmon-quit");
        t.setDaemon(false);
        t.start();
        return null;
    }
}

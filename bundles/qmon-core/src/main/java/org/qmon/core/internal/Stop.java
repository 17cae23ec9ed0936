package org.qmon.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/** {@code stop}: pauses the machine; the STOP event reaches clients before the reply. */
@Component(service = Command.class)
@QmpCommand(name = "stop", description = "stop emulation")
public final class Stop implements Command<NoArguments, Void> {

    private final RunStateService runState;

    @Activate
    public Stop(@Reference RunStateService runState) {
        this.runState = runState;
    }

    @Override
    public Void execute(NoArguments arguments, CommandContext context) {
        runState.stop();
        return null;
    }
}

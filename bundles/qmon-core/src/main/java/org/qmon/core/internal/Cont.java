package org.qmon.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/** {@code cont}: resumes the machine; the RESUME event reaches clients before the reply. */
@Component(service = Command.class)
@QmpCommand(name = "cont", description = "resume emulation")
public final class Cont implements Command<NoArguments, Void> {

    private final RunStateService runState;

    @Activate
    public Cont(@Reference RunStateService runState) {
        this.runState = runState;
    }

    @Override
    public Void execute(NoArguments arguments, CommandContext context) {
        runState.cont();
        return null;
    }
}

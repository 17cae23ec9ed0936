package org.qmon.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/** {@code query-status}: QEMU's {@code StatusInfo}. */
@Component(service = Command.class)
@QmpCommand(name = "query-status", nonBlocking = true, description = "show the current VM status (running|paused)")
public final class QueryStatus implements Command<NoArguments, QueryStatus.StatusInfo> {

    /**
     * QEMU 7.2's {@code StatusInfo}.
     *
     * @param running whether the machine runs
     * @param singlestep always false (QEMU 7.2 still reports it)
     * @param status the run state
     */
    public record StatusInfo(boolean running, boolean singlestep, RunState status) {
    }

    private final RunStateService runState;

    @Activate
    public QueryStatus(@Reference RunStateService runState) {
        this.runState = runState;
    }

    @Override
    public StatusInfo execute(NoArguments arguments, CommandContext context) {
        RunState s = runState.state();
        return new StatusInfo(s == RunState.RUNNING, false, s);
    }
}

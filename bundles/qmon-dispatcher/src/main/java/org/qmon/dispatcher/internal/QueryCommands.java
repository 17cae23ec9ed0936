package org.qmon.dispatcher.internal;

import java.util.List;

import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.runtime.Dispatcher;

/**
 * {@code query-commands}: the commands that can be called now, QEMU's {@code [CommandInfo]}.
 *
 * <p>Built into the dispatcher rather than registered as a service by another bundle: a command
 * component that references the dispatcher would be instantiated while the dispatcher binds its
 * commands, a reference cycle SCR refuses ("Unable to get service").
 */
final class QueryCommands implements Command<NoArguments, List<QueryCommands.CommandInfo>> {

    /**
     * One entry.
     *
     * @param name the command name
     */
    public record CommandInfo(String name) {
    }

    private final Dispatcher dispatcher;

    QueryCommands(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public List<CommandInfo> execute(NoArguments arguments, CommandContext context) {
        return dispatcher.commands().stream().map(c -> new CommandInfo(c.name())).toList();
    }
}

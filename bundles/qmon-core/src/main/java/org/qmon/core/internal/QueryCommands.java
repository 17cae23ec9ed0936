package org.qmon.core.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.Dispatcher;

/** {@code query-commands}: the commands that can be called now, QEMU's {@code [CommandInfo]}. */
@Component(service = Command.class)
@QmpCommand(name = "query-commands", description = "list the available commands")
public final class QueryCommands implements Command<NoArguments, List<QueryCommands.CommandInfo>> {

    /**
     * One entry.
     *
     * @param name the command name
     */
    public record CommandInfo(String name) {
    }

    private final Dispatcher dispatcher;

    @Activate
    public QueryCommands(@Reference Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public List<CommandInfo> execute(NoArguments arguments, CommandContext context) {
        return dispatcher.commands().stream().map(c -> new CommandInfo(c.name())).toList();
    }
}

package org.qmon.dispatcher.internal;

import java.util.List;

import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;

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

    private final DispatcherImpl dispatcher;

    QueryCommands(DispatcherImpl dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * The registry's commands and the calling session's own ones (QEMU lists {@code qmp_capabilities}
     * too), sorted by name.
     */
    @Override
    public List<CommandInfo> execute(NoArguments arguments, CommandContext context) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        dispatcher.commands().forEach(c -> names.add(c.name()));
        if (context instanceof Invocation inv) {
            names.addAll(inv.session.localCommands().keySet());
        }
        return names.stream().map(CommandInfo::new).toList();
    }
}

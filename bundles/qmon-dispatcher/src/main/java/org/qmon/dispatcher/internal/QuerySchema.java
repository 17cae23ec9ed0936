package org.qmon.dispatcher.internal;

import java.util.List;
import java.util.Map;

import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;

/**
 * {@code query-qmp-schema}: QEMU's {@code [SchemaInfo]}, derived from the handlers' Java types and the
 * declared events through the same type model that binds arguments. The result is cached by the
 * dispatcher and rebuilt when the registry or the declared events change, so a call costs a map look-up
 * and the serialisation of the result.
 *
 * <p>Built into the dispatcher for the same reason as {@code query-commands}: a command component that
 * references the dispatcher is a reference cycle SCR refuses.
 */
final class QuerySchema implements Command<NoArguments, List<Map<String, Object>>> {

    private final DispatcherImpl dispatcher;

    QuerySchema(DispatcherImpl dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public List<Map<String, Object>> execute(NoArguments arguments, CommandContext context) {
        return dispatcher.schema(context instanceof Invocation inv ? inv.session.localCommands() : Map.of());
    }
}

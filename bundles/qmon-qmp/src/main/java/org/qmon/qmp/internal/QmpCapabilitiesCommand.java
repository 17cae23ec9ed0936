package org.qmon.qmp.internal;

import java.util.List;
import java.util.Optional;

import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;

/**
 * {@code qmp_capabilities}: leaves capabilities negotiation mode and enables the requested
 * capabilities. A real command like any other, so that its arguments are checked by the same binder
 * and with the same texts as QEMU's ({@code Parameter 'enable[0]' does not accept value 'x'}), and so
 * that it is listed by {@code query-commands}.
 *
 * <p>Registered by {@link QmpRuntime} when it activates, not as its own DS component: a command
 * component referencing the runtime, which references the dispatcher, which binds every command, is a
 * reference cycle SCR refuses.
 *
 * <p>While a QMP connection negotiates it has at most one request in flight, so the mode switch made
 * here is in effect before the connection reads its next request.
 */
public final class QmpCapabilitiesCommand implements Command<QmpCapabilitiesCommand.Arguments, Void> {

    /** The capabilities a client may ask for (QEMU's {@code QMPCapability}). */
    public enum Capability {
        /** Out-of-band execution with {@code exec-oob}. */
        oob
    }

    /**
     * The arguments.
     *
     * @param enable the capabilities to enable
     */
    public record Arguments(Optional<List<Capability>> enable) {
    }

    private final QmpRuntime runtime;

    QmpCapabilitiesCommand(QmpRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Void execute(Arguments arguments, CommandContext context) throws CommandException {
        QmpConnection c = runtime.connection(context.sessionId());
        if (c == null || !c.negotiating()) {
            throw new CommandException(ErrorClass.CommandNotFound,
                    "Capabilities negotiation is already complete, command ignored");
        }
        List<String> names = arguments.enable().orElse(List.of()).stream().map(Enum::name).distinct().toList();
        List<String> missing = names.stream().filter(n -> !c.offeredCapabilities().contains(n)).toList();
        if (!missing.isEmpty()) {
            throw CommandException.generic("Capability " + String.join(", ", missing) + " not available");
        }
        c.negotiated(names);
        return null;
    }
}

package org.qmon.qmp.internal;

import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code qmp_capabilities}: leaves capabilities negotiation mode and enables the requested
 * capabilities. A real command like any other, so that its arguments are checked by the same binder
 * and with the same texts as QEMU's ({@code Parameter 'enable[0]' does not accept value 'x'}), and so
 * that it is listed by {@code query-commands}.
 *
 * <p>While a QMP connection negotiates it has at most one request in flight, so the mode switch made
 * here is in effect before the connection reads its next request.
 */
@Component(service = Command.class)
@QmpCommand(name = "qmp_capabilities", description = "leave capabilities negotiation mode")
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

    @Activate
    public QmpCapabilitiesCommand(@Reference QmpRuntime runtime) {
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

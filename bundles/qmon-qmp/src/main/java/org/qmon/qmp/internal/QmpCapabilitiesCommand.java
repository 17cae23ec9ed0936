package org.qmon.qmp.internal;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.LocalCommand;

/**
 * {@code qmp_capabilities}: leaves capabilities negotiation mode and enables the requested
 * capabilities of the one session it belongs to. It is a session-local command (the dispatcher binds
 * its arguments with the same binder and texts as every command, {@code Parameter 'enable[0]' ...},
 * and lists it in {@code query-commands}), supplied by each {@link QmpSession} when it opens its
 * dispatcher session, so it changes its own session directly: no registry entry, no look-up by session
 * id.
 *
 * <p>While a QMP session negotiates it has at most one request in flight, so the mode switch made here
 * is in effect before the session reads its next request.
 */
final class QmpCapabilitiesCommand implements Command<QmpCapabilitiesCommand.Arguments, Void> {

    /** The command's name. */
    static final String NAME = "qmp_capabilities";

    /**
     * The capabilities a client may ask for (QEMU's {@code QMPCapability}): the one list, also the
     * greeting's {@code capabilities}, since qmon offers every one of them on every session.
     */
    enum Capability {
        /** Out-of-band execution with {@code exec-oob}. */
        oob
    }

    /** Every capability, in declaration order: what the greeting offers. */
    static final List<String> OFFERED = EnumSet.allOf(Capability.class).stream().map(Enum::name).toList();

    /**
     * The arguments.
     *
     * @param enable the capabilities to enable
     */
    record Arguments(Optional<List<Capability>> enable) {
    }

    /** Declared traits: runs inline, and is the one command a negotiating session accepts. */
    private static final Map<String, Object> PROPERTIES = Map.of(QmpCommand.NAME, NAME,
            QmpCommand.DESCRIPTION, "leave capabilities negotiation mode", QmpCommand.NON_BLOCKING, true,
            QmpCommand.ALLOW_BEFORE_NEGOTIATION, true);

    private final QmpSession session;

    QmpCapabilitiesCommand(QmpSession session) {
        this.session = session;
    }

    /** @return this command as a session-local command */
    LocalCommand local() {
        return new LocalCommand(this, PROPERTIES);
    }

    @Override
    public Void execute(Arguments arguments, CommandContext context) throws CommandException {
        List<String> names = arguments.enable().orElse(List.of()).stream().map(Enum::name).distinct().toList();
        session.negotiate(names);
        return null;
    }
}

package org.qmon.qmp.internal;

import java.util.EnumSet;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
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
     * The capabilities a client may ask for (QEMU's {@code QMPCapability}, and qmon's extensions).
     */
    enum Capability {
        /** Out-of-band execution with {@code exec-oob}. */
        oob,
        /** qmon's per-call deadlines ({@link DeadlineMember}); not listed in the greeting. */
        @JsonProperty(DeadlineMember.CAPABILITY) x_deadline;

        /** @return the name on the wire */
        String wireName() {
            return this == x_deadline ? DeadlineMember.CAPABILITY : name();
        }
    }

    /**
     * What the greeting lists: QEMU's capabilities only, so that the greeting is QEMU's and clients
     * written for QEMU see nothing new. qmon's extensions are accepted without being listed.
     */
    static final List<String> OFFERED = List.of(Capability.oob.name());

    /** Every capability {@code qmp_capabilities} accepts, in declaration order. */
    static final List<String> ACCEPTED = EnumSet.allOf(Capability.class).stream().map(Capability::wireName).toList();

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
        List<String> names = arguments.enable().orElse(List.of()).stream().map(Capability::wireName).distinct()
                .toList();
        session.negotiate(names);
        return null;
    }
}

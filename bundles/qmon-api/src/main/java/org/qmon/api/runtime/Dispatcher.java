package org.qmon.api.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The command dispatcher service: it tracks every {@link org.qmon.api.Command} and
 * {@link org.qmon.api.AsyncCommand} service (whiteboard) and runs them for sessions.
 */
@ProviderType
public interface Dispatcher {

    /**
     * Opens a session. A session runs its in-band requests one at a time, in submission order, and
     * delivers their replies in that order; closing it cancels what is pending.
     *
     * @param frontend the frontend kind, e.g. {@link org.qmon.api.CommandContext#FRONTEND_QMP}
     * @param capabilities the capabilities in effect at start
     * @param localCommands commands that exist for this session only (e.g. QMP's
     *        {@code qmp_capabilities}); a local command that cannot be used (no name, unbindable
     *        types) makes this method throw
     * @return a new open session
     * @throws IllegalArgumentException when a local command cannot be used
     */
    DispatchSession openSession(String frontend, Set<String> capabilities, Collection<LocalCommand> localCommands);

    /**
     * Opens a session without local commands.
     *
     * @param frontend the frontend kind
     * @param capabilities the capabilities in effect at start
     * @return a new open session
     */
    default DispatchSession openSession(String frontend, Set<String> capabilities) {
        return openSession(frontend, capabilities, List.of());
    }

    /**
     * The registered commands that can be called now (the winner of each name), sorted by name.
     * Session-local commands are not included.
     *
     * @return an immutable snapshot
     */
    List<CommandDescriptor> commands();

    /**
     * Looks a registered command up.
     *
     * @param name the command name
     * @return the active command of that name, if any
     */
    Optional<CommandDescriptor> command(String name);

    /**
     * Every handler the registry knows: active ones, shadowed ones and refused ones with the reason,
     * sorted by name, then by precedence.
     *
     * @return an immutable snapshot
     */
    List<HandlerStatus> handlers();
}

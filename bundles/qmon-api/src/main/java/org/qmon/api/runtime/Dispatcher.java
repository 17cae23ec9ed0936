package org.qmon.api.runtime;

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
     * @return a new open session
     */
    DispatchSession openSession(String frontend, Set<String> capabilities);

    /**
     * The commands that can be called now (the winner of each name), sorted by name.
     *
     * @return an immutable snapshot
     */
    List<CommandDescriptor> commands();

    /**
     * Looks a command up.
     *
     * @param name the command name
     * @return the active command of that name, if any
     */
    Optional<CommandDescriptor> command(String name);
}

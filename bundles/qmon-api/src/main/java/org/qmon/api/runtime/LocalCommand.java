package org.qmon.api.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * A command that exists for one session only, supplied by its frontend when it opens the session:
 * QMP's {@code qmp_capabilities}, which changes the state of the very session that calls it. The
 * dispatcher binds its arguments, runs it and orders its reply exactly like a registered command,
 * lists it in that session's {@code query-commands}, and looks it up before the registry, so a
 * registered command of the same name never shadows it.
 *
 * @param handler a {@link org.qmon.api.Command} or {@link org.qmon.api.AsyncCommand} with concrete type
 *        arguments
 * @param properties the same properties a command service carries
 *        ({@link org.qmon.api.annotations.QmpCommand#NAME} is required; the trait keys of
 *        {@link org.qmon.api.annotations.QmpCommand} are honoured)
 */
public record LocalCommand(Object handler, Map<String, Object> properties) {

    /**
     * Copies the properties.
     *
     * @param handler the handler
     * @param properties its properties
     */
    public LocalCommand {
        Objects.requireNonNull(handler, "handler");
        properties = Map.copyOf(properties);
    }
}

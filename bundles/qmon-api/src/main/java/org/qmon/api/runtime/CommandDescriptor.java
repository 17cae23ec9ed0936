package org.qmon.api.runtime;

import java.lang.reflect.Type;

/**
 * What the dispatcher knows about one registered command.
 *
 * @param name the command name
 * @param allowOob whether {@code exec-oob} may run it
 * @param async whether it is an {@link org.qmon.api.AsyncCommand}
 * @param description one line of help, possibly empty
 * @param argumentType the argument record type {@code A}
 * @param resultType the result type {@code R}
 * @param bundleSymbolicName the bundle that registered it
 * @param serviceId the service id of the handler
 * @param ranking the service ranking
 */
public record CommandDescriptor(String name, boolean allowOob, boolean async, String description,
        Type argumentType, Type resultType, String bundleSymbolicName, long serviceId, int ranking) {
}

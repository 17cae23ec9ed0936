package org.qmon.api.runtime;

import java.lang.reflect.Type;

/**
 * What the dispatcher knows about one command handler: its name, every trait it declared, its types
 * and where it comes from.
 *
 * @param name the command name; {@code null} only for a handler refused because it has none
 * @param description one line of help, possibly empty
 * @param async whether it is an {@link org.qmon.api.AsyncCommand}
 * @param allowOob whether {@code exec-oob} may run it ({@link org.qmon.api.annotations.QmpCommand#allowOob()})
 * @param nonBlocking whether it may run on the thread that read the request
 *        ({@link org.qmon.api.annotations.QmpCommand#nonBlocking()}; implied by {@code allowOob})
 * @param allowBeforeNegotiation whether a QMP session may run it before capabilities negotiation
 *        ({@link org.qmon.api.annotations.QmpCommand#allowBeforeNegotiation()})
 * @param argumentType the argument record type {@code A}, or {@code null} when it could not be determined
 * @param resultType the result type {@code R}, or {@code null} when it could not be determined
 * @param bundleSymbolicName the bundle that registered it; for a session-local command, the frontend's
 * @param serviceId the service id of the handler; negative for commands that are not services
 *        (built into the dispatcher, or local to a session)
 * @param ranking the service ranking
 * @param features the command's schema features ({@link org.qmon.api.annotations.QmpCommand#features()},
 *        and {@code deprecated} for a handler class annotated {@link Deprecated}), sorted
 * @param timeoutMillis the command's declared default deadline in milliseconds
 *        ({@link org.qmon.api.annotations.QmpCommand#timeout()}), 0 for none
 */
public record CommandDescriptor(String name, String description, boolean async, boolean allowOob,
        boolean nonBlocking, boolean allowBeforeNegotiation, Type argumentType, Type resultType,
        String bundleSymbolicName, long serviceId, int ranking, java.util.List<String> features,
        long timeoutMillis) {

    /**
     * Copies the features.
     *
     * @param name the command name
     * @param description the help line
     * @param async whether it is asynchronous
     * @param allowOob the OOB trait
     * @param nonBlocking the non-blocking trait
     * @param allowBeforeNegotiation the before-negotiation trait
     * @param argumentType the argument type
     * @param resultType the result type
     * @param bundleSymbolicName the bundle
     * @param serviceId the service id
     * @param ranking the ranking
     * @param features the features
     * @param timeoutMillis the declared default deadline, 0 for none
     */
    public CommandDescriptor {
        features = features == null ? java.util.List.of() : java.util.List.copyOf(features);
        timeoutMillis = Math.max(0, timeoutMillis);
    }

    /**
     * A descriptor without a declared deadline (the form of 2.0).
     *
     * @param name the command name
     * @param description the help line
     * @param async whether it is asynchronous
     * @param allowOob the OOB trait
     * @param nonBlocking the non-blocking trait
     * @param allowBeforeNegotiation the before-negotiation trait
     * @param argumentType the argument type
     * @param resultType the result type
     * @param bundleSymbolicName the bundle
     * @param serviceId the service id
     * @param ranking the ranking
     * @param features the features
     */
    public CommandDescriptor(String name, String description, boolean async, boolean allowOob,
            boolean nonBlocking, boolean allowBeforeNegotiation, Type argumentType, Type resultType,
            String bundleSymbolicName, long serviceId, int ranking, java.util.List<String> features) {
        this(name, description, async, allowOob, nonBlocking, allowBeforeNegotiation, argumentType, resultType,
                bundleSymbolicName, serviceId, ranking, features, 0);
    }
}

package org.qmon.api.runtime;

/**
 * The state of one command handler in the dispatcher's registry, for tools that show what the
 * registry holds (the Gogo command {@code qmon:commands}, tests): the handler that serves a name, the
 * ones it shadows, and the ones that were refused, with the reason.
 *
 * @param descriptor what the handler declared; fields the dispatcher could not determine are
 *        {@code null}
 * @param state whether it serves its name, waits behind another, or was refused
 * @param reason why it is shadowed (the service id that wins) or refused; {@code null} when active
 */
public record HandlerStatus(CommandDescriptor descriptor, State state, String reason) {

    /** Where a handler stands. */
    public enum State {
        /** It serves its command name. */
        ACTIVE,
        /** Another handler of the same name wins (ranking, then lower service id); it takes over when that one leaves. */
        SHADOWED,
        /** It can never be dispatched (no name, types the dispatcher cannot bind); see the reason. */
        REFUSED
    }
}

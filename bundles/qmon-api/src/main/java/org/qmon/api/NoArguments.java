package org.qmon.api;

/**
 * The argument type of a command that takes no arguments. Any member in the request's
 * {@code arguments} object is then rejected with {@code Parameter 'x' is unexpected}.
 */
public record NoArguments() {
    /** The one instance the dispatcher passes. */
    public static final NoArguments INSTANCE = new NoArguments();
}

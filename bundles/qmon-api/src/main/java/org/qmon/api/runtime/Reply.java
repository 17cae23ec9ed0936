package org.qmon.api.runtime;

import java.util.Objects;

import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;

/**
 * The outcome of one request: either a result value (any Java object the frontend can serialise,
 * {@code null} meaning the empty object) or an error with its QMP class and text.
 *
 * @param value the result, when {@link #errorClass} is {@code null}
 * @param errorClass the error class, or {@code null} for success
 * @param description the error text, or {@code null} for success
 */
public record Reply(Object value, ErrorClass errorClass, String description) {

    /**
     * Checks that an error has a text.
     *
     * @param value the result
     * @param errorClass the error class or {@code null}
     * @param description the error text
     */
    public Reply {
        if (errorClass != null) {
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * A success.
     *
     * @param value the result, {@code null} for the empty object
     * @return the reply
     */
    public static Reply success(Object value) {
        return new Reply(value, null, null);
    }

    /**
     * An error.
     *
     * @param errorClass the QMP error class
     * @param description the text
     * @return the reply
     */
    public static Reply error(ErrorClass errorClass, String description) {
        return new Reply(null, errorClass, description);
    }

    /**
     * An error from an exception.
     *
     * @param e the command exception
     * @return the reply
     */
    public static Reply error(CommandException e) {
        return new Reply(null, e.errorClass(), e.description());
    }

    /**
     * Whether this is an error.
     *
     * @return {@code true} for an error
     */
    public boolean isError() {
        return errorClass != null;
    }
}

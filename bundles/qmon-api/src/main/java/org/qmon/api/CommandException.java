package org.qmon.api;

import java.util.Objects;

/**
 * A command error with its QMP error class. The message is sent verbatim as the error reply's
 * {@code desc} member; no stack trace ever reaches the wire.
 */
public class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    /**
     * Creates an error.
     *
     * @param errorClass the QMP error class
     * @param description the human readable text, sent as {@code desc}
     */
    public CommandException(ErrorClass errorClass, String description) {
        super(Objects.requireNonNull(description, "description"), null, false, false);
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
    }

    /**
     * Creates a {@link ErrorClass#GenericError}.
     *
     * @param description the human readable text
     * @return the exception
     */
    public static CommandException generic(String description) {
        return new CommandException(ErrorClass.GenericError, description);
    }

    /**
     * Creates QEMU's {@code DeviceNotFound} error, {@code Device '<id>' not found}.
     *
     * @param id the device id that was asked for
     * @return the exception
     */
    public static CommandException deviceNotFound(String id) {
        return new CommandException(ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
    }

    /**
     * The QMP error class.
     *
     * @return the class, never {@code null}
     */
    public ErrorClass errorClass() {
        return errorClass;
    }

    /**
     * The text sent as {@code desc}.
     *
     * @return the description
     */
    public String description() {
        return getMessage();
    }
}

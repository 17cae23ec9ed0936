package org.qmon.client;

/**
 * An error reply from the server: {@code {"error": {"class": ..., "desc": ...}, "id": ...}}.
 *
 * <p>{@link #errorClass()} is the machine-readable QMP error class (e.g. {@code GenericError},
 * {@code CommandNotFound}, {@code DeviceNotFound}); {@link #description()} is the human-readable
 * {@code desc}, which QMP clients should show but not parse.
 */
public class QmpException extends QmpClientException {
    private static final long serialVersionUID = 1L;

    /** The error class QMP uses when none is given. */
    public static final String GENERIC_ERROR = "GenericError";

    /** The QMP error class. */
    private final String errorClass;
    /** The QMP error description. */
    private final String description;
    /** The failed command, or {@code null}. */
    private final String command;

    /**
     * Creates an error reply exception.
     *
     * @param errorClass the QMP error class, e.g. {@code GenericError}; {@code null} means {@code GenericError}
     * @param description the QMP {@code desc}; {@code null} means the empty string
     */
    public QmpException(String errorClass, String description) {
        this(errorClass, description, null);
    }

    /**
     * Creates an error reply exception for a named command.
     *
     * @param errorClass the QMP error class, e.g. {@code GenericError}; {@code null} means {@code GenericError}
     * @param description the QMP {@code desc}; {@code null} means the empty string
     * @param command the command that failed, or {@code null} when unknown
     */
    public QmpException(String errorClass, String description, String command) {
        super(message(errorClass, description, command));
        this.errorClass = errorClass == null ? GENERIC_ERROR : errorClass;
        this.description = description == null ? "" : description;
        this.command = command;
    }

    private static String message(String errorClass, String description, String command) {
        String text = (errorClass == null ? GENERIC_ERROR : errorClass) + ": " + (description == null ? "" : description);
        return command == null ? text : text + " [command " + command + "]";
    }

    /**
     * The QMP error class ({@code error.class}).
     *
     * @return the error class, never {@code null}
     */
    public String errorClass() {
        return errorClass;
    }

    /**
     * The human-readable error description ({@code error.desc}).
     *
     * @return the description, never {@code null}
     */
    public String description() {
        return description;
    }

    /**
     * The command whose request failed, when the client knows it.
     *
     * @return the command name, or {@code null}
     */
    public String command() {
        return command;
    }

    @Override
    QmpClientException copyForCaller() {
        return new QmpException(errorClass, description, command);
    }
}

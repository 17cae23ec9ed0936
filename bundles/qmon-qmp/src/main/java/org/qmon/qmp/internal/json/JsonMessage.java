package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One framed input message, the Java counterpart of the {@code (QObject *json, Error *err)} pair
 * that QEMU's {@code json_message_process_token()} hands to its emitter: exactly one of
 * {@link #value()} and {@link #error()} is non-null.
 *
 * <p>A JSON {@code null} input is a {@link com.fasterxml.jackson.databind.node.NullNode} value,
 * not a null reference.
 *
 * @param value the parsed JSON value, or {@code null} when the message is an error
 * @param error QEMU's error description (e.g. {@code "JSON parse error, expecting value"}), or
 *     {@code null} when the message parsed
 */
public record JsonMessage(JsonNode value, String error) {

    /** Enforces that exactly one of value and error is present. */
    public JsonMessage {
        if ((value == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of value and error must be non-null");
        }
    }

    /** A successfully parsed message. */
    public static JsonMessage ofValue(JsonNode value) {
        return new JsonMessage(value, null);
    }

    /** A message that failed to lex, parse or respect a limit. */
    public static JsonMessage ofError(String error) {
        return new JsonMessage(null, error);
    }

    /** Whether this message is an error (then {@link #error()} is non-null). */
    public boolean isError() {
        return error != null;
    }
}

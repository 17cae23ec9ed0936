package org.qmon.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Converts results and event data with a caller's object mapper; one place for the special cases. */
final class Conversions {
    private Conversions() {
    }

    /**
     * Converts {@code value} to {@code type}: {@code Void} gives {@code null}, a {@link JsonNode}
     * type the value itself when it is one, anything else goes through the mapper.
     *
     * @param what names the value in the error message
     * @throws QmpClientException if the mapper cannot convert it
     */
    @SuppressWarnings("unchecked")
    static <T> T convert(ObjectMapper mapper, JsonNode value, JavaType type, String what) {
        Class<?> raw = type.getRawClass();
        if (raw == Void.class || raw == void.class) {
            return null;
        }
        if (raw.isInstance(value)) {
            return (T) value;
        }
        try {
            return mapper.treeToValue(value, type);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new QmpClientException("cannot convert " + what + " to " + type.toCanonical() + ": " + e.getMessage(), e);
        }
    }
}

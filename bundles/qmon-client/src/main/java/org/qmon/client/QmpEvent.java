package org.qmon.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous QMP event:
 * {@code {"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": US}}}.
 *
 * @param name the event name, e.g. {@code STOP}
 * @param data the {@code data} member, or {@code null} when the server omitted it (events without data)
 * @param seconds {@code timestamp.seconds}; {@code -1} when the server could not read the clock or sent no timestamp
 * @param microseconds {@code timestamp.microseconds} ({@code 0..999999}); {@code -1} like {@code seconds}
 */
public record QmpEvent(String name, JsonNode data, long seconds, long microseconds) {

    /**
     * Validates the components.
     *
     * @param name the event name, not {@code null}
     * @param data the data, may be {@code null}
     * @param seconds the seconds of the timestamp
     * @param microseconds the microseconds of the timestamp
     */
    public QmpEvent {
        Objects.requireNonNull(name, "name");
    }

    /**
     * The timestamp as an {@link Instant}.
     *
     * @return the instant the server stamped the event with, or {@code null} when it sent
     *     {@code -1} (no clock) or no timestamp at all
     */
    public Instant timestamp() {
        if (seconds < 0 || microseconds < 0) {
            return null;
        }
        return Instant.ofEpochSecond(seconds, microseconds * 1000L);
    }
}

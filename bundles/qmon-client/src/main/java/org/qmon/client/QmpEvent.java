package org.qmon.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous QMP event:
 * {@code {"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": US}}}.
 *
 * <p>{@link #data()} is the raw JSON; {@link #data(Class)}, {@link #data(TypeReference)} and
 * {@link #data(JavaType)} convert it with the client's object mapper
 * ({@link QmpClientOptions#objectMapper()}), as typed call results are converted:
 * <pre>{@code
 * record Shutdown(boolean guest, String reason) {}
 * Shutdown s = event.data(Shutdown.class);
 * }</pre>
 *
 * <p>Immutable. Equality and hash code are those of the name, data and timestamp; the mapper does
 * not take part.
 */
public final class QmpEvent {
    private final String name;
    private final JsonNode data;
    private final long seconds;
    private final long microseconds;
    /** Converts {@link #data}; the client's mapper, or a shared default one. */
    private final ObjectMapper mapper;

    /**
     * Creates an event whose typed data accessors use {@link QmpClientOptions#defaultObjectMapper()}
     * (for tests and for events that did not come from a client).
     *
     * @param name the event name, e.g. {@code STOP}; not {@code null}
     * @param data the {@code data} member, or {@code null} when the event has none
     * @param seconds {@code timestamp.seconds}, or {@code -1}
     * @param microseconds {@code timestamp.microseconds}, or {@code -1}
     */
    public QmpEvent(String name, JsonNode data, long seconds, long microseconds) {
        this(name, data, seconds, microseconds, DefaultMapper.INSTANCE);
    }

    QmpEvent(String name, JsonNode data, long seconds, long microseconds, ObjectMapper mapper) {
        this.name = Objects.requireNonNull(name, "name");
        this.data = data;
        this.seconds = seconds;
        this.microseconds = microseconds;
        this.mapper = mapper;
    }

    /** Created on first use only: most programs never build an event themselves. */
    private static final class DefaultMapper {
        static final ObjectMapper INSTANCE = QmpClientOptions.defaultObjectMapper();
    }

    /**
     * The event name.
     *
     * @return the name, e.g. {@code STOP}
     */
    public String name() {
        return name;
    }

    /**
     * The raw {@code data} member.
     *
     * @return the data, or {@code null} when the server omitted it (events without data, e.g. {@code STOP})
     */
    public JsonNode data() {
        return data;
    }

    /**
     * The {@code data} member converted to a type.
     *
     * @param <T> the type
     * @param type the class to convert to, e.g. a record; unknown members are ignored with the default mapper
     * @return the converted data, or {@code null} when the event has none
     * @throws QmpClientException if the data cannot be converted
     */
    public <T> T data(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return data(mapper.getTypeFactory().constructType(type));
    }

    /**
     * The {@code data} member converted to a generic type.
     *
     * @param <T> the type
     * @param type the type, e.g. {@code new TypeReference<Map<String, Object>>() {}}
     * @return the converted data, or {@code null} when the event has none
     * @throws QmpClientException if the data cannot be converted
     */
    public <T> T data(TypeReference<T> type) {
        Objects.requireNonNull(type, "type");
        return data(mapper.getTypeFactory().constructType(type));
    }

    /**
     * The {@code data} member converted to a Jackson type.
     *
     * @param <T> the type
     * @param type the type
     * @return the converted data, or {@code null} when the event has none
     * @throws QmpClientException if the data cannot be converted
     */
    public <T> T data(JavaType type) {
        Objects.requireNonNull(type, "type");
        if (data == null) {
            return null;
        }
        return Conversions.convert(mapper, data, type, "the data of event " + name);
    }

    /**
     * {@code timestamp.seconds}.
     *
     * @return the seconds; {@code -1} when the server could not read the clock or sent no timestamp
     */
    public long seconds() {
        return seconds;
    }

    /**
     * {@code timestamp.microseconds} ({@code 0..999999}).
     *
     * @return the microseconds; {@code -1} like {@link #seconds()}
     */
    public long microseconds() {
        return microseconds;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof QmpEvent e && name.equals(e.name) && Objects.equals(data, e.data)
                && seconds == e.seconds && microseconds == e.microseconds;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, data, seconds, microseconds);
    }

    @Override
    public String toString() {
        return "QmpEvent[name=" + name + ", data=" + data + ", seconds=" + seconds + ", microseconds=" + microseconds + "]";
    }
}

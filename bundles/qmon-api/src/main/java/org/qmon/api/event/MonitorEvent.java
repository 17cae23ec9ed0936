package org.qmon.api.event;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.osgi.service.event.Event;

/**
 * A QMP event: a name (e.g. {@code STOP}) and optional data, a record serialised as the event's
 * {@code data} member ({@code data} is omitted when {@code null}).
 *
 * <p>Send it with {@code eventAdmin.sendEvent(event.toOsgiEvent())} when the event must reach the
 * clients before the reply of the command that caused it (QEMU sends {@code STOP} before
 * {@code stop}'s return), or with {@code postEvent} otherwise.
 *
 * @param name the event name, upper case by QMP convention
 * @param data the event data (a record, a map or a Jackson node), or {@code null} for none
 */
public record MonitorEvent(String name, Object data) {

    /** The EventAdmin topic all QMP events travel on. */
    public static final String TOPIC = "org/qmon/event";

    /** The EventAdmin property that carries the {@link MonitorEvent} itself. */
    public static final String PROPERTY = "qmon.event";

    /** The EventAdmin property that carries the event name, for handlers that filter by name. */
    public static final String NAME_PROPERTY = "qmon.event.name";

    /**
     * Checks the name.
     *
     * @param name the event name
     * @param data the data or {@code null}
     */
    public MonitorEvent {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Creates an event without data.
     *
     * @param name the event name
     * @return the event
     */
    public static MonitorEvent of(String name) {
        return new MonitorEvent(name, null);
    }

    /**
     * Wraps this event for EventAdmin.
     *
     * @return an OSGi event on {@link #TOPIC}
     */
    public Event toOsgiEvent() {
        return new Event(TOPIC, Map.of(PROPERTY, this, NAME_PROPERTY, name));
    }

    /**
     * Unwraps an OSGi event.
     *
     * @param event an EventAdmin event
     * @return the monitor event it carries, if any
     */
    public static Optional<MonitorEvent> from(Event event) {
        Object value = event.getProperty(PROPERTY);
        return value instanceof MonitorEvent m ? Optional.of(m) : Optional.empty();
    }
}

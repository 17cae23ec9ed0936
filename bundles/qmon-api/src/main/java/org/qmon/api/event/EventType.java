package org.qmon.api.event;

import java.util.Objects;

/**
 * Declares an event a bundle emits: its name and the record of its data. Register one as an OSGi
 * service (of this class) for each event, for as long as the bundle may send it:
 *
 * <pre>
 * context.registerService(EventType.class, new EventType("SHUTDOWN", ShutdownInfo.class), null);
 * </pre>
 *
 * <p>Declared events are listed in {@code query-qmp-schema} (as {@code meta-type: event} with the data
 * record's type), and frontends check what they broadcast against them: an event sent without a
 * declaration still reaches the clients, but is logged once as undeclared.
 *
 * @param name the event name, upper case by QMP convention, e.g. {@code STOP}
 * @param data the record its data is, or {@code null} for an event without data
 */
public record EventType(String name, Class<?> data) {

    /**
     * Checks the name.
     *
     * @param name the event name
     * @param data the data record or {@code null}
     */
    public EventType {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Equal when both the name and the data record are, as a record's generated {@code equals}; written
     * out because the generated methods' first call spins method handles for about 10 ms, on the way to
     * the first listening socket (the dispatcher indexes every event type as it arrives).
     *
     * @param o the other object
     * @return whether it is an event type with the same name and data record
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof EventType e && name.equals(e.name) && Objects.equals(data, e.data);
    }

    /**
     * A hash of the name and the data record, consistent with {@link #equals}.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Objects.hashCode(data);
    }
}

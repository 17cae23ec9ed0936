package org.qmon.api.device;

import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device of the machine, registered as an OSGi service by its driver for as long as it exists.
 *
 * <p>A driver creates one device per Configuration Admin factory configuration of its
 * {@linkplain DeviceDriver#factoryPid() factory PID} and registers it under {@code Device} and under
 * the interfaces of its kind (e.g. {@link Display}). The service leaving is the device being gone:
 * the platform then sends QMP's {@code DEVICE_DELETED} event. A device's id is unique among the
 * devices that exist at one time; the id is fixed for the device's lifetime (a configuration change
 * re-creates the device).
 *
 * <p>Implementations are thread-safe: the platform calls them from any thread.
 */
@ConsumerType
public interface Device {

    /** The QOM path under which devices with an id live, QEMU's {@code /machine/peripheral}. */
    String PERIPHERAL = "/machine/peripheral";

    /** The configuration property that holds the device id ({@code String}). */
    String ID_PROPERTY = "id";

    /**
     * The device id, a QEMU identifier (a letter, then letters, digits, {@code -}, {@code .},
     * {@code _}).
     *
     * @return the id, never {@code null}
     */
    String id();

    /**
     * The name of the driver that created it, as {@code device_add}'s {@code driver} argument and QOM's
     * {@code type} property.
     *
     * @return the driver name
     */
    String driver();

    /**
     * The device's properties as QOM shows them ({@code qom-get}, {@code qom-list}): its configured
     * properties with their current values, and read-only state the device chooses to show. Values are
     * {@link String}, {@link Boolean}, {@link Integer}, {@link Long} or {@link Double}.
     *
     * @return an immutable snapshot, in a stable order
     */
    Map<String, Object> properties();

    /**
     * The device's canonical QOM path.
     *
     * @return {@code /machine/peripheral/<id>}
     */
    default String path() {
        return PERIPHERAL + "/" + id();
    }

    /**
     * Whether a string is a well-formed QEMU identifier: a letter, then letters, digits, {@code -},
     * {@code .} and {@code _} (QEMU's {@code id_wellformed}).
     *
     * @param id the candidate
     * @return {@code true} if it may name a device
     */
    static boolean isWellFormedId(String id) {
        if (id == null || id.isEmpty() || !isAsciiLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /**
     * The id of the device a factory configuration describes: its {@value #ID_PROPERTY} property when
     * set, else the configuration's name (what follows {@code ~} in its PID, as Configuration Admin
     * names configurations created with {@code getFactoryConfiguration(factoryPid, name, location)},
     * Karaf's {@code .cfg} files included).
     *
     * @param configuration the component's configuration properties (with {@code service.pid})
     * @return the id, if the configuration names a well-formed one
     */
    static Optional<String> idOf(Map<String, ?> configuration) {
        Object id = configuration.get(ID_PROPERTY);
        if (id instanceof String s && !s.isEmpty()) {
            return isWellFormedId(s) ? Optional.of(s) : Optional.empty();
        }
        Object pid = configuration.get("service.pid");
        if (pid instanceof String p) {
            int tilde = p.lastIndexOf('~');
            if (tilde >= 0 && isWellFormedId(p.substring(tilde + 1))) {
                return Optional.of(p.substring(tilde + 1));
            }
        }
        return Optional.empty();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}

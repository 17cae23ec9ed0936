package org.qmon.core.internal.devices;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.qmon.api.device.Device;
import org.qmon.api.device.DeviceDriver;
import org.qmon.api.event.MonitorEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the device commands share: every {@link Device} and {@link DeviceDriver} service (whiteboard),
 * the configurations behind them, and the {@code DEVICE_DELETED} event.
 *
 * <p>A device service leaving is the device being gone, whatever the cause ({@code device_del}, a
 * configuration deleted with Karaf's tools, its driver bundle stopped or uninstalled): each sends
 * {@code DEVICE_DELETED} with the device's id and QOM path, synchronously through EventAdmin, so that
 * every client has the event queued before the reply of a {@code device_del} that waited for it.
 *
 * <p>Locking: {@link #lock} guards the waiter maps and every write of {@link #devices} and
 * {@link #drivers}, which are immutable lists published through volatile fields (copy-on-write), so
 * lookups take no lock. No callback (waiter, event) runs while {@code lock} is held.
 */
@Component(service = DeviceRegistry.class, immediate = true)
public final class DeviceRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);

    /**
     * A device service.
     *
     * @param device the service object
     * @param serviceId its service id (devices are listed in this order: the first is console 0)
     * @param pid the PID of the configuration it came from, or {@code null}
     */
    record DeviceEntry(Device device, long serviceId, String pid) {
    }

    /**
     * A driver service.
     *
     * @param driver the service object
     * @param name its driver name
     * @param factoryPid its configurations' factory PID
     * @param bundle the bundle that registered it, where its Metatype is
     * @param serviceId its service id
     */
    record DriverEntry(DeviceDriver driver, String name, String factoryPid, Bundle bundle, long serviceId) {
    }

    /**
     * The {@code DEVICE_DELETED} event's data, QEMU's {@code device} (optional in QEMU's schema) and
     * {@code path}.
     *
     * @param device the device id
     * @param path its QOM path
     */
    public record DeviceDeleted(@com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String device, String path) {
    }

    private final ConfigurationAdmin cm;
    private final MetaTypeService metaType;
    private final EventAdmin events;

    private final Object lock = new Object();
    /** Sorted by service id. Written under {@link #lock}. */
    private volatile List<DeviceEntry> devices = List.of();
    /** Sorted by service id. Written under {@link #lock}. */
    private volatile List<DriverEntry> drivers = List.of();
    /** Actions waiting for a device id to appear. Guarded by {@link #lock}. */
    private final Map<String, List<Runnable>> onAdded = new HashMap<>();
    /** Actions waiting for a device service to leave, by service id. Guarded by {@link #lock}. */
    private final Map<Long, List<Runnable>> onRemoved = new HashMap<>();
    /**
     * Devices out of the list whose {@code DEVICE_DELETED} is not sent yet: an action asked for in that
     * window waits for the event too. Guarded by {@code lock}.
     */
    private final Set<Long> departing = new HashSet<>();
    /** False once deactivated: the unbinds that follow are the framework's, not devices leaving. */
    private volatile boolean active = true;

    /**
     * Creates the registry; DS binds the devices and drivers that exist right after.
     *
     * @param cm Configuration Admin, where devices are configurations
     * @param metaType where drivers describe their properties
     * @param events for {@code DEVICE_DELETED}
     */
    @Activate
    public DeviceRegistry(@Reference ConfigurationAdmin cm, @Reference MetaTypeService metaType,
            @Reference EventAdmin events) {
        this.cm = cm;
        this.metaType = metaType;
        this.events = events;
    }

    @Activate
    void activate() {
        LOG.info("Activated with {} devices and drivers {}.", devices.size(),
                drivers.stream().map(DriverEntry::name).toList());
    }

    @Deactivate
    void deactivate() {
        active = false;
        LOG.info("Deactivated.");
    }

    // ---- whiteboard ------------------------------------------------------------------------------

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDevice(Device device, ServiceReference<Device> ref) {
        DeviceEntry e = new DeviceEntry(device, (Long) ref.getProperty(Constants.SERVICE_ID),
                ref.getProperty(Constants.SERVICE_PID) instanceof String s ? s : null);
        List<Runnable> waiting;
        synchronized (lock) {
            List<DeviceEntry> l = new ArrayList<>(devices);
            l.add(e);
            l.sort(Comparator.comparingLong(DeviceEntry::serviceId));
            devices = List.copyOf(l);
            waiting = onAdded.remove(device.id());
        }
        LOG.debug("Device {} ({}) added", device.id(), device.driver());
        runAll(waiting);
    }

    void unbindDevice(Device device, ServiceReference<Device> ref) {
        long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        List<Runnable> waiting;
        boolean removed;
        synchronized (lock) {
            List<DeviceEntry> l = new ArrayList<>(devices);
            removed = l.removeIf(e -> e.serviceId() == id);
            devices = List.copyOf(l);
            departing.add(id);
        }
        try {
            if (removed && active) {
                LOG.debug("Device {} ({}) deleted", device.id(), device.driver());
                events.sendEvent(new MonitorEvent("DEVICE_DELETED", new DeviceDeleted(device.id(), device.path()))
                        .toOsgiEvent());
            }
        } finally {
            // Only now: whoever waits for the removal is answered after the event, whenever it asked.
            synchronized (lock) {
                departing.remove(id);
                waiting = onRemoved.remove(id);
            }
        }
        runAll(waiting);
    }

    @Reference(service = DeviceDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDriver(DeviceDriver driver, ServiceReference<DeviceDriver> ref) {
        DriverEntry e = new DriverEntry(driver, driver.name(), driver.factoryPid(), ref.getBundle(),
                (Long) ref.getProperty(Constants.SERVICE_ID));
        synchronized (lock) {
            List<DriverEntry> l = new ArrayList<>(drivers);
            l.add(e);
            l.sort(Comparator.comparingLong(DriverEntry::serviceId));
            drivers = List.copyOf(l);
        }
        LOG.debug("Driver {} (factory PID {}) added", e.name(), e.factoryPid());
    }

    void unbindDriver(DeviceDriver driver, ServiceReference<DeviceDriver> ref) {
        long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        synchronized (lock) {
            List<DriverEntry> l = new ArrayList<>(drivers);
            l.removeIf(e -> e.serviceId() == id);
            drivers = List.copyOf(l);
        }
    }

    private static void runAll(List<Runnable> actions) {
        if (actions == null) {
            return;
        }
        for (Runnable r : actions) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("A device waiter failed", e);
            }
        }
    }

    // ---- lookups ---------------------------------------------------------------------------------

    /** @return every device, in the order they appeared (service id) */
    List<DeviceEntry> devices() {
        return devices;
    }

    /**
     * The device of an id; the first one if a configuration tool made two with the same id.
     *
     * @param id the device id
     * @return the device, if one exists now
     */
    Optional<DeviceEntry> device(String id) {
        for (DeviceEntry e : devices) {
            if (e.device().id().equals(id)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * A driver by name (the one registered first if two claim it).
     *
     * @param name the driver name
     * @return the driver, if present now
     */
    Optional<DriverEntry> driver(String name) {
        for (DriverEntry d : drivers) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The drivers now, in the order they were registered.
     *
     * @return an immutable list
     */
    List<DriverEntry> drivers() {
        return drivers;
    }

    /**
     * A driver's human name, from its Metatype ({@code ObjectClassDefinition}'s name), as QEMU's device
     * class description shows in {@code device_add help}.
     *
     * @param driver the driver
     * @return the name, or {@code null} when the driver has none (no Metatype, or its bundle left)
     */
    String description(DriverEntry driver) {
        try {
            MetaTypeInformation info = metaType.getMetaTypeInformation(driver.bundle());
            String name = info == null ? null : info.getObjectClassDefinition(driver.factoryPid(), null).getName();
            return name == null || name.isEmpty() ? null : name;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return null;
        }
    }

    /**
     * The properties a driver's devices take, from its Metatype (the id excluded: it names the device
     * and is no property), in the order the driver declares them.
     *
     * @param driver the driver
     * @return the properties by name; empty when the driver has no Metatype
     */
    Map<String, PropertySpec> properties(DriverEntry driver) {
        Map<String, PropertySpec> out = new LinkedHashMap<>();
        MetaTypeInformation info;
        try {
            info = metaType.getMetaTypeInformation(driver.bundle());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return out; // its bundle has just left
        }
        if (info == null) {
            return out;
        }
        ObjectClassDefinition ocd;
        try {
            ocd = info.getObjectClassDefinition(driver.factoryPid(), null);
        } catch (IllegalArgumentException e) {
            LOG.warn("Driver {} has no Metatype for {}: its devices take no properties", driver.name(),
                    driver.factoryPid());
            return out;
        }
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads == null) {
            return out;
        }
        for (AttributeDefinition ad : ads) {
            if (ad.getID().equals(Device.ID_PROPERTY) || ad.getCardinality() != 0
                    || !PropertySpec.SUPPORTED.contains(ad.getType())) {
                continue;
            }
            out.put(ad.getID(), PropertySpec.of(ad));
        }
        return out;
    }

    // ---- configurations --------------------------------------------------------------------------

    /**
     * The ids of every device that exists or is configured for a present driver (a configuration whose
     * device has not started yet holds its id too).
     *
     * @return the ids
     * @throws IOException when Configuration Admin cannot be read
     */
    Set<String> idsInUse() throws IOException {
        Set<String> ids = new HashSet<>();
        for (DeviceEntry e : devices) {
            ids.add(e.device().id());
        }
        for (DriverEntry d : drivers) {
            for (Configuration c : configurations(d.factoryPid())) {
                Dictionary<String, Object> props = c.getProperties();
                if (props != null) {
                    Device.idOf(toMap(props)).ifPresent(ids::add);
                }
            }
        }
        return ids;
    }

    private Configuration[] configurations(String factoryPid) throws IOException {
        try {
            Configuration[] found = cm.listConfigurations("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "="
                    + escape(factoryPid) + ")");
            return found == null ? new Configuration[0] : found;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("filter for factory PID " + factoryPid, e);
        }
    }

    /**
     * Writes the factory configuration that creates a device: named by the id, so that its PID is
     * {@code <factoryPid>~<id>}, bound to no bundle in particular.
     *
     * @param driver the driver
     * @param id the device id
     * @param properties the typed properties
     * @return the configuration's PID
     * @throws IOException when Configuration Admin cannot store it
     */
    String create(DriverEntry driver, String id, Map<String, Object> properties) throws IOException {
        Configuration c = cm.getFactoryConfiguration(driver.factoryPid(), id, "?");
        Hashtable<String, Object> props = new Hashtable<>(properties);
        props.put(Device.ID_PROPERTY, id);
        c.update(props);
        return c.getPid();
    }

    /**
     * Deletes a configuration by PID, if it exists.
     *
     * @param pid the PID
     * @return {@code true} if one was deleted
     * @throws IOException when Configuration Admin fails
     */
    boolean delete(String pid) throws IOException {
        Configuration[] found;
        try {
            found = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + escape(pid) + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("filter for PID " + pid, e);
        }
        if (found == null) {
            return false;
        }
        for (Configuration c : found) {
            c.delete();
        }
        return true;
    }

    private static Map<String, Object> toMap(Dictionary<String, Object> d) {
        Map<String, Object> m = new HashMap<>();
        for (String k : Collections.list(d.keys())) {
            m.put(k, d.get(k));
        }
        return m;
    }

    /** Escapes a value for an LDAP filter (RFC 1960: {@code \ * ( )}). */
    static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    // ---- waiting ---------------------------------------------------------------------------------

    /**
     * Runs an action when a device of the id appears, at once if one exists.
     *
     * @param id the device id
     * @param action what to run (on the thread that registers the device, or this one); must not block
     * @return withdraws the action if it has not run
     */
    Runnable whenAdded(String id, Runnable action) {
        synchronized (lock) {
            if (device(id).isEmpty()) {
                onAdded.computeIfAbsent(id, k -> new ArrayList<>()).add(action);
                return () -> withdraw(onAdded, id, action);
            }
        }
        action.run();
        return () -> { };
    }

    /**
     * Runs an action when a device service leaves (after its {@code DEVICE_DELETED}), at once if it
     * already has.
     *
     * @param serviceId the device's service id
     * @param action what to run; must not block
     * @return withdraws the action if it has not run
     */
    Runnable whenRemoved(long serviceId, Runnable action) {
        synchronized (lock) {
            if (departing.contains(serviceId) || devices.stream().anyMatch(e -> e.serviceId() == serviceId)) {
                onRemoved.computeIfAbsent(serviceId, k -> new ArrayList<>()).add(action);
                return () -> withdraw(onRemoved, serviceId, action);
            }
        }
        action.run();
        return () -> { };
    }

    private <K> void withdraw(Map<K, List<Runnable>> map, K key, Runnable action) {
        synchronized (lock) {
            List<Runnable> l = map.get(key);
            if (l != null) {
                l.remove(action);
                if (l.isEmpty()) {
                    map.remove(key);
                }
            }
        }
    }

    /** @return the number of actions waiting (tests and leak checks) */
    int waiting() {
        synchronized (lock) {
            return onAdded.values().stream().mapToInt(List::size).sum()
                    + onRemoved.values().stream().mapToInt(List::size).sum();
        }
    }
}

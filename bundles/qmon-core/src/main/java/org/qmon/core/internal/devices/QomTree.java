package org.qmon.core.internal.devices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.qmon.api.CommandException;
import org.qmon.api.device.Device;

/**
 * The part of QEMU's QOM tree qmon has: {@code /}, {@code /machine}, {@code /machine/peripheral} (a
 * container) and one child per device, each with QEMU's common device properties ({@code type},
 * {@code realized}, {@code hotpluggable}) and the device's own. A path that does not start with
 * {@code /} is a partial path, as in QEMU (a device id is one).
 */
final class QomTree {

    static final String MACHINE = "machine";
    static final String PERIPHERAL = "peripheral";

    /**
     * One object of the tree and its properties.
     *
     * @param type its QOM type name
     * @param properties name to value, in listing order (QEMU lists {@code type} first)
     * @param types name to QOM type name, for {@code qom-list}
     */
    record Node(String type, Map<String, Object> properties, Map<String, String> types) {
    }

    private QomTree() {
    }

    /**
     * Resolves a path as QEMU's {@code object_resolve_path}: an absolute path from the root (empty
     * components, as in {@code //machine}, are skipped); a partial path names the one object whose path
     * ends with its components ({@code machine}, {@code peripheral/display0}, a device id).
     *
     * @param registry the devices
     * @param path an absolute or partial QOM path
     * @return the object
     * @throws CommandException {@code DeviceNotFound}, {@code Device '<path>' not found}, as QEMU;
     *         {@code Path '<path>' is ambiguous} for a partial path that more than one object ends with
     */
    static Node resolve(DeviceRegistry registry, String path) throws CommandException {
        List<String> parts = components(path);
        List<DeviceRegistry.DeviceEntry> devices = registry.devices();
        List<String> absolute = null;
        if (path.startsWith("/")) {
            absolute = parts;
        } else {
            List<List<String>> all = new ArrayList<>(
                    List.of(List.of(), List.of(MACHINE), List.of(MACHINE, PERIPHERAL)));
            for (DeviceRegistry.DeviceEntry e : devices) {
                all.add(List.of(MACHINE, PERIPHERAL, e.device().id()));
            }
            for (List<String> candidate : all) {
                if (candidate.size() >= parts.size()
                        && candidate.subList(candidate.size() - parts.size(), candidate.size()).equals(parts)) {
                    if (absolute != null) {
                        throw CommandException.generic("Path '" + path + "' is ambiguous");
                    }
                    absolute = candidate;
                }
            }
            if (absolute == null) {
                throw CommandException.deviceNotFound(path);
            }
        }
        if (absolute.isEmpty()) {
            return container("container", Map.of(MACHINE, "child<none-machine>"));
        }
        if (!absolute.get(0).equals(MACHINE)) {
            throw CommandException.deviceNotFound(path);
        }
        if (absolute.size() == 1) {
            return container("none-machine", Map.of(PERIPHERAL, "child<container>"));
        }
        if (!absolute.get(1).equals(PERIPHERAL) || absolute.size() > 3) {
            throw CommandException.deviceNotFound(path);
        }
        if (absolute.size() == 2) {
            Map<String, String> children = new LinkedHashMap<>();
            for (DeviceRegistry.DeviceEntry e : devices) {
                children.putIfAbsent(e.device().id(), "child<" + e.device().driver() + ">");
            }
            return container("container", children);
        }
        var device = registry.device(absolute.get(2));
        if (device.isPresent()) {
            return node(device.get().device());
        }
        throw CommandException.deviceNotFound(path);
    }

    /** The path's components, empty ones skipped (QEMU's {@code g_strsplit} then skipping {@code ""}). */
    static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    private static Node container(String type, Map<String, String> children) {
        Map<String, Object> props = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        props.put("type", type);
        types.put("type", "string");
        for (Map.Entry<String, String> c : children.entrySet()) {
            props.put(c.getKey(), null);
            types.put(c.getKey(), c.getValue());
        }
        return new Node(type, props, types);
    }

    private static Node node(Device d) {
        Map<String, Object> props = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        props.put("type", d.driver());
        types.put("type", "string");
        props.put("realized", true);
        types.put("realized", "bool");
        props.put("hotpluggable", true);
        types.put("hotpluggable", "bool");
        for (Map.Entry<String, Object> e : d.properties().entrySet()) {
            props.putIfAbsent(e.getKey(), e.getValue());
            types.putIfAbsent(e.getKey(), PropertySpec.qomTypeOf(e.getValue()));
        }
        return new Node(d.driver(), props, types);
    }

    /**
     * One property's value.
     *
     * @param node the object
     * @param property the property name
     * @return its value
     * @throws CommandException {@code Property '<type>.<property>' not found}, as QEMU; or QEMU's text
     *         for reading a child (which QEMU answers with its canonical path)
     */
    static Object get(Node node, String property) throws CommandException {
        if (!node.types().containsKey(property)) {
            throw CommandException.generic("Property '" + node.type() + "." + property + "' not found");
        }
        Object v = node.properties().get(property);
        if (v == null && node.types().get(property).startsWith("child<")) {
            return childPath(node, property);
        }
        return v;
    }

    private static String childPath(Node node, String child) {
        return switch (node.type()) {
            case "none-machine" -> "/machine/" + child;
            case "container" -> child.equals("machine") ? "/machine" : Device.PERIPHERAL + "/" + child;
            default -> child;
        };
    }

    /**
     * The listing of an object.
     *
     * @param node the object
     * @return its properties and children
     */
    static List<DeviceListProperties.ObjectPropertyInfo> list(Node node) {
        List<DeviceListProperties.ObjectPropertyInfo> out = new ArrayList<>();
        // QEMU's qom-list gives each property's name and type (and a description only some have).
        node.types().forEach((n, t) -> out.add(new DeviceListProperties.ObjectPropertyInfo(n, t, null, null)));
        return out;
    }
}

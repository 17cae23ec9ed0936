package org.qmon.core.internal.devices;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.device.Device;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * The human forms of the device commands, in QEMU's syntax: {@code device_add driver[,prop=value][,...]}
 * (QEMU's {@code -device} option syntax: the first item is the driver, a doubled comma is a comma),
 * {@code device_del id}, and {@code info qtree}, a listing of the devices under
 * {@code /machine/peripheral} in the shape of QEMU's ({@code dev: DRIVER, id "ID"}; qmon has no buses).
 */
public final class DeviceHmp {

    private DeviceHmp() {
    }

    /**
     * HMP {@code device_add}, with QEMU's help forms answered on the monitor (QEMU's
     * {@code qdev_device_help}, which only a human monitor reaches): {@code device_add help} (or
     * {@code ?}, or {@code driver=help}) lists the device models, {@code device_add DRIVER,help} (any
     * {@code help} or {@code ?} option, whatever its value) the driver's properties.
     */
    @Component(service = HmpCommand.class)
    public static final class Add implements HmpCommand {
        private final DeviceRegistry registry;

        /**
         * Creates the command.
         *
         * @param registry the drivers, for the help forms
         */
        @Activate
        public Add(@Reference DeviceRegistry registry) {
            this.registry = registry;
        }

        @Override
        public HmpDefinition definition() {
            return HmpDefinition.command("device_add")
                    // Optional, as QEMU's option-list argument is: without it device_add itself says
                    // "Parameter 'driver' is missing".
                    .parameters(HmpParameter.string("device").optional())
                    .params("driver[,prop=value][,...]")
                    .help("add device, like -device on the command line")
                    .calls("device_add")
                    .answers(parsed -> parsed.get("device") == null ? null
                            : help(registry, options((String) parsed.get("device"))))
                    .arguments(parsed -> parsed.get("device") == null ? Map.of()
                            : options((String) parsed.get("device")))
                    .build();
        }
    }

    /** QEMU's {@code is_help_option}. */
    private static boolean isHelp(Object word) {
        return "help".equals(word) || "?".equals(word);
    }

    /**
     * QEMU's {@code qdev_device_help} for parsed {@code device_add} options: the text for a help form,
     * {@code null} for anything else (then {@code device_add} runs).
     *
     * @param registry the drivers
     * @param options the options as {@link #options(String)} parsed them
     * @return the text, or {@code null}
     */
    static String help(DeviceRegistry registry, Map<String, Object> options) {
        Object id = options.get("id");
        if (id != null && !Device.isWellFormedId(String.valueOf(id))) {
            return null; // QEMU refuses a bad id while parsing the options, before any help
        }
        Object driverName = options.get("driver");
        if (isHelp(driverName)) {
            return devices(registry);
        }
        if (driverName == null || options.keySet().stream().noneMatch(DeviceHmp::isHelp)) {
            return null;
        }
        String name = String.valueOf(driverName);
        Optional<DeviceRegistry.DriverEntry> driver = registry.driver(name);
        if (driver.isEmpty()) {
            return "Device '" + name + "' not found\n"; // QEMU's error_report of device-list-properties' error
        }
        Map<String, PropertySpec> properties = registry.properties(driver.get());
        if (properties.isEmpty()) {
            return "There are no options for " + name + ".\n";
        }
        List<String> lines = new ArrayList<>();
        for (PropertySpec p : properties.values()) {
            lines.add(propertyHelp(p.name(), p.qomType(), p.defaultValue(), p.description()));
        }
        Collections.sort(lines); // QEMU sorts the formatted lines (qemu_pstrcmp0)
        StringBuilder sb = new StringBuilder(name).append(" options:\n");
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /**
     * QEMU's {@code qdev_print_devinfos(false)}: the models by category. qmon's drivers have no
     * category, so all are QEMU's last, "Uncategorized", whose header QEMU prints after an empty line.
     */
    private static String devices(DeviceRegistry registry) {
        List<DeviceRegistry.DriverEntry> drivers = new ArrayList<>(registry.drivers());
        if (drivers.isEmpty()) {
            return "";
        }
        drivers.sort(Comparator.comparing(DeviceRegistry.DriverEntry::name, String.CASE_INSENSITIVE_ORDER));
        StringBuilder sb = new StringBuilder("\nUncategorized devices:\n");
        String last = null;
        for (DeviceRegistry.DriverEntry d : drivers) {
            if (d.name().equals(last)) {
                continue; // a second driver claiming a name is not reachable by it
            }
            last = d.name();
            sb.append("name \"").append(d.name()).append('"');
            String desc = registry.description(d);
            if (desc != null) {
                sb.append(", desc \"").append(desc).append('"');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * QEMU's {@code object_property_help}: {@code "  name=<type>"}, then, when there is a description or
     * a default, padding to column 24, {@code " - "}, the description and {@code " (default: JSON)"}.
     */
    static String propertyHelp(String name, String type, Object defaultValue, String description) {
        StringBuilder sb = new StringBuilder("  ").append(name).append("=<").append(type).append('>');
        if (description != null || defaultValue != null) {
            while (sb.length() < 24) {
                sb.append(' ');
            }
            sb.append(" - ");
        }
        if (description != null) {
            sb.append(description);
        }
        if (defaultValue != null) {
            sb.append(" (default: ").append(json(defaultValue)).append(')');
        }
        return sb.toString();
    }

    /** A default value as QEMU's {@code qobject_to_json} writes it: a whole double without {@code .0}. */
    private static String json(Object v) {
        if (v instanceof String s) {
            return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
        }
        if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
        }
        return String.valueOf(v);
    }

    /** HMP {@code device_del}. */
    @Component(service = HmpCommand.class)
    public static final class Del implements HmpCommand {
        @Override
        public HmpDefinition definition() {
            return HmpDefinition.command("device_del")
                    .parameters(HmpParameter.string("id"))
                    .params("device")
                    .help("remove device")
                    .calls("device_del")
                    .build();
        }
    }

    /** HMP {@code info qtree}. */
    @Component(service = HmpCommand.class)
    public static final class InfoQtree implements HmpCommand {
        @Override
        public HmpDefinition definition() {
            return HmpDefinition.info("qtree")
                    .help("show device tree")
                    .calls("qom-list")
                    .arguments(parsed -> Map.of("path", "/machine/peripheral"))
                    .formatter((result, arguments) -> {
                        StringBuilder sb = new StringBuilder("bus: main-system-bus\n  type System\n");
                        for (Object o : (List<?>) result) {
                            Map<?, ?> child = (Map<?, ?>) o;
                            String type = String.valueOf(child.get("type"));
                            if (type.startsWith("child<") && type.endsWith(">")) {
                                sb.append("  dev: ").append(type, 6, type.length() - 1).append(", id \"")
                                        .append(child.get("name")).append("\"\n");
                            }
                        }
                        return sb.toString();
                    })
                    .build();
        }
    }

    /**
     * QEMU's option list: {@code driver,key=value,...}; the first item without {@code =} is the driver, a
     * doubled comma is a literal comma, an item without a value is {@code on} ({@code noX} is {@code X}
     * = {@code off}); of several ids the first
     * counts (QEMU's {@code opts_parse_id}), of other repeated properties the last.
     *
     * @param text what the person typed
     * @return device_add's arguments, in order
     */
    static Map<String, Object> options(String text) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> items = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else if (c == ',') {
                items.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        items.add(cur.toString());
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            int eq = item.indexOf('=');
            if (i == 0 && eq < 0) {
                out.put("driver", item);
            } else if (eq < 0 && item.startsWith("no")) {
                out.put(item.substring(2), "off"); // QEMU's short-form boolean: noX is X=off
            } else if (eq < 0) {
                out.put(item, "on");
            } else if (item.startsWith("id=")) {
                out.putIfAbsent("id", item.substring(eq + 1)); // QEMU's option parser takes the first id
            } else {
                out.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return out;
    }
}

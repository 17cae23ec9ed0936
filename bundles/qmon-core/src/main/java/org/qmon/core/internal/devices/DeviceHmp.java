package org.qmon.core.internal.devices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
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

    /** HMP {@code device_add}. */
    @Component(service = HmpCommand.class)
    public static final class Add implements HmpCommand {
        @Override
        public HmpDefinition definition() {
            return HmpDefinition.command("device_add")
                    // Optional, as QEMU's option-list argument is: without it device_add itself says
                    // "Parameter 'driver' is missing".
                    .parameters(HmpParameter.string("device").optional())
                    .params("driver[,prop=value][,...]")
                    .help("add device, like -device on the command line")
                    .calls("device_add")
                    .arguments(parsed -> parsed.get("device") == null ? Map.of()
                            : options((String) parsed.get("device")))
                    .build();
        }
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
     * doubled comma is a literal comma, an item without a value is {@code on}; of several ids the first
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

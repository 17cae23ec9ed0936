package org.qmon.core.internal.devices;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code device-list-properties}: the properties a driver's devices take, from the driver's Metatype,
 * as QEMU's {@code [ObjectPropertyInfo]}. Unknown driver: {@code DeviceNotFound},
 * {@code Device '<typename>' not found}, as QEMU.
 */
@Component(service = Command.class)
@QmpCommand(name = "device-list-properties", nonBlocking = true, description = "list the properties of a device model")
public final class DeviceListProperties implements Command<DeviceListProperties.Arguments, List<DeviceListProperties.ObjectPropertyInfo>> {

    /**
     * QEMU's arguments.
     *
     * @param typename the driver name
     */
    public record Arguments(String typename) {
    }

    /**
     * QEMU's {@code ObjectPropertyInfo} ({@code device-list-properties} and {@code qom-list}); absent
     * members are {@code null} and omitted, optional in the schema as QEMU's {@code *description} and
     * {@code *default-value} are.
     *
     * @param name the property
     * @param type its QOM type
     * @param description its description, or {@code null}
     * @param defaultValue its default, or {@code null}
     */
    public record ObjectPropertyInfo(String name, String type,
            @JsonInclude(JsonInclude.Include.NON_NULL) String description,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("default-value") Object defaultValue) {
    }

    private final DeviceRegistry registry;

    /**
     * Creates the command.
     *
     * @param registry the drivers
     */
    @Activate
    public DeviceListProperties(@Reference DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<ObjectPropertyInfo> execute(Arguments arguments, CommandContext context) throws CommandException {
        DeviceRegistry.DriverEntry driver = registry.driver(arguments.typename())
                .orElseThrow(() -> CommandException.deviceNotFound(arguments.typename()));
        List<ObjectPropertyInfo> out = new ArrayList<>();
        for (PropertySpec p : registry.properties(driver).values()) {
            out.add(new ObjectPropertyInfo(p.name(), p.qomType(), p.description(), p.defaultValue()));
        }
        return out;
    }
}

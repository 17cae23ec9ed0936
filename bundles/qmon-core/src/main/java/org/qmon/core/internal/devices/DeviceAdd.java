package org.qmon.core.internal.devices;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonAnySetter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.device.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code device_add}: writes the factory configuration of the driver's PID, named by the device id,
 * and answers when the driver has turned it into a device service, so that the device exists when the
 * client reads the reply, as with QEMU. Arguments are the raw object: {@code driver}, {@code id} and
 * the driver's own properties (QEMU's {@code 'gen': false}).
 *
 * <p>Checks in QEMU's order, with its texts: the id's form ({@code Parameter 'id' expects an
 * identifier}), the driver ({@code Parameter 'driver' is missing},
 * {@code '<driver>' is not a valid device model name}), a duplicate id
 * ({@code Duplicate device ID '<id>'}), then each property ({@code Property '<driver>.<name>' not
 * found}, {@code Parameter '<name>' expects integer}, ...). qmon requires an id
 * ({@code Parameter 'id' is missing}): a device is a configuration, and the id names it.
 *
 * <p>A device that does not appear within {@value #START_TIMEOUT_SECONDS} s (its driver failed to
 * start it; the log says why) is answered with an error and its configuration deleted, as QEMU leaves
 * no device behind a failed {@code device_add}.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "device_add", description = "add a device")
public final class DeviceAdd implements AsyncCommand<DeviceAdd.Arguments, Void> {

    /**
     * The arguments: {@code driver} and {@code id} as QEMU takes them (any JSON value; checked here, in
     * QEMU's order, so they are optional to the binder even though device_add needs both), and every
     * other member as a driver property. The schema lists {@code driver} and {@code id}.
     *
     * @param driver the driver's name
     * @param id the device id
     * @param properties the driver's properties, in request order
     */
    public record Arguments(Optional<Object> driver, Optional<Object> id, @JsonAnySetter Map<String, Object> properties) {
    }

    /** How long a configured device may take to appear. */
    static final long START_TIMEOUT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(DeviceAdd.class);

    private final DeviceRegistry registry;
    /** Serialises the duplicate check with the configuration write, so two adds of one id cannot both pass. */
    private final Object addLock = new Object();

    /**
     * Creates the command.
     *
     * @param registry the devices and drivers
     */
    @Activate
    public DeviceAdd(@Reference DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void execute(Arguments args, Completion<Void> completion, CommandContext context)
            throws CommandException {
        Object idValue = args.id().orElse(null);
        String id = null;
        if (idValue != null) {
            if (!(idValue instanceof String s)) {
                throw CommandException.generic("Invalid parameter type for 'id', expected: string");
            }
            if (!Device.isWellFormedId(s)) {
                throw CommandException.generic("Parameter 'id' expects an identifier");
            }
            id = s;
        }
        String driverName = PropertySpec.scalarText(args.driver().orElse(null));
        if (driverName == null) {
            throw CommandException.generic("Parameter 'driver' is missing");
        }
        DeviceRegistry.DriverEntry driver = registry.driver(driverName).orElseThrow(
                () -> CommandException.generic("'" + driverName + "' is not a valid device model name"));
        if (id == null) {
            throw CommandException.generic("Parameter 'id' is missing");
        }
        String pid;
        synchronized (addLock) {
            try {
                if (registry.idsInUse().contains(id)) {
                    throw CommandException.generic("Duplicate device ID '" + id + "'");
                }
                Map<String, PropertySpec> specs = registry.properties(driver);
                Map<String, Object> typed = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : args.properties().entrySet()) {
                    String name = e.getKey();
                    PropertySpec spec = specs.get(name);
                    if (spec == null) {
                        throw CommandException.generic("Property '" + driverName + "." + name + "' not found");
                    }
                    typed.put(name, spec.convert(driverName, e.getValue()));
                }
                pid = registry.create(driver, id, typed);
            } catch (IOException e) {
                throw CommandException.generic("Cannot store the configuration of device '" + id + "': "
                        + e.getMessage());
            }
        }
        LOG.debug("Configured device {} ({}) as {}", id, driverName, pid);
        String deviceId = id;
        AtomicReference<Runnable> withdraw = new AtomicReference<>();
        withdraw.set(registry.whenAdded(id, () -> completion.complete(null)));
        completion.onCancel(() -> withdraw.get().run());
        CompletableFuture.delayedExecutor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS).execute(() -> {
            withdraw.get().run();
            if (completion.fail(CommandException.generic("Device '" + deviceId + "' did not start within "
                    + START_TIMEOUT_SECONDS + " s (see the log)"))) {
                try {
                    registry.delete(pid);
                } catch (IOException e) {
                    LOG.warn("Cannot delete the configuration {} of device {} that did not start", pid, deviceId, e);
                }
            }
        });
    }
}

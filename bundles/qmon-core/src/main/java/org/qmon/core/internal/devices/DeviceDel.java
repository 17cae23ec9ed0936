package org.qmon.core.internal.devices;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code device_del}: deletes the device's configuration and answers once the device is gone, after
 * its {@code DEVICE_DELETED} event (QEMU's order for a device that unplugs at once). Unknown id:
 * {@code DeviceNotFound}, {@code Device '<id>' not found}.
 *
 * <p>A device that has no configuration of its own (registered by other means) cannot be deleted:
 * {@code Device '<id>' does not support hotplugging}, QEMU's text for a device that cannot be
 * unplugged. If the device is still there after {@value #STOP_TIMEOUT_SECONDS} s the request is
 * answered anyway; the event follows when it goes, as with QEMU's guest-assisted unplug.
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "device_del", description = "remove device")
public final class DeviceDel implements AsyncCommand<DeviceDel.Arguments, Void> {

    /** How long the reply waits for the device to go. */
    static final long STOP_TIMEOUT_SECONDS = 10;

    /**
     * QEMU's arguments.
     *
     * @param id the device id, or its QOM path ({@code /machine/peripheral/<id>}), as QEMU takes either
     */
    public record Arguments(String id) {
    }

    private final DeviceRegistry registry;

    /**
     * Creates the command.
     *
     * @param registry the devices
     */
    @Activate
    public DeviceDel(@Reference DeviceRegistry registry) {
        this.registry = registry;
    }

    /**
     * QEMU's {@code find_device_state}: an id is resolved under {@code /machine/peripheral}, an absolute
     * path from the root; an object found there that is no device is refused.
     *
     * @param idOrPath what the client gave
     * @return the device id to look up
     * @throws CommandException {@code DeviceNotFound} for a path to nothing; {@code <path> is not a
     *         hotpluggable device} for a container
     */
    private String deviceId(String idOrPath) throws CommandException {
        if (!idOrPath.startsWith("/")) {
            return idOrPath;
        }
        List<String> c = QomTree.components(idOrPath);
        if (c.size() == 3 && c.get(0).equals(QomTree.MACHINE) && c.get(1).equals(QomTree.PERIPHERAL)) {
            return c.get(2);
        }
        QomTree.resolve(registry, idOrPath); // DeviceNotFound unless it names a container
        throw CommandException.generic(idOrPath + " is not a hotpluggable device");
    }

    @Override
    public void execute(Arguments arguments, Completion<Void> completion, CommandContext context)
            throws CommandException {
        DeviceRegistry.DeviceEntry device = registry.device(deviceId(arguments.id()))
                .orElseThrow(() -> CommandException.deviceNotFound(arguments.id()));
        if (device.pid() == null) {
            throw CommandException.generic("Device '" + arguments.id() + "' does not support hotplugging");
        }
        AtomicReference<Runnable> withdraw = new AtomicReference<>();
        withdraw.set(registry.whenRemoved(device.serviceId(), () -> completion.complete(null)));
        completion.onCancel(() -> withdraw.get().run());
        try {
            registry.delete(device.pid());
        } catch (IOException e) {
            withdraw.get().run();
            throw CommandException.generic("Cannot delete the configuration of device '" + arguments.id() + "': "
                    + e.getMessage());
        }
        CompletableFuture.delayedExecutor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).execute(() -> {
            withdraw.get().run();
            completion.complete(null);
        });
    }
}

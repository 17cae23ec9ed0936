package org.qmon.core.internal.devices;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;

/** {@code qom-list}: the properties and children of an object of qmon's QOM tree (see {@link QomTree}). */
@Component(service = Command.class)
@QmpCommand(name = "qom-list", nonBlocking = true, description = "list the properties of an object")
public final class QomList implements Command<QomList.Arguments, List<DeviceListProperties.ObjectPropertyInfo>> {

    /**
     * QEMU's arguments.
     *
     * @param path an absolute or partial QOM path
     */
    public record Arguments(String path) {
    }

    private final DeviceRegistry registry;

    /**
     * Creates the command.
     *
     * @param registry the devices
     */
    @Activate
    public QomList(@Reference DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<DeviceListProperties.ObjectPropertyInfo> execute(Arguments arguments, CommandContext context)
            throws CommandException {
        return QomTree.list(QomTree.resolve(registry, arguments.path()));
    }
}

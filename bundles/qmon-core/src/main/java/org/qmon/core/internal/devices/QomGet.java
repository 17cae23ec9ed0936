package org.qmon.core.internal.devices;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;

/** {@code qom-get}: one property of an object of qmon's QOM tree (see {@link QomTree}). */
@Component(service = Command.class)
@QmpCommand(name = "qom-get", nonBlocking = true, description = "read a property of an object")
public final class QomGet implements Command<QomGet.Arguments, Object> {

    /**
     * QEMU's arguments.
     *
     * @param path an absolute or partial QOM path
     * @param property the property name
     */
    public record Arguments(String path, String property) {
    }

    private final DeviceRegistry registry;

    /**
     * Creates the command.
     *
     * @param registry the devices
     */
    @Activate
    public QomGet(@Reference DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Object execute(Arguments arguments, CommandContext context) throws CommandException {
        return QomTree.get(QomTree.resolve(registry, arguments.path()), arguments.property());
    }
}

package org.qmon.core.internal.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;

/** QOM paths resolved as QEMU's object_resolve_path resolves them. */
class QomTreeTest {

    private final DeviceRegistry registry = new DeviceRegistry(null, null, TestDevices.NO_EVENTS);

    QomTreeTest() {
        registry.bindDevice(TestDevices.device("display0", "qmon-display"), TestDevices.reference(1));
    }

    private String type(String path) throws CommandException {
        return QomTree.resolve(registry, path).type();
    }

    @Test
    void absolutePathsSkipEmptyComponents() throws CommandException {
        assertEquals("container", type("/"));
        assertEquals("none-machine", type("/machine"));
        assertEquals("none-machine", type("//machine"));
        assertEquals("container", type("/machine/peripheral/"));
        assertEquals("qmon-display", type("/machine/peripheral/display0"));
    }

    @Test
    void aPartialPathNamesTheOneObjectItEndsWith() throws CommandException {
        assertEquals("none-machine", type("machine"));
        assertEquals("container", type("machine/peripheral"));
        assertEquals("container", type("peripheral"));
        assertEquals("qmon-display", type("peripheral/display0"));
        assertEquals("qmon-display", type("display0"));
    }

    @Test
    void nothingThereOrMoreThanOneAnswerQemusErrors() {
        CommandException none = assertThrows(CommandException.class, () -> type("nope"));
        assertEquals(ErrorClass.DeviceNotFound, none.errorClass());
        assertEquals("Device 'nope' not found", none.description());
        assertEquals("Device '/machine/nope' not found",
                assertThrows(CommandException.class, () -> type("/machine/nope")).description());
        // QEMU 7.2: qom-list "" is "Path '' is ambiguous"; so is a partial path two objects end with.
        assertEquals("Path '' is ambiguous", assertThrows(CommandException.class, () -> type("")).description());
        registry.bindDevice(TestDevices.device("machine", "qmon-display"), TestDevices.reference(2));
        CommandException twice = assertThrows(CommandException.class, () -> type("machine"));
        assertEquals(ErrorClass.GenericError, twice.errorClass());
        assertEquals("Path 'machine' is ambiguous", twice.description());
    }
}

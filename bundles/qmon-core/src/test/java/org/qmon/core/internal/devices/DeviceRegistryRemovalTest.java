package org.qmon.core.internal.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.device.Device;

/**
 * The order {@code device_del} promises: its answer comes after {@code DEVICE_DELETED}, even for a
 * second {@code device_del} of the same device that asks while the first removal is under way.
 */
class DeviceRegistryRemovalTest {

    private static final long SERVICE_ID = 42;

    private final List<String> order = new ArrayList<>();
    private DeviceRegistry registry;

    @Test
    void anActionAskedForWhileTheDeviceLeavesRunsAfterItsEvent() {
        EventAdmin events = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                sendEvent(event);
            }

            @Override
            public void sendEvent(Event event) {
                // A second device_del arrives now: the device is out of the list, its event not yet out.
                registry.whenRemoved(SERVICE_ID, () -> order.add("second answered"));
                order.add("DEVICE_DELETED");
            }
        };
        registry = new DeviceRegistry(null, null, events);
        Device d = TestDevices.device("d1", "test");
        registry.bindDevice(d, TestDevices.reference(SERVICE_ID));
        registry.whenRemoved(SERVICE_ID, () -> order.add("first answered"));
        registry.unbindDevice(d, TestDevices.reference(SERVICE_ID));
        assertEquals(List.of("DEVICE_DELETED", "first answered", "second answered"), order);
        assertEquals(0, registry.waiting());
        // Once gone, an action runs at once.
        registry.whenRemoved(SERVICE_ID, () -> order.add("late"));
        assertEquals("late", order.get(order.size() - 1));
    }
}

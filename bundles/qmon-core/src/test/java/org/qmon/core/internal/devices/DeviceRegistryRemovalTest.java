package org.qmon.core.internal.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
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
        Device d = device("d1");
        registry.bindDevice(d, reference());
        registry.whenRemoved(SERVICE_ID, () -> order.add("first answered"));
        registry.unbindDevice(d, reference());
        assertEquals(List.of("DEVICE_DELETED", "first answered", "second answered"), order);
        assertEquals(0, registry.waiting());
        // Once gone, an action runs at once.
        registry.whenRemoved(SERVICE_ID, () -> order.add("late"));
        assertEquals("late", order.get(order.size() - 1));
    }

    private static Device device(String id) {
        return new Device() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String driver() {
                return "test";
            }

            @Override
            public Map<String, Object> properties() {
                return Map.of();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static ServiceReference<Device> reference() {
        return (ServiceReference<Device>) Proxy.newProxyInstance(DeviceRegistryRemovalTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class},
                (proxy, method, args) -> "getProperty".equals(method.getName()) && Constants.SERVICE_ID.equals(args[0])
                        ? (Object) SERVICE_ID : null);
    }
}

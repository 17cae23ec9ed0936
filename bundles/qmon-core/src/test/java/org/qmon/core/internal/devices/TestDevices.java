package org.qmon.core.internal.devices;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.device.Device;

/** A registry without a framework: devices bound by hand, the way DS would bind them. */
final class TestDevices {

    private TestDevices() {
    }

    /** An EventAdmin that delivers nowhere. */
    static final EventAdmin NO_EVENTS = new EventAdmin() {
        @Override
        public void postEvent(Event event) {
        }

        @Override
        public void sendEvent(Event event) {
        }
    };

    static Device device(String id, String driver) {
        return new Device() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String driver() {
                return driver;
            }

            @Override
            public Map<String, Object> properties() {
                return Map.of();
            }
        };
    }

    /** A service reference with only a service id, as the registry reads it. */
    @SuppressWarnings("unchecked")
    static ServiceReference<Device> reference(long serviceId) {
        return (ServiceReference<Device>) Proxy.newProxyInstance(TestDevices.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class},
                (proxy, method, args) -> "getProperty".equals(method.getName()) && Constants.SERVICE_ID.equals(args[0])
                        ? (Object) serviceId : null);
    }
}

package org.qmon.display.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.device.DeviceDriver;

/**
 * Announces the {@value VirtualDisplay#DRIVER} driver: {@code device_add driver=qmon-display} writes
 * a configuration of {@value VirtualDisplay#FACTORY_PID}, which {@link VirtualDisplay} turns into a
 * device. Its properties are {@link VirtualDisplay.Config}'s Metatype, in this bundle.
 */
@Component(service = DeviceDriver.class)
public final class DisplayDriver implements DeviceDriver {

    @Override
    public String name() {
        return VirtualDisplay.DRIVER;
    }

    @Override
    public String factoryPid() {
        return VirtualDisplay.FACTORY_PID;
    }
}

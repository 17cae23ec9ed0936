package org.qmon.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device driver, registered as a service by the bundle that implements a device kind, for as long as
 * it can create devices. {@code device_add} with {@code driver} = {@link #name()} writes a factory
 * configuration of {@link #factoryPid()}; the driver turns each such configuration into a
 * {@link Device} service.
 *
 * <p>The properties a device of this driver takes are described by the Metatype object class of
 * {@link #factoryPid()} in the bundle that registers this service: {@code device-list-properties}
 * shows them, and {@code device_add} accepts exactly those (besides {@code driver} and {@code id}),
 * converted to their Metatype types and checked with the attribute's {@code validate}.
 */
@ConsumerType
public interface DeviceDriver {

    /**
     * The driver (device model) name, unique among drivers, e.g. {@code qmon-display}.
     *
     * @return the name
     */
    String name();

    /**
     * The factory PID of the configurations that create this driver's devices.
     *
     * @return the factory PID
     */
    String factoryPid();
}

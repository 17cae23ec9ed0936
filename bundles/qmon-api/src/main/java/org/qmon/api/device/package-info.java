/**
 * The device model: a device is an OSGi service ({@link org.qmon.api.device.Device}) with an id, a
 * driver name and properties, created by its driver from a Configuration Admin factory configuration
 * (one factory PID per driver, described by Metatype). QMP's {@code device_add}, a Karaf
 * {@code config:} edit and a {@code .cfg} file are therefore the same operation. Device kinds are
 * interfaces of their own: a {@link org.qmon.api.device.Display} renders
 * {@link org.qmon.api.device.Frame}s for {@code screendump}.
 *
 * <p>Drivers announce themselves with a {@link org.qmon.api.device.DeviceDriver} service; devices
 * read the machine's run state through {@link org.qmon.api.device.MachineState}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.qmon.api.device;

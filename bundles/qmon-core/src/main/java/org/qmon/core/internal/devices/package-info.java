/**
 * Device management: the registry of device and driver services, the QMP commands over it
 * ({@code device_add}, {@code device_del}, {@code qom-list}, {@code qom-get},
 * {@code device-list-properties}), the {@code DEVICE_DELETED} event, and the devices a launcher asks
 * for. Devices are Configuration Admin factory configurations turned into services by their drivers;
 * this package only writes and deletes configurations and watches the services. Private to the bundle.
 */
package org.qmon.core.internal.devices;

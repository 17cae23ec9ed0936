/**
 * QMP events as OSGi EventAdmin events: a device or command sends a {@link org.qmon.api.event.MonitorEvent}
 * on topic {@value org.qmon.api.event.MonitorEvent#TOPIC}; the QMP frontend stamps it, throttles it where
 * QEMU does, and broadcasts it to every negotiated session.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.qmon.api.event;

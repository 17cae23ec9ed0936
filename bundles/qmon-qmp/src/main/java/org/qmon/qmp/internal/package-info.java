/**
 * The QMP frontend, a protocol on the qmon transport: {@link org.qmon.qmp.internal.QmpListener} (one per
 * Configuration Admin factory configuration) asks the transport to listen with
 * {@link org.qmon.qmp.internal.QmpRuntime}, which opens a {@link org.qmon.qmp.internal.QmpSession} per
 * client; a session frames input with the QEMU-compatible
 * {@link org.qmon.qmp.internal.json.JsonStreamer}, has each message checked by
 * {@link org.qmon.qmp.internal.RequestChecker}, negotiates (its own {@code qmp_capabilities}), and hands
 * commands to a {@link org.qmon.api.runtime.DispatchSession}; {@link org.qmon.qmp.internal.QmpOutput}
 * writes replies and events. Private to the bundle.
 */
package org.qmon.qmp.internal;

/**
 * The QMP frontend: {@link QmpListener} (one per Configuration Admin factory configuration) accepts
 * connections on an {@link IoLoop}; each {@link QmpConnection} frames input with the QEMU-compatible
 * {@link org.qmon.qmp.internal.json.JsonStreamer}, negotiates, validates the request envelope and hands
 * commands to a {@link org.qmon.api.runtime.DispatchSession}; {@link QmpRuntime} broadcasts events.
 * Private to the bundle.
 */
package org.qmon.qmp.internal;

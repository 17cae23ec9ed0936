/**
 * The transport SPI: the one socket layer every qmon frontend plugs its protocol into.
 *
 * <p>A frontend (QMP, HMP) owns its listener configurations (a factory PID of its own, described by
 * {@link org.qmon.transport.ListenerConfig}) and, for each, asks the {@link org.qmon.transport.Transport}
 * service to {@linkplain org.qmon.transport.Transport#listen listen} with its
 * {@link org.qmon.transport.Protocol}. The transport accepts clients (unix sockets owner-only, TCP on
 * loopback unless configured otherwise), reads with backpressure, batches output, enforces the output
 * and connection limits, handles half-close (every request received before end-of-input is answered
 * before the connection closes), advertises each listener as a
 * {@link org.qmon.api.runtime.MonitorEndpoint} service, and closes everything when the listener goes.
 * The protocol supplies only what is its own: the greeting, the framing, and what to do with a message,
 * per {@link org.qmon.transport.ConnectionHandler connection}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.qmon.transport;

/**
 * An asynchronous client for the QEMU Machine Protocol (QMP), usable against qmon and against QEMU.
 *
 * <p>{@link org.qmon.client.QmpClient} connects to a {@code unix:PATH} or {@code tcp:HOST:PORT}
 * endpoint, reads the greeting, negotiates capabilities (enabling {@code oob} when offered) and then
 * pipelines commands: every request carries a generated {@code id} and replies are matched by id.
 * Command errors surface as {@link org.qmon.client.QmpException} (the QMP {@code class} and
 * {@code desc}); events are delivered to bounded {@link org.qmon.client.EventSubscription}s.
 *
 * <p>The package depends on Jackson only; it works in an OSGi framework and as a plain jar.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.qmon.client;

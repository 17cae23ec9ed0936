/**
 * An asynchronous client for the QEMU Machine Protocol (QMP), usable against qmon and against QEMU.
 *
 * <p>{@link org.qmon.client.QmpClient} connects to a {@code unix:PATH} or {@code tcp:HOST:PORT}
 * endpoint (or, in accept mode, listens there and lets the server connect), reads the greeting,
 * negotiates capabilities (enabling {@code oob} when offered) and then pipelines commands: every
 * request carries a generated {@code id} and replies are matched by id. Calls are asynchronous
 * ({@code execute}, futures) or blocking ({@code call}); results are raw JSON or converted with
 * Jackson. Every failure is a {@link org.qmon.client.QmpClientException}: command errors are
 * {@link org.qmon.client.QmpException} (the QMP {@code class} and {@code desc}). Events are
 * delivered to bounded {@link org.qmon.client.EventSubscription}s.
 *
 * <p>The package depends on Jackson only; it works in an OSGi framework and as a plain jar.
 *
 * <p>Version 2.0.0: {@code connect(String, QmpClientOptions)} blocks like {@code connect(String)}
 * (the futures come from {@code connectAsync}); {@code open} is gone; socket failures while
 * connecting are {@link org.qmon.client.QmpConnectException}s instead of {@code IOException}s;
 * {@link org.qmon.client.QmpEvent} is a class with typed data accessors instead of a record.
 * 2.1.0: {@link org.qmon.client.QmpJob}, a handle on a server job (status, progress, verbs, its end).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.qmon.client;

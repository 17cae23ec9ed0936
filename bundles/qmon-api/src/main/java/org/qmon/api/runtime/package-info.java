/**
 * The dispatcher as frontends see it: sessions that queue requests in order, the registry of commands
 * and its state, and the data frontends share ({@link org.qmon.api.runtime.VersionInfo},
 * {@link org.qmon.api.runtime.MonitorEndpoint}). Implemented by the qmon dispatcher and transport
 * bundles; used by the QMP frontend, the HMP frontend and in-process callers.
 *
 * <p>2.0: arguments in neutral form (no Jackson types in signatures), session-local commands, every
 * declared trait in {@link org.qmon.api.runtime.CommandDescriptor}, handler states, and
 * {@code VersionInfo} as data only. 2.1: per-call deadlines
 * ({@link org.qmon.api.runtime.DispatchSession#submit(String, java.util.Map, boolean, long,
 * java.util.function.Consumer)}) and a command's declared deadline in
 * {@link org.qmon.api.runtime.CommandDescriptor#timeoutMillis()}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.qmon.api.runtime;

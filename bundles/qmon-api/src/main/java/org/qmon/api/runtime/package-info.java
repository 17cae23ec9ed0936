/**
 * The dispatcher as frontends see it: sessions that queue requests in order, the registry of commands
 * and its state, and the data frontends share ({@link org.qmon.api.runtime.VersionInfo},
 * {@link org.qmon.api.runtime.MonitorEndpoint}). Implemented by the qmon dispatcher and transport
 * bundles; used by the QMP frontend, the HMP frontend and in-process callers.
 *
 * <p>2.0: arguments in neutral form (no Jackson types in signatures), session-local commands, every
 * declared trait in {@link org.qmon.api.runtime.CommandDescriptor}, handler states, and
 * {@code VersionInfo} as data only.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.qmon.api.runtime;

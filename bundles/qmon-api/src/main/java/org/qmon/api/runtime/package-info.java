/**
 * The dispatcher as frontends see it: sessions that queue requests in order, and the registry of
 * commands. Implemented by the qmon dispatcher bundle; used by the QMP frontend, the HMP frontend and
 * in-process callers.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.qmon.api.runtime;

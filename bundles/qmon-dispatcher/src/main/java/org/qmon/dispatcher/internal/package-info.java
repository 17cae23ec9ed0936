/**
 * The dispatcher's implementation: {@code CommandTracker}-style binding in {@link DispatcherImpl},
 * immutable {@link CommandInfo} snapshots, the copy-on-write {@link CommandRegistry}, the strict
 * {@link TypeModel}, per-session ordering in {@link SessionImpl} and the exactly-once
 * {@link Invocation}. Private to the bundle.
 */
@org.osgi.annotation.bundle.Capability(namespace = "osgi.implementation",
        name = org.qmon.api.annotations.RequireDispatcher.NAME,
        version = org.qmon.api.annotations.RequireDispatcher.VERSION)
package org.qmon.dispatcher.internal;

package org.qmon.api.hmp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An HMP command definition, registered as an OSGi service by the bundle that owns the QMP command it
 * calls (whiteboard): the HMP frontend picks it up at once and drops it when the service goes, so a
 * hot-installed command bundle brings its human form along and takes it away again.
 *
 * <p>A name clash (two services defining the same word, or the same {@code info} sub-command) is
 * resolved by {@code service.ranking}, then by the lower service id; the loser takes over when the
 * winner leaves. The frontend calls {@link #definition()} once, when the service arrives.
 */
@ConsumerType
@FunctionalInterface
public interface HmpCommand {

    /**
     * The definition: command word, parameters, help, the QMP command it calls and its formatter.
     *
     * @return the definition, never {@code null}
     */
    HmpDefinition definition();
}

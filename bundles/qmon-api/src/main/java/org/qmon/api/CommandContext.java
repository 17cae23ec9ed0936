package org.qmon.api;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Who asked for a command, handed to every handler invocation.
 */
@ProviderType
public interface CommandContext {

    /** The frontend kind of a QMP socket session. */
    String FRONTEND_QMP = "qmp";
    /** The frontend kind of a human monitor (HMP) session. */
    String FRONTEND_HMP = "hmp";
    /** The frontend kind of an in-process caller (e.g. the Gogo shell or a test). */
    String FRONTEND_LOCAL = "local";

    /**
     * The session's id, unique for the lifetime of the dispatcher.
     *
     * @return a positive number
     */
    long sessionId();

    /**
     * The frontend the session belongs to, e.g. {@link #FRONTEND_QMP}.
     *
     * @return the frontend kind
     */
    String frontend();

    /**
     * The capabilities the client negotiated (for QMP: those enabled with {@code qmp_capabilities},
     * e.g. {@code "oob"}).
     *
     * @return an immutable set, possibly empty
     */
    Set<String> capabilities();

    /**
     * Whether this invocation was requested out of band ({@code exec-oob}).
     *
     * @return {@code true} for an out-of-band invocation
     */
    boolean outOfBand();

    /**
     * Whether this invocation has been cancelled (the client went away, the command's bundle left, or
     * the command timed out). Synchronous handlers that loop may check it to stop early.
     *
     * @return {@code true} once cancelled
     */
    boolean isCancelled();
}

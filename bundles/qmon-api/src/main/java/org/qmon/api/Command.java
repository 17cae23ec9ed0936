package org.qmon.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A synchronous monitor command, registered as an OSGi service and named with
 * {@link org.qmon.api.annotations.QmpCommand}.
 *
 * <p>The dispatcher calls {@link #execute} on one of its worker threads, so a handler may block; while
 * it runs, the next in-band command of the same session waits (QEMU's ordering), and every other
 * session goes on. A handler declared {@link org.qmon.api.annotations.QmpCommand#nonBlocking()
 * nonBlocking} (or {@code allowOob}) may instead run on the frontend's I/O thread that read the
 * request, and must then return within microseconds and never block.
 *
 * @param <A> the argument record; {@link NoArguments} for a command without arguments
 * @param <R> the result record (serialised to the QMP {@code return} member); {@link Void} for a command
 *            that answers {@code {"return": {}}}
 */
@ConsumerType
@FunctionalInterface
public interface Command<A, R> {

    /**
     * Runs the command.
     *
     * @param arguments the bound, validated arguments, never {@code null}
     * @param context who asked, and the session's cancellation state
     * @return the result; {@code null} is answered as {@code {"return": {}}}
     * @throws CommandException to answer with a QMP error of the exception's class and message; any
     *         other exception is answered as a {@code GenericError} with its message and logged
     */
    R execute(A arguments, CommandContext context) throws CommandException;
}

package org.qmon.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A monitor command that completes later, through a {@link Completion}: the completion-callback
 * handler QEMU tried to add for fifteen years.
 *
 * <p>{@link #execute} must return promptly. The work goes on elsewhere (a device's worker thread, an
 * I/O callback, a timer) and ends with exactly one {@link Completion#complete} or {@link Completion#fail}.
 * No thread is held while the work is pending; the session's next in-band command starts when this
 * one has completed; other sessions are never delayed. When the client goes away, the completion is
 * cancelled ({@link Completion#isCancelled()}, {@link Completion#onCancel}) and its result dropped.
 *
 * @param <A> the argument record; {@link NoArguments} for a command without arguments
 * @param <R> the result record; {@link Void} for a command that answers {@code {"return": {}}}
 */
@ConsumerType
@FunctionalInterface
public interface AsyncCommand<A, R> {

    /**
     * Starts the command. Throwing from here (a {@link CommandException} or any runtime exception)
     * fails the completion with that error, as if {@link Completion#fail} had been called.
     *
     * @param arguments the bound, validated arguments, never {@code null}
     * @param completion the one object through which the result is delivered, from any thread
     * @param context who asked, and the session's cancellation state
     * @throws CommandException to fail at once
     */
    void execute(A arguments, Completion<R> completion, CommandContext context) throws CommandException;
}

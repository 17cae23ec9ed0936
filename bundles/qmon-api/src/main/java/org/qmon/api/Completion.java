package org.qmon.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The single object through which an {@link AsyncCommand} delivers its outcome, from any thread.
 *
 * <p>Exactly one of {@link #complete} and {@link #fail} takes effect; later calls are ignored (and
 * logged by the platform). After cancellation both are accepted and ignored.
 *
 * @param <R> the result type
 */
@ProviderType
public interface Completion<R> {

    /**
     * Delivers the result.
     *
     * @param result the result; {@code null} is answered as {@code {"return": {}}}
     * @return {@code true} if this call completed the command, {@code false} if it was already
     *         completed, failed or cancelled
     */
    boolean complete(R result);

    /**
     * Delivers an error. A {@link CommandException} keeps its class and text; any other throwable is
     * answered as {@code GenericError} with its message.
     *
     * @param error the error
     * @return {@code true} if this call completed the command
     */
    boolean fail(Throwable error);

    /**
     * Tells whether the command was cancelled: its client disconnected, its command bundle went away,
     * or the platform's command timeout elapsed. A handler may check it to stop early.
     *
     * @return {@code true} once cancelled
     */
    boolean isCancelled();

    /**
     * Registers an action to run once when the command is cancelled. If it already is, the action runs
     * at once on the calling thread. Actions never run after a normal completion.
     *
     * @param action what to do, e.g. abort an I/O operation; must not block
     */
    void onCancel(Runnable action);
}

package org.qmon.api.runtime;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One client's view of the dispatcher, opened by a frontend for each connection (or shell) it serves.
 *
 * <p>In-band requests ({@link #submit} with {@code outOfBand == false}, and {@link #submitReply}) form
 * one queue: each starts when the one before it has completed, whether its handler returned or
 * completed later through its {@link org.qmon.api.Completion}, and the reply handlers are called in
 * that order. Out-of-band requests start at once, on the caller's thread, and may answer before queued
 * in-band ones. Reply handlers may be called on any thread and must not block.
 *
 * <p>Where a handler runs: an in-band request whose command is declared non-blocking, submitted while
 * the session is idle, runs on the submitting thread (a frontend's I/O thread); every other in-band
 * request runs on one of the dispatcher's worker threads; out-of-band requests run on the submitting
 * thread.
 *
 * <p>Thread-safe. {@link #close} cancels every pending request: the running one sees
 * {@link org.qmon.api.Completion#isCancelled()} and its cancel actions run, queued ones never start,
 * and their replies are dropped. A reply that was already being delivered when {@code close} was
 * called may still reach its handler, which must therefore tolerate a closed transport.
 */
@ProviderType
public interface DispatchSession extends AutoCloseable {

    /**
     * The session id, as handlers see it in {@link org.qmon.api.CommandContext#sessionId()}.
     *
     * @return the id
     */
    long id();

    /**
     * Replaces the session's capabilities (e.g. after QMP negotiation). Requests submitted afterwards
     * see the new set in their {@link org.qmon.api.CommandContext}.
     *
     * @param capabilities the new set
     */
    void capabilities(Set<String> capabilities);

    /**
     * Looks a command up as this session sees it: its session-local commands first, then the registry.
     *
     * @param name the command name
     * @return the command this session would run for the name, if any
     */
    Optional<CommandDescriptor> command(String name);

    /**
     * Submits a command.
     *
     * <p>The arguments are a JSON object in neutral form: a map whose values are {@code null},
     * {@link String}, {@link Boolean}, {@link Number} ({@link Integer}, {@link Long} or
     * {@link java.math.BigInteger} for integers, {@link Double} for other numbers), {@link java.util.List}
     * or {@link Map} of the same. They are bound to the handler's argument record strictly, with QEMU's
     * error texts, before the handler runs. The map must not be changed after the call.
     *
     * @param command the command name
     * @param arguments the arguments object, or {@code null} for none
     * @param outOfBand {@code true} to run at once (the command must allow it)
     * @param onReply receives exactly one reply, unless the session is closed first
     */
    void submit(String command, Map<String, ?> arguments, boolean outOfBand, Consumer<Reply> onReply);

    /**
     * Submits a command with the caller's own deadline (a client's per-call deadline): when the
     * command has not completed {@code deadlineMillis} after it started, it is cancelled (the handler
     * sees {@link org.qmon.api.Completion#isCancelled()} and its cancel actions run) and answered with a
     * {@code GenericError}, {@code Command <name> timed out after <n> s}. The command's declared
     * timeout and the dispatcher's limit still apply: the shortest of the three wins. Time spent queued
     * behind the session's earlier requests does not count.
     *
     * @param command the command name
     * @param arguments the arguments object, or {@code null} for none
     * @param outOfBand {@code true} to run at once (the command must allow it)
     * @param deadlineMillis the deadline in milliseconds; 0 or less for none (as {@link #submit(String,
     *        Map, boolean, Consumer)})
     * @param onReply receives exactly one reply, unless the session is closed first
     * @since 2.1
     */
    void submit(String command, Map<String, ?> arguments, boolean outOfBand, long deadlineMillis,
            Consumer<Reply> onReply);

    /**
     * Queues a reply the frontend already knows (a malformed request, an error found by the frontend)
     * in the in-band queue, so that it is delivered in its turn.
     *
     * @param reply the reply
     * @param onReply receives it in its turn
     */
    void submitReply(Reply reply, Consumer<Reply> onReply);

    /**
     * Closes the session and cancels what is pending. Idempotent.
     */
    @Override
    void close();
}

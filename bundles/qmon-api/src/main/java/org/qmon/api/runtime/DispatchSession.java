package org.qmon.api.runtime;

import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One client's view of the dispatcher.
 *
 * <p>In-band requests ({@link #submit} with {@code outOfBand == false}, and {@link #submitReply}) form
 * one queue: each starts when the one before it has completed, whether its handler returned or
 * completed later through its {@link org.qmon.api.Completion}, and the reply handlers are called in
 * that order. Out-of-band requests run at once, on the caller's thread, and may answer before queued
 * in-band ones. Reply handlers may be called on any thread and must not block.
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
     * Replaces the session's capabilities (e.g. after QMP negotiation).
     *
     * @param capabilities the new set
     */
    void capabilities(Set<String> capabilities);

    /**
     * Submits a command.
     *
     * @param command the command name
     * @param arguments the arguments object, or {@code null} for none
     * @param outOfBand {@code true} to run at once (the command must allow it)
     * @param onReply receives exactly one reply, unless the session is closed first
     */
    void submit(String command, ObjectNode arguments, boolean outOfBand, Consumer<Reply> onReply);

    /**
     * Queues a reply the frontend already knows (a malformed request, a negotiation answer) in the
     * in-band queue, so that it is delivered in its turn.
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

package org.qmon.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One client connection, as the transport offers it to a protocol handler. Thread-safe unless a
 * method says otherwise.
 */
@ProviderType
public interface Connection {

    /**
     * A number that identifies the connection in logs, unique per transport.
     *
     * @return the id
     */
    long id();

    /**
     * The address of the listener the client connected to.
     *
     * @return {@code unix:PATH} or {@code tcp:HOST:PORT}
     */
    String listenerAddress();

    /**
     * Sends one complete message. Never blocks: what the socket does not take now is queued, up to the
     * listener's output limit; a client whose unread output exceeds it is disconnected. Messages from
     * different threads never interleave; messages from one thread leave in the order sent. Ignored
     * once the connection is closed.
     *
     * @param message the bytes, not changed by the caller afterwards
     */
    void send(byte[] message);

    /**
     * Sends one complete message held in a region of an array the caller goes on using (a per-thread
     * output buffer): the connection copies what it keeps before it returns, as {@link #send(byte[])}
     * otherwise does. The default copies the region and calls {@link #send(byte[])}.
     *
     * @param bytes the array
     * @param offset where the message starts
     * @param length its length
     * @since 1.1
     */
    default void send(byte[] bytes, int offset, int length) {
        send(java.util.Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /**
     * Stops reading: no more input is offered until {@link #resumeInput()}. The socket's own buffers
     * then fill and the client is pushed back. Only from {@link ConnectionHandler#received}.
     */
    void suspendInput();

    /**
     * Resumes reading after {@link #suspendInput()}: input left unconsumed is offered first (on the I/O
     * thread, soon, when called from another thread). No effect when reading is not suspended.
     */
    void resumeInput();

    /**
     * Whether reading is suspended now: by the handler, or by the connection itself while more of the
     * client's output waits than it lets pile up (input then goes on by itself once the client has read
     * enough; {@link #resumeInput()} does not end that).
     *
     * @return {@code true} between {@link #suspendInput()} and {@link #resumeInput()}, and while the
     *         client's output backs up
     */
    boolean inputSuspended();

    /**
     * Closes the connection once every message sent so far has been written, and reads nothing more.
     */
    void closeWhenFlushed();

    /**
     * Closes the connection now; unwritten output is dropped.
     */
    void close();
}

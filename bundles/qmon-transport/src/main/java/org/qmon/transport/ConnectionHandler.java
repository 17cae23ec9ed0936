package org.qmon.transport;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One connection's protocol state: framing and what to do with a message. Every method is called on
 * the connection's I/O thread, one at a time.
 */
@ConsumerType
public interface ConnectionHandler {

    /**
     * Input arrived. The handler frames and handles what it can. Unless it calls
     * {@link Connection#suspendInput()}, it must consume every byte offered (keeping a partial message
     * in its own state); bytes it leaves after suspending are offered again, before any new input, when
     * it calls {@link Connection#resumeInput()}. The connection also holds input while the client's
     * output backs up: the handler checks {@link Connection#inputSuspended()} before each message and
     * returns when it is true, leaving the rest, which is offered again, first, once the client has
     * read enough. Everything it sends meanwhile, from any thread, leaves
     * in one write when this method returns.
     *
     * <p>Work that may block must not be done here: it delays every connection served by the same I/O
     * thread.
     *
     * <p>The buffer is lent for the duration of the call only (the I/O thread reads every connection's
     * input into one buffer): the handler must not keep a reference to it.
     *
     * @param input the bytes read, from its position to its limit
     */
    void received(ByteBuffer input);

    /**
     * The client shut down its sending side (end of input) and every byte it sent has been offered. No
     * more input will come. The handler answers what it has received and then calls
     * {@link Connection#closeWhenFlushed()}; a client that closed entirely is found when a write to it
     * fails, and the connection is then closed at once.
     */
    void inputEnded();

    /**
     * Whether the handler has requests it has not answered yet. When its listener closes, the
     * transport waits (bounded, about two seconds) for busy handlers and unwritten output, so that a
     * reply already on its way (e.g. to {@code quit}, which stops the platform) still leaves. Called
     * from any thread.
     *
     * @return {@code true} while replies are due
     */
    default boolean busy() {
        return false;
    }

    /**
     * The connection is closed: the client went away (a write failed, the socket was reset), a limit
     * was exceeded, the handler or the listener closed it. The handler cancels what is pending for it.
     * Called once.
     */
    void closed();
}

package org.qmon.client;

/**
 * The client could not establish the socket connection: connecting failed (no such socket file,
 * connection refused, unknown host) or, in accept mode, binding or accepting failed. The cause is
 * the {@link java.io.IOException} the socket reported.
 *
 * <p>Failures after the socket is connected are reported differently: a server that hangs up
 * during the greeting or negotiation as {@link QmpConnectionClosedException}, a bad greeting as
 * {@link QmpProtocolException}, a refused negotiation as {@link QmpException}, and running out of
 * time as {@link QmpTimeoutException}.
 */
public class QmpConnectException extends QmpClientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and the socket's failure.
     *
     * @param message what could not be done
     * @param cause the socket's failure, may be {@code null}
     */
    public QmpConnectException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    QmpClientException copyForCaller() {
        return new QmpConnectException(getMessage(), getCause());
    }
}

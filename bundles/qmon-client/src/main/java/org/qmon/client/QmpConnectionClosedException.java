package org.qmon.client;

/**
 * The connection ended before a reply arrived, or a call was made on a closed client. It is also
 * {@link QmpClient#closeCause()} when the server hung up (end of stream, connection reset, broken
 * pipe) or the socket failed: then its cause is the {@link java.io.IOException}, if there was one.
 *
 * <p>For a call that failed because the connection ended, the cause says why the connection ended
 * (the server closed it, an I/O error, a protocol violation); it is {@code null} when the client was
 * closed locally with {@link QmpClient#close()}.
 */
public class QmpConnectionClosedException extends QmpClientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what was lost
     */
    public QmpConnectionClosedException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the reason the connection ended.
     *
     * @param message what was lost
     * @param cause why the connection ended, may be {@code null}
     */
    public QmpConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    QmpClientException copyForCaller() {
        return new QmpConnectionClosedException(getMessage(), getCause());
    }
}

package org.qmon.client;

/**
 * The connection ended before a reply arrived, or a call was made on a closed client. The cause,
 * when present, says why the connection ended (server closed it, I/O error, protocol violation);
 * it is {@code null} when the client was closed locally with {@link QmpClient#close()}.
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
}

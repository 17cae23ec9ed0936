package org.qmon.client;

/**
 * The common base of every exception the QMP client reports: error replies from the server
 * ({@link QmpException}), timeouts ({@link QmpTimeoutException}), a connection that ended
 * ({@link QmpConnectionClosedException}) and protocol violations by the server
 * ({@link QmpProtocolException}).
 *
 * <p>Unchecked, because the client reports failures through {@link java.util.concurrent.CompletableFuture}s.
 */
public class QmpClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong
     */
    public QmpClientException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong
     * @param cause the underlying failure, may be {@code null}
     */
    public QmpClientException(String message, Throwable cause) {
        super(message, cause);
    }
}

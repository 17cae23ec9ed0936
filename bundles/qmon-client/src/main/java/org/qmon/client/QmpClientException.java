package org.qmon.client;

/**
 * The common base of every exception the QMP client reports, so that one {@code catch} covers them
 * all: error replies from the server ({@link QmpException}), timeouts ({@link QmpTimeoutException}),
 * a connection that could not be made ({@link QmpConnectException}) or that ended
 * ({@link QmpConnectionClosedException}), and protocol violations by the server
 * ({@link QmpProtocolException}). A result that cannot be converted to the requested type is
 * reported as a plain {@code QmpClientException} whose cause is Jackson's exception.
 *
 * <p>Unchecked, because the client reports failures through {@link java.util.concurrent.CompletableFuture}s
 * as well as from its blocking methods ({@link QmpClient#call(String)}, {@link QmpClient#connect(String)}).
 * The blocking methods throw these exceptions directly, never wrapped in an
 * {@link java.util.concurrent.ExecutionException}; a failed future's
 * {@link java.util.concurrent.ExecutionException#getCause()} is one of them.
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

    /**
     * A copy of this exception (same class, message, cause and details) whose stack trace is the
     * calling thread's. The blocking methods throw copies: the original was created on a client
     * thread, and its stack trace would show the client's internals instead of the caller's code.
     */
    QmpClientException copyForCaller() {
        return new QmpClientException(getMessage(), getCause());
    }
}

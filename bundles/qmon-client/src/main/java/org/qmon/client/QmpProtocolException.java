package org.qmon.client;

/**
 * The server broke the QMP wire contract: malformed JSON, a missing or malformed greeting, or a
 * message larger than {@link QmpClientOptions#maxReplySize()}. The client closes the connection
 * when it sees one; pending calls then fail with a {@link QmpConnectionClosedException} whose
 * cause is this exception.
 */
public class QmpProtocolException extends QmpClientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what the server did wrong
     */
    public QmpProtocolException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what the server did wrong
     * @param cause the underlying failure, e.g. a Jackson parse error
     */
    public QmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    QmpClientException copyForCaller() {
        return new QmpProtocolException(getMessage(), getCause());
    }
}

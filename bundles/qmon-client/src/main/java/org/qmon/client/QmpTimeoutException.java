package org.qmon.client;

/**
 * A call or a connection attempt took longer than its timeout. For a call, a reply that arrives
 * later is ignored; the connection stays open.
 */
public class QmpTimeoutException extends QmpClientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a timeout exception.
     *
     * @param message what timed out, and after how long
     */
    public QmpTimeoutException(String message) {
        super(message);
    }

    @Override
    QmpClientException copyForCaller() {
        return new QmpTimeoutException(getMessage());
    }
}

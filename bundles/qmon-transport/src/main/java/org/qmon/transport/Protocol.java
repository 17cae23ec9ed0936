package org.qmon.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a frontend gives the transport: a handler for each connection.
 */
@ConsumerType
@FunctionalInterface
public interface Protocol {

    /**
     * A client connected. Called on the connection's I/O thread before any input is offered; the
     * handler may send its greeting at once ({@link Connection#send}).
     *
     * @param connection the new connection
     * @return the handler of this connection's input and lifecycle
     */
    ConnectionHandler open(Connection connection);
}

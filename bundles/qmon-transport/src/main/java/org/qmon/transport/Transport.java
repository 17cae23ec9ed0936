package org.qmon.transport;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The transport service: opens listening sockets for frontends.
 */
@ProviderType
public interface Transport {

    /**
     * Binds a listening socket and serves every client that connects to it with the protocol. The
     * listener is advertised as a {@link org.qmon.api.runtime.MonitorEndpoint} service (with the
     * protocol name and the bound address) for as long as it accepts connections.
     *
     * @param protocolName the protocol's name, e.g. {@code "qmp"}, for the endpoint service and logs
     * @param config where to listen and the limits
     * @param protocol creates the handler of each connection
     * @return the open listener; close it to stop listening and close its connections
     * @throws IOException when the socket cannot be bound (address in use, directory missing, a file
     *         that is not a socket in the way), with the address in the message
     */
    Listener listen(String protocolName, ListenerConfig config, Protocol protocol) throws IOException;
}

package org.qmon.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A listening monitor socket, registered as a service by a frontend for as long as it accepts
 * connections, with the service properties {@link #PROTOCOL} and {@link #ADDRESS}. Tests and tools
 * find the actual address here (e.g. the port of a TCP listener configured with port 0).
 */
@ProviderType
public interface MonitorEndpoint {

    /** Service property: the protocol, e.g. {@code "qmp"} ({@code String}). */
    String PROTOCOL = "qmon.endpoint.protocol";

    /** Service property: the bound address in QEMU's syntax, {@code unix:PATH} or {@code tcp:HOST:PORT}. */
    String ADDRESS = "qmon.endpoint.address";

    /**
     * The protocol spoken on this endpoint.
     *
     * @return e.g. {@code "qmp"}
     */
    String protocol();

    /**
     * The bound address.
     *
     * @return {@code unix:PATH} or {@code tcp:HOST:PORT}
     */
    String address();

    /**
     * The number of clients connected now.
     *
     * @return the count
     */
    int connections();
}

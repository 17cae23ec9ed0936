package org.qmon.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A listening socket opened by {@link Transport#listen}.
 */
@ProviderType
public interface Listener extends AutoCloseable {

    /**
     * The bound address, in QEMU's syntax.
     *
     * @return {@code unix:PATH} or {@code tcp:HOST:PORT} (the actual port when 0 was configured)
     */
    String address();

    /**
     * The number of clients connected now.
     *
     * @return the count
     */
    int connections();

    /**
     * Stops accepting, lets output already on its way leave (bounded, about two seconds), closes every
     * connection (their handlers see {@link ConnectionHandler#closed()}) and removes a unix socket file.
     * Idempotent.
     */
    @Override
    void close();
}

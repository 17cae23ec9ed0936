package org.qmon.transport.internal;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.qmon.transport.Listener;
import org.qmon.transport.ListenerConfig;
import org.qmon.transport.Protocol;
import org.qmon.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport service. It owns nothing but its open listeners, and closes them when it goes.
 *
 * <p>A listener that cannot be bound is reported, besides the exception its frontend gets, to every
 * {@code java.util.function.Consumer<String>} service registered with the property
 * {@value #FAILURE_LISTENER}{@code =true}: that is how the distribution's launcher, which runs outside
 * the framework and shares no class with it but the JDK's, fails fast with the reason instead of
 * waiting for a listener that never comes.
 */
@Component(service = Transport.class)
public final class TransportImpl implements Transport {

    /** Service property marking a {@code Consumer<String>} that wants to hear about listeners that failed. */
    public static final String FAILURE_LISTENER = "qmon.transport.failures";

    private static final Logger LOG = LoggerFactory.getLogger(TransportImpl.class);

    private final BundleContext context;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    /**
     * Creates the transport.
     *
     * @param context the bundle context to advertise endpoints with; {@code null} outside a framework
     */
    @Activate
    public TransportImpl(BundleContext context) {
        this.context = context;
    }

    @Override
    public Listener listen(String protocolName, ListenerConfig config, Protocol protocol) throws IOException {
        SocketListener[] self = new SocketListener[1];
        try {
            self[0] = new SocketListener(protocolName, config, protocol, context, () -> listeners.remove(self[0]));
        } catch (IOException e) {
            LOG.error("{}: {}", protocolName.toUpperCase(java.util.Locale.ROOT), e.getMessage());
            reportFailure(protocolName, e.getMessage());
            throw e;
        }
        listeners.add(self[0]);
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private void reportFailure(String protocolName, String message) {
        if (context == null) {
            return;
        }
        try {
            ServiceReference<?>[] refs = context.getServiceReferences(Consumer.class.getName(),
                    "(" + FAILURE_LISTENER + "=true)");
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                Object s = context.getService(ref);
                try {
                    if (s instanceof Consumer<?> c) {
                        ((Consumer<String>) c).accept(protocolName + ": " + message);
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            LOG.debug("Cannot report a listener failure: {}", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        for (Listener l : listeners) {
            l.close();
        }
    }
}

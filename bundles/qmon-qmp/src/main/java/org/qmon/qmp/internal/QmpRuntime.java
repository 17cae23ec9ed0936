package org.qmon.qmp.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.qmon.api.event.EventType;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.VersionInfo;
import org.qmon.qmp.internal.json.ByteSink;
import org.qmon.qmp.internal.json.RecordWriters;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.qmon.transport.Protocol;

/**
 * The QMP protocol as the transport sees it, and what all QMP sessions share: the dispatcher, the
 * output writer, the greeting (built once), the open sessions (for event broadcast) and the event
 * throttle.
 *
 * <p>Events arrive from EventAdmin on {@value MonitorEvent#TOPIC}. Each is serialised once and
 * written to every session that has completed negotiation; sessions still negotiating never get
 * events (QEMU drops them for such monitors rather than queueing them).
 */
@Component(service = {QmpRuntime.class, EventHandler.class},
        property = EventConstants.EVENT_TOPIC + "=" + MonitorEvent.TOPIC)
public final class QmpRuntime implements Protocol, EventHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QmpRuntime.class);

    private final Dispatcher dispatcher;
    private final QmpOutput output = new QmpOutput();
    /** Open sessions; added on the I/O threads when a client connects, removed when it closes. */
    private final Set<QmpSession> sessions = ConcurrentHashMap.newKeySet();
    private final EventThrottle throttle;
    private final byte[] greeting;
    /** Names of the declared events ({@link EventType} services); updated by DS. */
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    /** Undeclared event names already warned about, so each is logged once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * Creates the runtime.
     *
     * @param dispatcher the dispatcher
     * @param version the platform's version, for the greeting
     */
    @Activate
    public QmpRuntime(@Reference Dispatcher dispatcher, @Reference VersionInfo version) {
        this.dispatcher = dispatcher;
        this.throttle = new EventThrottle(this::broadcast);
        this.greeting = greeting(output, version);
    }

    /** The greeting's shape: {@code {"QMP": {"version": ..., "capabilities": [...]}}}. */
    record Greeting(Offer QMP) {
    }

    /** The greeting's {@code QMP} member. */
    record Offer(VersionInfo version, List<String> capabilities) {
    }

    /**
     * The greeting line, built once. Written by {@link RecordWriters} (the bytes Jackson would write,
     * which {@code RecordWritersTest} holds it to), so that no mapper has to be built before the first
     * client is greeted; through the mapper only if a future VersionInfo were a shape it hands back.
     */
    static byte[] greeting(QmpOutput output, VersionInfo version) {
        Greeting g = new Greeting(new Offer(version, QmpCapabilitiesCommand.OFFERED));
        ByteSink out = new ByteSink();
        try {
            if (RecordWriters.write(g, out)) {
                out.write('\r');
                out.write('\n');
                return out.toByteArray();
            }
        } catch (Exception e) {
            // fall through to the mapper, which reports what it cannot write
        }
        return output.line(g);
    }

    @Deactivate
    void deactivate() {
        throttle.close();
    }

    @Reference(service = EventType.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindEventType(EventType type) {
        declared.add(type.name());
    }

    void unbindEventType(EventType type) {
        declared.remove(type.name());
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    QmpOutput output() {
        return output;
    }

    /** A client connected: a session of its own, greeted at once. I/O thread. */
    @Override
    public ConnectionHandler open(Connection connection) {
        QmpSession s = new QmpSession(this, connection);
        sessions.add(s);
        s.send(greeting);
        return s;
    }

    void closed(QmpSession s) {
        sessions.remove(s);
    }

    int sessionCount() {
        return sessions.size();
    }

    @Override
    public void handleEvent(Event event) {
        MonitorEvent.from(event).ifPresent(throttle::submit);
    }

    /**
     * Stamps, serialises once, and writes to every negotiated session. {@code SHUTDOWN} also ends every
     * session, as it ends QEMU: each answers the request it is running (e.g. the {@code quit} that
     * caused it), executes nothing after it, and closes.
     */
    private void broadcast(MonitorEvent e) {
        if (!declared.contains(e.name()) && warned.add(e.name())) {
            LOG.warn("Event {} is sent but not declared: register an EventType service for it, so that "
                    + "query-qmp-schema lists it", e.name());
        }
        byte[] bytes = output.event(e);
        boolean shutdown = SHUTDOWN.equals(e.name());
        for (QmpSession s : sessions) {
            if (bytes != null) {
                s.event(bytes);
            }
            if (shutdown) {
                s.shutdown();
            }
        }
    }

    /** QEMU's event for a machine that is going away; QEMU exits after it (without -no-shutdown). */
    static final String SHUTDOWN = "SHUTDOWN";
}

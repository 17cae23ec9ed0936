package org.qmon.qmp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.Reply;
import org.qmon.api.runtime.VersionInfo;
import org.qmon.qmp.internal.json.QmpJsonWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all QMP listeners share: the dispatcher, the JSON mapper, the greeting, the table of open
 * connections (for {@code qmp_capabilities} and event broadcast) and the event throttle.
 *
 * <p>Events arrive from EventAdmin on {@value MonitorEvent#TOPIC}. Each is serialised once and
 * written to every connection that has completed negotiation; connections still negotiating never
 * get events (QEMU drops them for such monitors rather than queueing them).
 */
@Component(service = {QmpRuntime.class, EventHandler.class},
        property = EventConstants.EVENT_TOPIC + "=" + MonitorEvent.TOPIC)
public final class QmpRuntime implements EventHandler {

    private static final Logger LOG = LoggerFactory.getLogger(QmpRuntime.class);

    private final Dispatcher dispatcher;
    private final ObjectMapper mapper;
    /** Open connections by dispatcher session id; updated by the I/O loops. */
    private final Map<Long, QmpConnection> connections = new ConcurrentHashMap<>();
    private final EventThrottle throttle;
    private final byte[] greeting;

    private org.osgi.framework.ServiceRegistration<?> capabilitiesRegistration;

    /**
     * Creates the runtime.
     *
     * @param dispatcher the dispatcher
     */
    public QmpRuntime(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.mapper = newMapper();
        this.throttle = new EventThrottle(this::broadcast);
        Map<String, Object> qmp = new java.util.LinkedHashMap<>();
        qmp.put("version", VersionInfo.current());
        qmp.put("capabilities", java.util.List.of("oob"));
        this.greeting = line(Map.of("QMP", qmp));
    }

    @Activate
    public QmpRuntime(@Reference Dispatcher dispatcher, org.osgi.framework.BundleContext context) {
        this(dispatcher);
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put(org.qmon.api.annotations.QmpCommand.NAME, "qmp_capabilities");
        props.put(org.qmon.api.annotations.QmpCommand.DESCRIPTION, "leave capabilities negotiation mode");
        props.put(org.qmon.api.annotations.QmpCommand.NON_BLOCKING, Boolean.TRUE);
        capabilitiesRegistration = context.registerService(org.qmon.api.Command.class.getName(),
                capabilitiesCommand(), props);
    }

    /** @return the {@code qmp_capabilities} handler bound to this runtime */
    QmpCapabilitiesCommand capabilitiesCommand() {
        return new QmpCapabilitiesCommand(this);
    }

    @Deactivate
    void deactivate() {
        if (capabilitiesRegistration != null) {
            capabilitiesRegistration.unregister();
        }
        throttle.close();
    }

    /** A mapper that writes results the way QMP wants them: absent optional members omitted. */
    static ObjectMapper newMapper() {
        ObjectMapper m = new ObjectMapper();
        m.setSerializationInclusion(JsonInclude.Include.NON_NULL);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return m;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    byte[] greeting() {
        return greeting;
    }

    void register(long sessionId, QmpConnection c) {
        connections.put(sessionId, c);
    }

    void unregister(long sessionId) {
        connections.remove(sessionId);
    }

    QmpConnection connection(long sessionId) {
        return connections.get(sessionId);
    }

    int connectionCount() {
        return connections.size();
    }

    @Override
    public void handleEvent(Event event) {
        MonitorEvent.from(event).ifPresent(throttle::submit);
    }

    /** Stamps, serialises once, and writes to every negotiated connection. */
    private void broadcast(MonitorEvent e) {
        Instant now = Instant.now();
        byte[] bytes;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try (JsonGenerator g = QmpJsonWriter.generator(out, mapper)) {
                g.writeStartObject();
                g.writeStringField("event", e.name());
                if (e.data() != null) {
                    g.writeFieldName("data");
                    mapper.writeValue(g, e.data());
                }
                g.writeObjectFieldStart("timestamp");
                g.writeNumberField("seconds", now.getEpochSecond());
                g.writeNumberField("microseconds", now.getNano() / 1000);
                g.writeEndObject();
                g.writeEndObject();
            }
            out.write('\r');
            out.write('\n');
            bytes = out.toByteArray();
        } catch (IOException | RuntimeException ex) {
            LOG.warn("Cannot serialise event {}", e.name(), ex);
            return;
        }
        for (QmpConnection c : connections.values()) {
            if (!c.negotiating()) {
                c.send(bytes);
            }
        }
    }

    /** Serialises any value as one QMP line. */
    byte[] line(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = QmpJsonWriter.generator(out, mapper)) {
            mapper.writeValue(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Serialises a reply: {@code {"return": ..., "id": ...}} or {@code {"error": {"class", "desc"},
     * "id": ...}}; {@code id} only when the request had one.
     *
     * @param reply the reply
     * @param id the request's id, or {@code null}
     * @return the bytes of one line, CRLF included
     */
    byte[] reply(Reply reply, JsonNode id) {
        ReusableOutput out = OUTPUT.get();
        out.reset();
        try (JsonGenerator g = QmpJsonWriter.generator(out, mapper)) {
            writeReply(g, reply, id);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot serialise a reply", e);
            out.reset();
            try (JsonGenerator g = QmpJsonWriter.generator(out, mapper)) {
                writeReply(g, Reply.error(org.qmon.api.ErrorClass.GenericError,
                        "Cannot serialise the result: " + e.getMessage()), id);
            } catch (IOException e2) {
                throw new IllegalStateException(e2);
            }
        }
        out.write('\r');
        out.write('\n');
        byte[] bytes = out.toByteArray();
        out.trim();
        return bytes;
    }

    /**
     * The serialisation buffer of the calling thread (I/O threads and dispatcher workers), reused from
     * reply to reply so that a reply costs one exact-size array, not a growing stream and its copies.
     */
    private static final ThreadLocal<ReusableOutput> OUTPUT = ThreadLocal.withInitial(ReusableOutput::new);

    /** A byte stream whose buffer is kept between uses, and dropped when one reply made it large. */
    private static final class ReusableOutput extends ByteArrayOutputStream {
        private static final int KEEP = 16 * 1024;

        ReusableOutput() {
            super(512);
        }

        /** Releases a buffer that one large reply grew, so a thread does not hold it for ever. */
        void trim() {
            if (buf.length > KEEP) {
                buf = new byte[512];
            }
            reset();
        }
    }

    private void writeReply(JsonGenerator g, Reply reply, JsonNode id) throws IOException {
        g.writeStartObject();
        if (reply.isError()) {
            g.writeObjectFieldStart("error");
            g.writeStringField("class", reply.errorClass().name());
            g.writeStringField("desc", reply.description());
            g.writeEndObject();
        } else {
            g.writeFieldName("return");
            Object v = reply.value();
            if (v == null) {
                g.writeStartObject();
                g.writeEndObject();
            } else {
                mapper.writeValue(g, v);
            }
        }
        if (id != null) {
            g.writeFieldName("id");
            g.writeTree(id);
        }
        g.writeEndObject();
    }
}

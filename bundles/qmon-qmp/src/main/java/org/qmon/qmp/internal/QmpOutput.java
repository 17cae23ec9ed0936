package org.qmon.qmp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.qmon.api.ErrorClass;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.runtime.Reply;
import org.qmon.qmp.internal.json.ByteSink;
import org.qmon.qmp.internal.json.QmpJsonWriter;
import org.qmon.qmp.internal.json.RecordWriters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what QMP sends into bytes, the way QEMU writes them: one JSON object per line, CRLF, ASCII
 * only, QEMU's spacing. Replies, events and the greeting. Thread-safe: any thread that completes a
 * command writes its reply here.
 */
final class QmpOutput {

    private static final Logger LOG = LoggerFactory.getLogger(QmpOutput.class);

    /** Twice the parser's depth limit: an echoed id and a result's own nesting both fit. */
    static final int MAX_WRITE_DEPTH = 2 * org.qmon.qmp.internal.json.JsonLimits.QEMU.maxDepth();

    /** Built by {@link #mapper()}; guarded by this for the write, volatile for the read. */
    private volatile ObjectMapper mapper;

    QmpOutput() {
    }

    /**
     * A mapper that writes results the way QMP wants them: a record component that is {@code null} is an
     * absent optional member and is omitted; a map entry whose value is {@code null} is written (it is a
     * JSON null the result means, e.g. {@code "default": null} in {@code query-qmp-schema}).
     */
    static ObjectMapper newMapper() {
        // A reply nests the request's id one level below its own object: the writer must take every
        // depth the parser accepts (JsonLimits.QEMU: 1024), or the reply could not be written at all.
        JsonFactory factory = JsonFactory.builder()
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_WRITE_DEPTH).build())
                .build();
        ObjectMapper m = new ObjectMapper(factory);
        m.setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return m;
    }

    /**
     * The mapper, built at its first use: most replies are records {@link RecordWriters} writes, and
     * building a mapper loads about 300 of Jackson's classes (about 0.1 s and 5 MiB), which the
     * listeners need not wait for and an idle monitor need not hold. The first result or event that
     * needs it (a map, a string, an event's data, any HMP command) pays the 0.1 s once.
     */
    ObjectMapper mapper() {
        ObjectMapper m = mapper;
        if (m == null) {
            synchronized (this) {
                m = mapper;
                if (m == null) {
                    mapper = m = newMapper();
                }
            }
        }
        return m;
    }

    /** Serialises any value as one QMP line. */
    byte[] line(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = QmpJsonWriter.generator(out, mapper())) {
            mapper().writeValue(g, value);
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
        ByteSink out = replyInSink(reply, id);
        byte[] bytes = out.toByteArray();
        out.trim();
        return bytes;
    }

    /**
     * Serialises a reply as {@link #reply} does, into the calling thread's buffer, without a copy: the
     * bytes are {@code sink.buf[0..len)}, valid until this thread's next reply (the caller hands them to
     * {@link org.qmon.transport.Connection#send(byte[], int, int)}, which copies what it keeps).
     *
     * @param reply the reply
     * @param id the request's id, or {@code null}
     * @return the thread's sink holding the line, CRLF included
     */
    ByteSink replyInSink(Reply reply, JsonNode id) {
        Slot slot = slots.get();
        ByteSink out = slot.out;
        out.reset();
        try {
            writeReply(slot, reply, id);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot serialise a reply", e);
            slot.discardGenerator(); // it may be left inside an unfinished value
            out.reset();
            try {
                writeReply(slot, Reply.error(ErrorClass.GenericError, "Cannot serialise the result: " + e.getMessage()), id);
            } catch (IOException e2) {
                throw new IllegalStateException(e2);
            }
        }
        out.write('\r');
        out.write('\n');
        return out;
    }

    /**
     * What one thread needs to write replies, kept from reply to reply: the output buffer and one
     * generator on it. A generator writes one root value after another with nothing in between (the QMP
     * pretty printer has no root separator), so it is reused rather than built (context, buffers, pool
     * look-ups) for every reply; it is replaced only after a value failed half way.
     */
    private final class Slot {
        final ByteSink out = new ByteSink();
        private JsonGenerator generator;

        JsonGenerator generator() {
            if (generator == null) {
                generator = QmpJsonWriter.generator(out, mapper());
            }
            return generator;
        }

        void discardGenerator() {
            generator = null;
        }
    }

    /** The writing state of the calling thread (I/O threads and dispatcher workers). */
    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    private static final byte[] RETURN = "{\"return\": ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = ", \"id\": ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR_CLASS = "{\"error\": {\"class\": \"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DESC = "\", \"desc\": ".getBytes(StandardCharsets.US_ASCII);

    /**
     * Writers per result class, with their serializer found once: a reply then costs no serializer
     * look-up. Attached to the class, so a bundle that leaves takes its entries with it.
     */
    private final ClassValue<ObjectWriter> writers = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return mapper().writerFor(type);
        }
    };

    /**
     * {@code {"return": VALUE, "id": ID}} or {@code {"error": {"class": C, "desc": D}, "id": ID}}, in
     * QEMU's spacing. The envelope is constant bytes. The value is written by {@link RecordWriters} when
     * it is a plain record (the usual result), else by Jackson (one generator per thread); the id, a
     * tree the parser built, by {@link QmpJsonWriter} (an integer id, the common case, is a few digits).
     */
    private void writeReply(Slot slot, Reply reply, JsonNode id) throws IOException {
        ByteSink out = slot.out;
        if (reply.isError()) {
            out.write(ERROR_CLASS);
            out.ascii(reply.errorClass().name()); // an enum constant: plain ASCII
            out.write(DESC);
            QmpJsonWriter.writeString(reply.description(), out);
            out.write('}');
        } else {
            out.write(RETURN);
            Object v = reply.value();
            if (v == null) {
                out.write(EMPTY_OBJECT);
            } else if (!writeRecord(v, out)) {
                // ObjectWriter flushes the generator after the value: it is all in 'out' now.
                writers.get(v.getClass()).writeValue(slot.generator(), v);
            }
        }
        if (id != null) {
            out.write(ID);
            if (id.isInt() || id.isLong()) {
                out.decimal(id.longValue());
            } else {
                QmpJsonWriter.writeValue(id, out);
            }
        }
        out.write('}');
    }

    /** Writes {@code v} through {@link RecordWriters}, or returns {@code false} with nothing written. */
    private static boolean writeRecord(Object v, ByteSink out) throws IOException {
        try {
            return RecordWriters.write(v, out);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Serialises an event stamped now, or returns {@code null} (logged) when its data cannot be written.
     *
     * @param e the event
     * @return the bytes of one line, CRLF included, or {@code null}
     */
    byte[] event(MonitorEvent e) {
        Instant now = Instant.now();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try (JsonGenerator g = QmpJsonWriter.generator(out, mapper())) {
                g.writeStartObject();
                g.writeStringField("event", e.name());
                if (e.data() != null) {
                    g.writeFieldName("data");
                    mapper().writeValue(g, e.data());
                }
                g.writeObjectFieldStart("timestamp");
                g.writeNumberField("seconds", now.getEpochSecond());
                g.writeNumberField("microseconds", now.getNano() / 1000);
                g.writeEndObject();
                g.writeEndObject();
            }
            out.write('\r');
            out.write('\n');
            return out.toByteArray();
        } catch (IOException | RuntimeException ex) {
            LOG.warn("Cannot serialise event {}", e.name(), ex);
            return null;
        }
    }
}

package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * Jackson separators matching QEMU's compact json-writer ({@code qobject/json-writer.c}):
 * {@code ": "} after a key, {@code ", "} between members and elements, nothing else. Stateless.
 */
final class QmpPrettyPrinter implements PrettyPrinter {

    static final QmpPrettyPrinter INSTANCE = new QmpPrettyPrinter();

    private QmpPrettyPrinter() {
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) {
        // QMP messages are separated by CRLF, which the caller appends after each value.
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
        g.writeRaw('}');
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(", ");
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(": ");
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
        g.writeRaw(']');
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(", ");
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) {
        // nothing before the first element
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) {
        // nothing before the first member
    }
}

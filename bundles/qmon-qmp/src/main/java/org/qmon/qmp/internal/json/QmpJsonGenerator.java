package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Wraps a Jackson generator so that its output equals {@link QmpJsonWriter}'s: strings and names
 * are sanitised as json-writer.c would print them (invalid code points become U+FFFD), names
 * given as {@link SerializableString} go through the escaping path, and floating-point numbers
 * are printed as {@code %.17g}.
 */
final class QmpJsonGenerator extends JsonGeneratorDelegate {

    QmpJsonGenerator(JsonGenerator delegate) {
        super(delegate, false);
    }

    @Override
    public void writeFieldName(String name) throws IOException {
        delegate.writeFieldName(QmpJsonWriter.sanitize(name));
    }

    @Override
    public void writeFieldName(SerializableString name) throws IOException {
        // Pre-quoted names (bean properties) would bypass the non-ASCII escaping.
        delegate.writeFieldName(QmpJsonWriter.sanitize(name.getValue()));
    }

    @Override
    public void writeString(String text) throws IOException {
        delegate.writeString(text == null ? null : QmpJsonWriter.sanitize(text));
    }

    @Override
    public void writeString(char[] text, int offset, int len) throws IOException {
        delegate.writeString(QmpJsonWriter.sanitize(new String(text, offset, len)));
    }

    @Override
    public void writeString(SerializableString text) throws IOException {
        delegate.writeString(QmpJsonWriter.sanitize(text.getValue()));
    }

    @Override
    public void writeNumber(double v) throws IOException {
        delegate.writeNumber(QemuDoubleFormat.format(v));
    }

    @Override
    public void writeNumber(float v) throws IOException {
        delegate.writeNumber(QemuDoubleFormat.format(v));
    }

    @Override
    public void writeNumber(BigDecimal v) throws IOException {
        if (v == null) {
            delegate.writeNull();
        } else {
            delegate.writeNumber(QemuDoubleFormat.format(v.doubleValue()));
        }
    }
}

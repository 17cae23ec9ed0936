package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes QMP output like QEMU's compact json-writer ({@code qobject/json-writer.c}) followed by
 * CRLF ({@code monitor/monitor.c} turns every {@code \n} into {@code \r\n}):
 * <ul>
 *   <li>{@code ": "} after keys, {@code ", "} between members and elements, {@code {}} and
 *       {@code []} when empty: {@code {"return": {}, "id": 1}};</li>
 *   <li>ASCII only: {@code \" \\ \b \f \n \r \t} as short escapes, {@code /} not escaped, every
 *       other character below 0x20 or from 0x7F up as {@code \}{@code uXXXX} with upper-case hex,
 *       characters beyond the BMP as surrogate pairs; invalid code points (lone surrogates,
 *       Unicode noncharacters) become {@code \}{@code uFFFD}, as QEMU's decoder rejects them;</li>
 *   <li>integers in decimal, floating-point numbers as {@code %.17g}.</li>
 * </ul>
 * {@link #generator(OutputStream, ObjectMapper)} gives a Jackson generator with the same output,
 * for serialising arbitrary objects.
 */
public final class QmpJsonWriter {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** Where this writer appends. */
    private final ByteSink out;

    private QmpJsonWriter(ByteSink out) {
        this.out = out;
    }

    /** Appends the compact QEMU form of {@code value} plus {@code "\r\n"} to {@code out}. */
    public static void writeLine(JsonNode value, ByteArrayOutputStream out) {
        ByteSink sink = new ByteSink();
        QmpJsonWriter w = new QmpJsonWriter(sink);
        w.value(value);
        w.raw('\r');
        w.raw('\n');
        out.write(sink.buf, 0, sink.len);
    }

    /** Appends the compact QEMU form of {@code value}, without a line terminator, to {@code out}. */
    public static void writeValue(JsonNode value, ByteSink out) {
        new QmpJsonWriter(out).value(value);
    }

    /** Appends {@code s} as a JSON string in QEMU's form (ASCII only, QEMU's escapes) to {@code out}. */
    public static void writeString(String s, ByteSink out) {
        new QmpJsonWriter(out).string(s);
    }

    /** The compact QEMU form of {@code value}, without line terminator (for logs and tests). */
    public static String toJson(JsonNode value) {
        ByteSink sink = new ByteSink();
        QmpJsonWriter w = new QmpJsonWriter(sink);
        w.value(value);
        return new String(sink.buf, 0, sink.len, StandardCharsets.US_ASCII);
    }

    /**
     * A Jackson generator writing to {@code out} in exactly {@link #writeLine}'s format (without
     * the line terminator): use {@code mapper.writeValue(generator, value)}, then append
     * {@code "\r\n"}. The mapper flushes the generator after each value (with Jackson's default
     * {@code FLUSH_AFTER_WRITE_VALUE}); closing the generator does not close {@code out}.
     */
    public static JsonGenerator generator(OutputStream out, ObjectMapper mapper) {
        try {
            JsonGenerator g = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8);
            g.setPrettyPrinter(QmpPrettyPrinter.INSTANCE);
            g.setCharacterEscapes(QmpCharacterEscapes.INSTANCE);
            g.setHighestNonEscapedChar(0x7E); // everything from 0x7F up is escaped
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            return new QmpJsonGenerator(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Serialises {@code value} with {@code mapper} through {@link #generator} and appends
     * {@code "\r\n"}: the object counterpart of {@link #writeLine(JsonNode, ByteArrayOutputStream)}.
     */
    public static void writeValueLine(ObjectMapper mapper, Object value, ByteArrayOutputStream out) {
        try (JsonGenerator g = generator(out, mapper)) {
            mapper.writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\r');
        out.write('\n');
    }

    private void value(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                raw('{');
                Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                boolean first = true;
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!first) {
                        raw(',');
                        raw(' ');
                    }
                    first = false;
                    string(e.getKey());
                    raw(':');
                    raw(' ');
                    value(e.getValue());
                }
                raw('}');
            }
            case ARRAY -> {
                raw('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        raw(',');
                        raw(' ');
                    }
                    value(node.get(i));
                }
                raw(']');
            }
            case STRING -> string(node.textValue());
            case BINARY -> string(node.asText()); // base64, as Jackson writes binary
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    ascii(node.isBigInteger() ? node.bigIntegerValue().toString()
                            : Long.toString(node.longValue()));
                } else {
                    ascii(QemuDoubleFormat.format(node.doubleValue()));
                }
            }
            case BOOLEAN -> ascii(node.booleanValue() ? "true" : "false");
            case NULL -> ascii("null");
            default -> throw new IllegalArgumentException("cannot write JSON node of type "
                    + node.getNodeType());
        }
    }

    /** json-writer.c {@code quoted_str()}. */
    private void string(String s) {
        raw('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                if (c == '"' || c == '\\') {
                    raw('\\');
                }
                raw(c);
                continue;
            }
            switch (c) {
                case '\b' -> shortEscape('b');
                case '\f' -> shortEscape('f');
                case '\n' -> shortEscape('n');
                case '\r' -> shortEscape('r');
                case '\t' -> shortEscape('t');
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < n
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        char low = s.charAt(++i);
                        int cp = Character.toCodePoint(c, low);
                        if (ModifiedUtf8.isValidCodePoint(cp)) {
                            unicodeEscape(c);
                            unicodeEscape(low);
                        } else {
                            unicodeEscape('\uFFFD');
                        }
                    } else {
                        unicodeEscape(ModifiedUtf8.isValidCodePoint(c) ? c : '\uFFFD');
                    }
                }
            }
        }
        raw('"');
    }

    /**
     * Replaces what json-writer.c would print as U+FFFD (lone surrogates, noncharacters) so that
     * a generic Jackson generator produces the same escapes. Returns {@code s} when unchanged.
     */
    static String sanitize(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) < 0xD800) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder sb = null;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0xD800) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            int width = 1;
            boolean valid;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                width = 2;
                valid = ModifiedUtf8.isValidCodePoint(Character.toCodePoint(c, s.charAt(i + 1)));
            } else {
                valid = ModifiedUtf8.isValidCodePoint(c);
            }
            if (!valid && sb == null) {
                sb = new StringBuilder(n).append(s, 0, i);
            }
            if (sb != null) {
                if (valid) {
                    sb.append(s, i, i + width);
                } else {
                    sb.append('\uFFFD');
                }
            }
            i += width - 1;
        }
        return sb == null ? s : sb.toString();
    }

    private void shortEscape(char c) {
        raw('\\');
        raw(c);
    }

    private void unicodeEscape(char c) {
        out.ensure(6);
        byte[] buf = out.buf;
        int len = out.len;
        buf[len++] = '\\';
        buf[len++] = 'u';
        buf[len++] = HEX[(c >> 12) & 0xF];
        buf[len++] = HEX[(c >> 8) & 0xF];
        buf[len++] = HEX[(c >> 4) & 0xF];
        buf[len++] = HEX[c & 0xF];
        out.len = len;
    }

    private void ascii(String s) {
        out.ascii(s);
    }

    private void raw(char c) {
        out.write(c);
    }
}

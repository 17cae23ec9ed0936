package org.qmon.qmp.internal.json;

import java.nio.charset.StandardCharsets;

/**
 * Decodes string tokens like QEMU's {@code parse_string()} ({@code qobject/json-parser.c}):
 * escapes {@code \" \' \\ \/ \b \f \n \r \t \}{@code uXXXX}, surrogate pairs combined, invalid code
 * points and invalid modified UTF-8 rejected with QEMU's messages. Reuses one char buffer; not
 * thread-safe.
 */
final class JsonStrings {

    /** Char buffers above this size are not kept between strings. */
    private static final int RETAIN_CHARS = 64 * 1024;

    private char[] chars = new char[256];
    /** The error (without the "JSON parse error, " prefix) when decode() returned null. */
    private String error;

    String error() {
        return error;
    }

    /**
     * Decodes the token {@code b[start..end)}, which includes its quotes.
     *
     * @return the string, or null with {@link #error()} set
     */
    String decode(byte[] b, int start, int end) {
        int p = start + 1;
        int last = end - 1; // the closing quote
        int q = p;
        while (q < last) {
            byte c = b[q];
            if (c < 0x20 || c == '\\') { // negative: non-ASCII
                break;
            }
            q++;
        }
        if (q == last) {
            return new String(b, p, last - p, StandardCharsets.ISO_8859_1); // plain ASCII
        }
        char[] out = last - p <= chars.length ? chars : new char[last - p];
        int n = 0;
        while (p < q) {
            out[n++] = (char) b[p++];
        }
        while (p < last) {
            int c = b[p] & 0xFF;
            if (c != '\\') {
                int cp = ModifiedUtf8.decode(b, p, end);
                if (cp < 0) {
                    return fail("invalid UTF-8 sequence in string", out);
                }
                p += ModifiedUtf8.sequenceLength(c);
                n = put(out, n, cp);
                continue;
            }
            int beg = p;
            int esc = b[p + 1] & 0xFF; // the lexer guarantees a byte after the backslash
            p += 2;
            switch (esc) {
                case '"', '\'', '\\', '/' -> out[n++] = (char) esc;
                case 'b' -> out[n++] = '\b';
                case 'f' -> out[n++] = '\f';
                case 'n' -> out[n++] = '\n';
                case 'r' -> out[n++] = '\r';
                case 't' -> out[n++] = '\t';
                case 'u' -> {
                    int cp = hex4(b, p, end);
                    p += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF
                            && p + 1 < end && b[p] == '\\' && b[p + 1] == 'u') {
                        // a leading surrogate followed by another escape: must be a trailing surrogate
                        cp = 0x10000 + ((cp & 0x3FF) << 10);
                        int trailing = hex4(b, p + 2, end);
                        if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
                            cp |= trailing & 0x3FF;
                            p += 6;
                        } else {
                            cp = -1;
                        }
                    }
                    if (!ModifiedUtf8.isValidCodePoint(cp)) {
                        // QEMU prints the escape with "%.*s", which stops at the token's end.
                        String seq = ModifiedUtf8.decodeLenient(b, beg, Math.min(p, end));
                        return fail(seq + " is not a valid Unicode character", out);
                    }
                    n = put(out, n, cp);
                }
                default -> {
                    return fail("invalid escape sequence in string", out);
                }
            }
        }
        String s = new String(out, 0, n);
        release(out);
        return s;
    }

    private String fail(String message, char[] out) {
        error = message;
        release(out);
        return null;
    }

    private void release(char[] out) {
        if (out.length <= RETAIN_CHARS) {
            chars = out;
        }
    }

    private static int put(char[] out, int n, int cp) {
        if (cp < 0x10000) {
            out[n] = (char) cp; // U+0000 included: QEMU stores it as modified UTF-8 C0 80
            return n + 1;
        }
        out[n] = Character.highSurrogate(cp);
        out[n + 1] = Character.lowSurrogate(cp);
        return n + 2;
    }

    /** json-parser.c {@code cvt4hex()}; bytes at or beyond {@code end} read as NUL. */
    private static int hex4(byte[] b, int p, int end) {
        int cp = 0;
        for (int i = 0; i < 4; i++) {
            int c = p + i < end ? b[p + i] : 0;
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                return -1;
            }
            cp = (cp << 4) | d;
        }
        return cp;
    }
}

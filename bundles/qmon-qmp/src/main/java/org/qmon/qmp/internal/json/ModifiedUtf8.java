package org.qmon.qmp.internal.json;

/**
 * QEMU's modified-UTF-8 rules ({@code util/unicode.c}): which code points are valid and how a
 * byte sequence decodes. Modified UTF-8 is UTF-8 except that U+0000 is also accepted as the
 * overlong pair {@code C0 80}.
 */
final class ModifiedUtf8 {

    /** Smallest code point per sequence length 2..6, for the overlong check. */
    private static final int[] MIN_CP = {0x80, 0x800, 0x10000, 0x200000, 0x4000000};

    private ModifiedUtf8() {
    }

    /**
     * unicode.c {@code is_valid_codepoint()}: within U+0000..U+10FFFF, not one of the 66
     * noncharacters, not a surrogate.
     */
    static boolean isValidCodePoint(int cp) {
        if (cp < 0 || cp > 0x10FFFF) {
            return false;
        }
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return false;
        }
        return cp < 0xD800 || cp > 0xDFFF;
    }

    /**
     * unicode.c {@code mod_utf8_codepoint()}: decodes the sequence starting at {@code s[p]}, where
     * {@code s[limit]} and beyond count as the terminating NUL.
     *
     * @return the code point, or {@code -1 - end} for an invalid sequence, where {@code end} is
     *     where decoding stopped; for a valid sequence its end is {@code p + sequenceLength(...)}
     */
    static int decode(byte[] s, int p, int limit) {
        int b0 = s[p] & 0xFF;
        if (b0 < 0x80) {
            return b0;
        }
        if (b0 >= 0xFE || (b0 & 0x40) == 0) {
            return -1 - (p + 1); // impossible byte, or unexpected continuation byte
        }
        int len = Integer.numberOfLeadingZeros(~(b0 << 24)); // leading one bits: 2..6
        int cp = b0 & (0x7F >> len);
        int q = p + 1;
        for (int i = 1; i < len; i++) {
            int c = q < limit ? s[q] & 0xFF : 0;
            if ((c & 0xC0) != 0x80) {
                return -1 - q; // continuation byte missing
            }
            q++;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!isValidCodePoint(cp) || (cp < MIN_CP[len - 2] && !(cp == 0 && len == 2))) {
            return -1 - q;
        }
        return cp;
    }

    /** Length of the valid sequence that starts with lead byte {@code b0}. */
    static int sequenceLength(int b0) {
        return b0 < 0x80 ? 1 : Integer.numberOfLeadingZeros(~(b0 << 24));
    }

    /**
     * Decodes bytes the way QEMU's json-writer reads a C string: stops at the first NUL byte and
     * turns every invalid sequence into U+FFFD. Used for error texts quoting raw input.
     */
    static String decodeLenient(byte[] s, int from, int to) {
        int limit = from;
        while (limit < to && s[limit] != 0) {
            limit++;
        }
        StringBuilder sb = new StringBuilder(limit - from);
        int p = from;
        while (p < limit) {
            int cp = decode(s, p, limit);
            if (cp < 0) {
                sb.append('\uFFFD');
                p = -1 - cp;
            } else {
                sb.appendCodePoint(cp);
                p += sequenceLength(s[p] & 0xFF);
            }
        }
        return sb.toString();
    }
}

package org.qmon.hmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The line checks every route shares. */
class HmpTextTest {

    @Test
    void theLineLimitIsInBytesOfUtf8OnEveryRoute() {
        String accents = "\u00e9".repeat(HmpText.MAX_LINE / 2); // 2 bytes each: exactly the limit
        assertNull(HmpText.check(accents));
        assertEquals(HmpText.TOO_LONG, HmpText.check(accents + "\u00e9"));
        String emoji = "\uD83D\uDE00".repeat(HmpText.MAX_LINE / 4); // 4 bytes per pair: the limit
        assertNull(HmpText.check(emoji));
        assertEquals(HmpText.TOO_LONG, HmpText.check(emoji + "x"));
        assertEquals(HmpText.TOO_LONG, HmpText.check("\u20ac".repeat(HmpText.MAX_LINE / 3 + 1)));
    }

    @Test
    void utf8LengthAgreesWithTheEncoder() {
        for (String s : new String[] {"", "abc", "\u00e9t\u00e9", "\u20ac", "\uD83D\uDE00x", "a\u0800\u07ff"}) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, HmpText.utf8Length(s), s);
        }
    }
}

package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class TextConsoleTest {

    @Test
    void everyPrintableCharacterHasAGlyph() {
        assertTrue(Glyphs.complete());
        assertTrue(Glyphs.lit('A', 2, 0), "the apex of A");
        assertFalse(Glyphs.lit(' ', 2, 3));
        assertTrue(Glyphs.lit('g', 1, 7), "g has a descender");
    }

    @Test
    void framesWithDifferentNumbersDifferAndTheSameInputsDrawTheSamePicture() {
        TextConsole c = new TextConsole(720, 400, "display0", "qmon-display", 30);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        int[] a = c.draw(1, t, true);
        int[] b = c.draw(2, t, true);
        assertEquals(720 * 400, a.length);
        assertFalse(Arrays.equals(a, b), "the frame counter is drawn");
        assertTrue(Arrays.equals(a, c.draw(1, t, true)), "drawing is deterministic");
        assertEquals(TextConsole.TITLE_BACKGROUND, a[0], "title bar in the top-left corner");
        assertEquals(TextConsole.BACKGROUND, a[200 * 720 + 700], "console background on the right");
    }

    @Test
    void tinyAndLargestDisplaysAreClipped() {
        Instant t = Instant.EPOCH;
        assertEquals(16 * 16, new TextConsole(16, 16, "d", "qmon-display", 1).draw(1, t, false).length);
        assertEquals(2560 * 1600, new TextConsole(2560, 1600, "d", "qmon-display", 1).draw(1, t, true).length);
    }
}

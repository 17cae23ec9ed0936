package org.qmon.display.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Draws the virtual display's picture: a VGA-style text console (cells of 9 x 16 pixels, 80 x 25 at the
 * default 720 x 400) with a title bar, a large "qmon" banner, the device id, the time, the frame
 * counter and a row of colour bars, so that a person recognises a screendump at a glance and a test
 * can tell two frames apart. Everything is clipped to the frame, so any size from 16 x 16 works.
 *
 * <p>Not thread-safe: a display's worker is its only caller.
 */
final class TextConsole {

    /** A text cell, as VGA's 80x25 text mode: 720 / 80 by 400 / 25. */
    static final int CELL_WIDTH = 9;
    static final int CELL_HEIGHT = 16;

    static final int BACKGROUND = 0x0000AA;
    static final int FOREGROUND = 0xAAAAAA;
    static final int BRIGHT = 0xFFFFFF;
    static final int TITLE_BACKGROUND = 0xAAAAAA;
    static final int TITLE_FOREGROUND = 0x000000;
    static final int BANNER = 0x55FFFF;
    /** The colour bars: black, then VGA's bright colours (the dark blue would vanish into the background). */
    static final int[] BARS = {0x000000, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF};

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final int width;
    private final int height;
    private final String id;
    private final String driver;
    private final double refreshRate;

    /**
     * A console of a size.
     *
     * @param width pixels
     * @param height pixels
     * @param id the device id it shows
     * @param driver the driver name it shows
     * @param refreshRate the refresh rate it shows, Hz
     */
    TextConsole(int width, int height, String id, String driver, double refreshRate) {
        this.width = width;
        this.height = height;
        this.id = id;
        this.driver = driver;
        this.refreshRate = refreshRate;
    }

    /**
     * Draws one picture.
     *
     * @param frame the frame number shown
     * @param time the time shown
     * @param running whether the machine runs (shown)
     * @return {@code width * height} pixels {@code 0xRRGGBB}
     */
    int[] draw(long frame, Instant time, boolean running) {
        int[] px = new int[width * height];
        Arrays.fill(px, BACKGROUND);
        int columns = width / CELL_WIDTH;
        int rows = height / CELL_HEIGHT;

        fill(px, 0, 0, width, CELL_HEIGHT, TITLE_BACKGROUND);
        text(px, 0, 0, " qmon virtual display", TITLE_FOREGROUND);
        String right = id + " ";
        text(px, columns - right.length(), 0, right, TITLE_FOREGROUND);

        // The banner: "qmon" with each font dot a 6 x 6 block, with a shadow.
        int scale = 6;
        int bx = 4 * CELL_WIDTH;
        int by = 2 * CELL_HEIGHT;
        big(px, bx + 3, by + 3, "qmon", scale, 0x000055);
        big(px, bx, by, "qmon", scale, BANNER);
        text(px, 4 + 5 * 6 * 4 / CELL_WIDTH + 4, 4, "QEMU-style machine monitor", BRIGHT);
        text(px, 4 + 5 * 6 * 4 / CELL_WIDTH + 4, 5, "QMP wire-compatible, on OSGi", FOREGROUND);

        int r = 9;
        line(px, r++, "device", id + " (" + driver + ")");
        line(px, r++, "screen", width + " x " + height + ", " + formatRate(refreshRate) + " Hz");
        line(px, r++, "time", TIME.format(time));
        line(px, r++, "frame", Long.toString(frame));
        line(px, r++, "machine", running ? "running" : "paused");

        // Colour bars two rows above the bottom line.
        int barTop = Math.max(r + 1, rows - 4) * CELL_HEIGHT;
        int barWidth = Math.max(1, (columns - 8) * CELL_WIDTH / BARS.length);
        for (int i = 0; i < BARS.length; i++) {
            fill(px, 4 * CELL_WIDTH + i * barWidth, barTop, barWidth, 2 * CELL_HEIGHT, BARS[i]);
        }
        text(px, 4, rows - 1, "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.ppm\"}}", FOREGROUND);
        return px;
    }

    private static String formatRate(double hz) {
        return hz == Math.rint(hz) ? Long.toString((long) hz) : Double.toString(hz);
    }

    private void line(int[] px, int row, String label, String value) {
        text(px, 4, row, String.format("%-9s", label), FOREGROUND);
        text(px, 14, row, value, BRIGHT);
    }

    /**
     * Text at a cell; each dot is 2 pixels wide (bold, as VGA's 9-pixel cells look) and 2 high, so the
     * eight glyph rows fill the 16-pixel cell.
     */
    private void text(int[] px, int column, int row, String s, int colour) {
        for (int i = 0; i < s.length(); i++) {
            int x0 = (column + i) * CELL_WIDTH + 1;
            int y0 = row * CELL_HEIGHT;
            char c = s.charAt(i);
            for (int gy = 0; gy < Glyphs.HEIGHT; gy++) {
                for (int gx = 0; gx < Glyphs.WIDTH; gx++) {
                    if (Glyphs.lit(c, gx, gy)) {
                        fill(px, x0 + gx, y0 + 2 * gy, 2, 2, colour);
                    }
                }
            }
        }
    }

    /** Text with each font dot a square of {@code scale} pixels, at a pixel position. */
    private void big(int[] px, int x, int y, String s, int scale, int colour) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int x0 = x + i * (Glyphs.WIDTH + 1) * scale;
            for (int gy = 0; gy < Glyphs.HEIGHT; gy++) {
                for (int gx = 0; gx < Glyphs.WIDTH; gx++) {
                    if (Glyphs.lit(c, gx, gy)) {
                        fill(px, x0 + gx * scale, y + gy * scale, scale, scale, colour);
                    }
                }
            }
        }
    }

    /** Fills a rectangle, clipped to the frame. */
    private void fill(int[] px, int x, int y, int w, int h, int colour) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = Math.min(width, x + w);
        int y1 = Math.min(height, y + h);
        for (int yy = y0; yy < y1; yy++) {
            int row = yy * width;
            for (int xx = x0; xx < x1; xx++) {
                px[row + xx] = colour;
            }
        }
    }
}

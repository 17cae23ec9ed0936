package org.qmon.api.device;

import java.nio.IntBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * One rendered picture of a display head: {@code width} x {@code height} pixels, row-major, each an
 * {@code int} {@code 0xRRGGBB}. Immutable; safe to share between threads and requests.
 */
public final class Frame {

    private final int width;
    private final int height;
    private final long sequence;
    private final Instant renderedAt;
    private final int[] pixels;

    /**
     * Creates a frame that takes ownership of the pixel array: the caller must not change it afterwards.
     *
     * @param width the width in pixels, at least 1
     * @param height the height in pixels, at least 1
     * @param sequence the display's frame number (increases with each new picture)
     * @param renderedAt when it was rendered
     * @param pixels {@code width * height} pixels {@code 0xRRGGBB}, row-major (the top row first)
     * @throws IllegalArgumentException when the sizes do not match
     */
    public Frame(int width, int height, long sequence, Instant renderedAt, int[] pixels) {
        if (width < 1 || height < 1 || (long) width * height != pixels.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " frame needs " + (long) width * height
                    + " pixels, not " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.sequence = sequence;
        this.renderedAt = Objects.requireNonNull(renderedAt, "renderedAt");
        this.pixels = pixels;
    }

    /**
     * The width.
     *
     * @return pixels per row
     */
    public int width() {
        return width;
    }

    /**
     * The height.
     *
     * @return rows
     */
    public int height() {
        return height;
    }

    /**
     * The display's frame number: frames with the same number show the same picture (a frozen display
     * hands out its last frame again).
     *
     * @return the sequence number
     */
    public long sequence() {
        return sequence;
    }

    /**
     * When the picture was rendered.
     *
     * @return the instant
     */
    public Instant renderedAt() {
        return renderedAt;
    }

    /**
     * One pixel.
     *
     * @param x the column, {@code 0 <= x < width}
     * @param y the row, {@code 0 <= y < height}
     * @return {@code 0xRRGGBB}
     * @throws IndexOutOfBoundsException outside the frame
     */
    public int rgb(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return pixels[y * width + x];
    }

    /**
     * All pixels, read-only, row-major, {@code 0xRRGGBB}, without copying.
     *
     * @return a read-only buffer positioned at 0
     */
    public IntBuffer pixels() {
        return IntBuffer.wrap(pixels).asReadOnlyBuffer();
    }

    /**
     * Copies the pixels.
     *
     * @return a new array of {@code width * height} pixels
     */
    public int[] copyPixels() {
        return pixels.clone();
    }

    @Override
    public String toString() {
        return "Frame[" + width + "x" + height + " #" + sequence + "]";
    }
}

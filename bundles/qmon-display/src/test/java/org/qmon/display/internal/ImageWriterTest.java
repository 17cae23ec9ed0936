package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;
import org.qmon.api.device.Frame;

class ImageWriterTest {

    @TempDir
    Path dir;

    /** A 4 x 2 frame with distinct colours in every pixel. */
    private static Frame sample(long sequence) {
        int[] px = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x123456, 0x000000, 0xABCDEF, 0x7F8081};
        return new Frame(4, 2, sequence, Instant.EPOCH, px);
    }

    @Test
    void ppmIsQemusHeaderThenRgbRowsWithoutPadding() {
        byte[] ppm = ImageWriter.ppm(sample(1));
        byte[] header = "P6\n4 2\n255\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(header.length + 4 * 2 * 3, ppm.length);
        for (int i = 0; i < header.length; i++) {
            assertEquals(header[i], ppm[i], "header byte " + i);
        }
        byte[] pixels = {(byte) 0xFF, 0, 0, 0, (byte) 0xFF, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            0x12, 0x34, 0x56, 0, 0, 0, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 0x7F, (byte) 0x80, (byte) 0x81};
        for (int i = 0; i < pixels.length; i++) {
            assertEquals(pixels[i], ppm[header.length + i], "pixel byte " + i);
        }
    }

    @Test
    void pngDecodesWithImageIoToTheSamePixels() throws Exception {
        Frame f = sample(1);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(ImageWriter.png(f)));
        assertEquals(4, img.getWidth());
        assertEquals(2, img.getHeight());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(f.rgb(x, y), img.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aFrameIsEncodedOncePerFormat() throws Exception {
        ImageWriter w = new ImageWriter();
        Frame a = sample(1);
        Frame b = sample(2);
        assertSame(w.encoded(a, ImageFormat.PNG), w.encoded(a, ImageFormat.PNG));
        assertSame(w.encoded(a, ImageFormat.PPM), w.encoded(a, ImageFormat.PPM));
        byte[] first = w.encoded(a, ImageFormat.PNG);
        assertNotSame(first, w.encoded(b, ImageFormat.PNG));
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        ImageWriter w = new ImageWriter();
        Path target = dir.resolve("shot.ppm");
        Files.writeString(target, "old content");
        w.write(sample(1), ImageFormat.PPM, target.toString());
        assertArrayEquals(ImageWriter.ppm(sample(1)), Files.readAllBytes(target));
        w.write(sample(2), ImageFormat.PNG, target.toString());
        assertArrayEquals(ImageWriter.png(sample(2)), Files.readAllBytes(target));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void unwritablePathsAnswerQemusTexts() throws Exception {
        ImageWriter w = new ImageWriter();
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertOpenFails(w, dir.resolve("missing/x.ppm").toString(), "No such file or directory");
        assertOpenFails(w, dir.toString(), "Is a directory");
        assertOpenFails(w, "", "No such file or directory");
        assertOpenFails(w, file.resolve("x.ppm").toString(), "Not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "a failed write leaves nothing behind");
        }
    }

    private static void assertOpenFails(ImageWriter w, String filename, String reason) {
        CommandException e = assertThrows(CommandException.class, () -> w.write(sample(1), ImageFormat.PPM, filename));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("failed to open file '" + filename + "': " + reason, e.description());
    }
}

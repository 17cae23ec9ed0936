package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    void writeReplacesTheContentAndLeavesNoOtherFile() throws Exception {
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
    void anExistingFileIsWrittenInPlaceKeepingItsPermissionsAndLinks() throws Exception {
        ImageWriter w = new ImageWriter();
        Path real = Files.writeString(dir.resolve("real.ppm"), "old content");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
        Path hard = Files.createLink(dir.resolve("hard.ppm"), real);
        Path link = Files.createSymbolicLink(dir.resolve("link.ppm"), real.getFileName());
        w.write(sample(1), ImageFormat.PPM, link.toString());
        assertTrue(Files.isSymbolicLink(link), "the symbolic link is followed, not replaced");
        assertArrayEquals(ImageWriter.ppm(sample(1)), Files.readAllBytes(real));
        assertArrayEquals(ImageWriter.ppm(sample(1)), Files.readAllBytes(hard), "the hard link still shares the file");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)),
                "a private file stays private");
    }

    @Test
    void aNameEndingInASlashIsADirectoryAsOpenSaysWhateverIsThere() throws Exception {
        ImageWriter w = new ImageWriter();
        Path file = Files.writeString(dir.resolve("shot.ppm"), "kept");
        assertOpenFails(w, file + "/", "Is a directory");
        assertOpenFails(w, dir.resolve("new") + "/", "Is a directory");
        assertEquals("kept", Files.readString(file));
        assertTrue(Files.notExists(dir.resolve("new")), "nothing is created");
    }

    @Test
    void aDeviceIsWrittenIntoNeverReplacedNorRemoved() throws Exception {
        Path devNull = Path.of("/dev/null");
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devNull) && Files.exists(devFull), "a Linux /dev");
        ImageWriter w = new ImageWriter();
        assertTrue(ImageWriter.special(devNull));
        w.write(sample(1), ImageFormat.PPM, devNull.toString());
        assertTrue(attributes(devNull).isOther(), "/dev/null is still a device");
        CommandException e = assertThrows(CommandException.class,
                () -> w.write(sample(1), ImageFormat.PPM, devFull.toString()));
        assertEquals("Unable to write to file: No space left on device", e.description());
        assertTrue(attributes(devFull).isOther(), "a device whose write failed is not removed");
    }

    @Test
    void aNamedPipeIsWrittenIntoForItsReader() throws Exception {
        Path fifo = dir.resolve("pipe.ppm");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no mkfifo here");
            return;
        }
        assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo works here");
        assertTrue(ImageWriter.special(fifo));
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        new ImageWriter().write(sample(1), ImageFormat.PPM, fifo.toString());
        assertArrayEquals(ImageWriter.ppm(sample(1)), read.get(10, TimeUnit.SECONDS));
        assertTrue(attributes(fifo).isOther(), "the pipe is still a pipe");
    }

    private static BasicFileAttributes attributes(Path p) throws java.io.IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, new LinkOption[0]);
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

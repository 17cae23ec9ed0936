package org.qmon.display.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.qmon.api.CommandException;
import org.qmon.api.device.Frame;

/**
 * Encodes frames as PPM or PNG and writes them to files the way a reader never sees half of one: into
 * a temporary file in the target's directory, then renamed over the target (atomic on one file
 * system).
 *
 * <p>Every request served by one refresh gets the same {@link Frame}; the bytes of the last frame are
 * kept per format, so a hundred screendumps of one refresh encode it once per format.
 *
 * <p>Errors carry QEMU's texts: {@code failed to open file '<name>': <reason>} when the file cannot be
 * created (the reason as {@code strerror} words it), {@code Unable to write to file: <reason>} when
 * writing fails.
 *
 * <p>Thread-safe: {@code this} guards the cache.
 */
final class ImageWriter {

    /** What the last frame encoded to, per format. Guarded by {@code this}. */
    private final Map<ImageFormat, Encoded> cache = new EnumMap<>(ImageFormat.class);

    private record Encoded(Frame frame, byte[] bytes) {
    }

    /**
     * The bytes of a frame in a format, encoded once per frame.
     *
     * @param frame the frame
     * @param format the format
     * @return the file's bytes; callers must not change them
     * @throws IOException when PNG encoding fails
     */
    synchronized byte[] encoded(Frame frame, ImageFormat format) throws IOException {
        Encoded e = cache.get(format);
        if (e == null || e.frame() != frame) {
            e = new Encoded(frame, format == ImageFormat.PNG ? png(frame) : ppm(frame));
            cache.put(format, e);
        }
        return e.bytes();
    }

    /**
     * Writes a frame to a file, replacing it atomically.
     *
     * @param frame the frame
     * @param format the format
     * @param filename the file name as the client gave it (relative to the working directory)
     * @throws CommandException with QEMU's texts
     */
    void write(Frame frame, ImageFormat format, String filename) throws CommandException {
        Path target = target(filename);
        byte[] bytes;
        try {
            bytes = encoded(frame, format);
        } catch (IOException e) {
            throw CommandException.generic("PNG creation failed: " + reason(e));
        }
        writeAtomically(target, filename, bytes);
    }

    /**
     * Resolves the client's file name, refusing what cannot be opened for writing.
     *
     * @param filename as given
     * @return the absolute path
     * @throws CommandException {@code failed to open file '<name>': <reason>}
     */
    static Path target(String filename) throws CommandException {
        if (filename.isEmpty()) {
            throw openFailed(filename, "No such file or directory");
        }
        Path target;
        try {
            target = Path.of(filename).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw openFailed(filename, "Invalid argument");
        }
        if (Files.isDirectory(target)) {
            throw openFailed(filename, "Is a directory");
        }
        if (Files.exists(target) && !Files.isWritable(target)) {
            throw openFailed(filename, "Permission denied");
        }
        return target;
    }

    /**
     * Writes bytes to a temporary file beside the target, then renames it over the target. On any
     * failure the temporary file is removed and the target is untouched.
     *
     * @param target the absolute target
     * @param filename the name the client gave, for the texts
     * @param bytes the content
     * @throws CommandException with QEMU's texts
     */
    static void writeAtomically(Path target, String filename, byte[] bytes) throws CommandException {
        Path dir = target.getParent();
        if (dir == null) {
            throw openFailed(filename, "Is a directory");
        }
        Path tmp = createTemporary(dir, filename);
        boolean moved = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(bytes);
            } catch (IOException e) {
                throw CommandException.generic("Unable to write to file: " + reason(e));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                moved = true;
            } catch (IOException e) {
                throw openFailed(filename, reason(e));
            }
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // The directory went away or became read-only: nothing left to clean.
                }
            }
        }
    }

    /** A new, empty, hidden file in {@code dir}, readable by others as QEMU's 0666 & umask would be. */
    private static Path createTemporary(Path dir, String filename) throws CommandException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(".screendump-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                try {
                    return Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
                } catch (UnsupportedOperationException e) {
                    return Files.createFile(tmp);
                }
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw openFailed(filename, "File exists");
                }
            } catch (IOException e) {
                throw openFailed(filename, reason(e));
            }
        }
    }

    private static CommandException openFailed(String filename, String reason) {
        return CommandException.generic("failed to open file '" + filename + "': " + reason);
    }

    /**
     * The reason of an I/O error in {@code strerror}'s words, as QEMU reports it.
     *
     * @param e the error
     * @return e.g. {@code No such file or directory}
     */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Binary PPM as QEMU writes it: {@code P6\n<width> <height>\n255\n}, then the rows, top first, three
     * bytes (R, G, B) per pixel. qmon writes no row padding (QEMU pads rows whose byte count is not a
     * multiple of 4, which makes a malformed file; at the usual widths there is none).
     *
     * @param frame the frame
     * @return the file's bytes
     */
    static byte[] ppm(Frame frame) {
        byte[] header = ("P6\n" + frame.width() + " " + frame.height() + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        int n = frame.width() * frame.height();
        byte[] out = new byte[header.length + 3 * n];
        System.arraycopy(header, 0, out, 0, header.length);
        IntBuffer px = frame.pixels();
        int o = header.length;
        for (int i = 0; i < n; i++) {
            int rgb = px.get(i);
            out[o++] = (byte) (rgb >>> 16);
            out[o++] = (byte) (rgb >>> 8);
            out[o++] = (byte) rgb;
        }
        return out;
    }

    /**
     * PNG, 8-bit RGB, through the JDK's ImageIO, in memory (no ImageIO disk cache).
     *
     * @param frame the frame
     * @return the file's bytes
     * @throws IOException when the JDK has no PNG writer or it fails
     */
    static byte[] png(Frame frame) throws IOException {
        BufferedImage image = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, frame.width(), frame.height(), frame.copyPixels(), 0, frame.width());
        Iterator<javax.imageio.ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("this Java runtime has no PNG writer");
        }
        javax.imageio.ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}

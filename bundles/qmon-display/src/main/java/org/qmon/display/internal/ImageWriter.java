package org.qmon.display.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.qmon.api.CommandException;
import org.qmon.api.device.Frame;

/**
 * Encodes frames as PPM or PNG and writes them to files as QEMU does: the file is opened in place,
 * created (0666 less the umask) or truncated, so an existing file keeps its owner, permissions and
 * hard links, a symbolic link is followed, and a device or a named pipe is written into rather than
 * replaced. The reply comes once the file is whole; a reader that does not wait for it may see a
 * file being written, as with QEMU. When writing fails, a regular file is removed, as QEMU unlinks
 * it; a device or a pipe never is.
 *
 * <p>Every request served by one refresh gets the same {@link Frame}; the bytes of the last frame are
 * kept per format, so a hundred screendumps of one refresh encode it once per format.
 *
 * <p>Errors carry QEMU's texts: {@code failed to open file '<name>': <reason>} when the file cannot be
 * opened (the reason as {@code strerror} words it), {@code Unable to write to file: <reason>} when
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
     * Writes a frame to a file.
     *
     * @param frame the frame
     * @param format the format
     * @param filename the file name as the client gave it (relative to the working directory)
     * @throws CommandException with QEMU's texts
     */
    void write(Frame frame, ImageFormat format, String filename) throws CommandException {
        write(frame, format, target(filename), filename);
    }

    /**
     * Writes a frame to a file already resolved by {@link #target}.
     *
     * @param frame the frame
     * @param format the format
     * @param target the absolute path
     * @param filename the file name as the client gave it, for the texts
     * @throws CommandException with QEMU's texts
     */
    void write(Frame frame, ImageFormat format, Path target, String filename) throws CommandException {
        byte[] bytes;
        try {
            bytes = encoded(frame, format);
        } catch (IOException e) {
            throw CommandException.generic("PNG creation failed: " + reason(e));
        }
        writeInPlace(target, filename, bytes);
    }

    /**
     * Resolves the client's file name, refusing what {@code open(2)} would refuse before touching
     * anything: an empty name, a name ending in {@code /} ({@code O_CREAT} makes that {@code EISDIR}
     * whether or not something is there) and a directory.
     *
     * @param filename as given
     * @return the absolute path
     * @throws CommandException {@code failed to open file '<name>': <reason>}
     */
    static Path target(String filename) throws CommandException {
        if (filename.isEmpty()) {
            throw openFailed(filename, "No such file or directory");
        }
        if (filename.endsWith("/")) {
            // Path.of drops a trailing slash: "a.ppm/" would otherwise write a.ppm.
            throw openFailed(filename, "Is a directory");
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
        return target;
    }

    /**
     * Whether a target is a named pipe, a device or a socket (after following links): opening or
     * writing one may wait for a reader without bound, so callers that must not block write it on a
     * thread of its own.
     *
     * @param target the absolute path
     * @return {@code true} for such a file; {@code false} for a regular file or none
     */
    static boolean special(Path target) {
        try {
            return Files.readAttributes(target, BasicFileAttributes.class).isOther();
        } catch (IOException e) {
            return false; // nothing there yet (or unreadable): opening it will tell
        }
    }

    /**
     * Opens the target as QEMU does ({@code O_WRONLY | O_CREAT | O_TRUNC}, following links) and writes
     * the bytes. If writing fails, a regular file is removed (QEMU unlinks the file; a device or a pipe
     * is left alone).
     *
     * @param target the absolute target
     * @param filename the name the client gave, for the texts
     * @param bytes the content
     * @throws CommandException with QEMU's texts
     */
    static void writeInPlace(Path target, String filename, byte[] bytes) throws CommandException {
        FileChannel channel;
        try {
            channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw openFailed(filename, reason(e));
        }
        try (channel) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            try {
                if (Files.isRegularFile(target)) {
                    Files.deleteIfExists(target);
                }
            } catch (IOException gone) {
                // Read-only directory or already gone: the error below is what the client needs.
            }
            throw CommandException.generic("Unable to write to file: " + reason(e));
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

package org.qmon.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/**
 * Where the framework keeps its storage: a throwaway copy of the embedded bundles, made at every start
 * and deleted at exit.
 *
 * <p>It goes to a memory-backed file system when one is there to use, because creating its 70-odd files
 * and directories on a disk file system cost 40 to 90 ms of a start of about 850 ms on the machines qmon
 * is measured on (docs/reliability.md). {@code $XDG_RUNTIME_DIR} (the user's runtime directory, meant for
 * such files) comes first, then {@code /dev/shm}, each only if writable and not mounted {@code noexec}
 * (Felix unpacks a bundle's native libraries into the storage to load them); an operator who sets
 * {@code -Djava.io.tmpdir} to other than the default {@code /tmp} gets that directory instead. The
 * bundles take about 4 MiB there.
 *
 * <p>The directory is named {@code qmon-felix-PID-N}, so that a directory whose process no longer
 * exists (one killed with SIGKILL, which runs no clean-up) and whose Felix lock is free can be
 * recognised and removed by the next start, after it is ready: a memory-backed directory left behind would hold its 4 MiB of memory until
 * the next reboot. It is created atomically with owner-only permissions, so a name taken by anything
 * else, a link included, is skipped.
 */
final class Storage {

    static final String PREFIX = "qmon-felix-";
    /** The default of {@code java.io.tmpdir} on Linux: any other value was chosen by the operator. */
    static final String DEFAULT_TMPDIR = "/tmp";
    /** Names tried before giving up and falling back to {@link Files#createTempDirectory}. */
    private static final int ATTEMPTS = 100;

    private Storage() {
    }

    /**
     * The directory the storage is made in.
     *
     * @param tmpdir the value of {@code java.io.tmpdir}
     * @param env the environment ({@code XDG_RUNTIME_DIR} is read from it)
     * @param devShm the memory-backed directory tried second ({@code /dev/shm})
     * @return the operator's {@code java.io.tmpdir} if it is not {@code /tmp}; otherwise the first of
     *         {@code $XDG_RUNTIME_DIR} and {@code devShm} that is a writable directory, or {@code tmpdir}
     */
    static Path parent(String tmpdir, Map<String, String> env, Path devShm) {
        return parent(tmpdir, env, devShm, mounts());
    }

    /**
     * {@link #parent(String, Map, Path)} with the mount table given.
     *
     * @param mounts the lines of {@code /proc/self/mounts} (empty where there is none)
     */
    static Path parent(String tmpdir, Map<String, String> env, Path devShm, List<String> mounts) {
        Path tmp = Path.of(tmpdir);
        if (!tmp.normalize().toString().equals(DEFAULT_TMPDIR)) {
            return tmp;
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && usable(Path.of(xdg), mounts)) {
            return Path.of(xdg);
        }
        return usable(devShm, mounts) ? devShm : tmp;
    }

    /**
     * A writable directory on a file system that allows executing: the storage is where Felix unpacks
     * a bundle's native libraries to load them, and {@code /dev/shm} is often mounted {@code noexec}
     * (Docker's is).
     */
    private static boolean usable(Path dir, List<String> mounts) {
        return dir.isAbsolute() && Files.isDirectory(dir) && Files.isWritable(dir) && !noexec(dir, mounts);
    }

    /** The mount table, or none where it cannot be read (not Linux). */
    private static List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Whether {@code dir} is on a file system mounted {@code noexec}: the options of the last mount whose
     * mount point is the longest one containing {@code dir}.
     *
     * @param dir an absolute, normalised directory (links are not resolved)
     * @param mounts lines of {@code /proc/self/mounts}: device, mount point (spaces as {@code \040}),
     *        type, options, ...
     * @return whether that mount has the {@code noexec} option; false if no mount is known
     */
    static boolean noexec(Path dir, List<String> mounts) {
        int best = -1;
        boolean noexec = false;
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length < 4) {
                continue;
            }
            Path point = Path.of(f[1].replace("\\040", " "));
            int depth = point.getNameCount();
            if (dir.startsWith(point) && depth >= best) {
                best = depth;
                noexec = List.of(f[3].split(",")).contains("noexec");
            }
        }
        return noexec;
    }

    /**
     * Creates a new, empty directory for this process's storage in {@code parent}.
     *
     * @param parent where (see {@link #parent})
     * @param pid this process's id
     * @return the new directory, readable by its owner only where the file system has POSIX permissions
     * @throws IOException if no directory could be created there
     */
    static Path create(Path parent, long pid) throws IOException {
        boolean posix = parent.getFileSystem().supportedFileAttributeViews().contains("posix");
        for (int n = 0; n < ATTEMPTS; n++) {
            Path dir = parent.resolve(PREFIX + pid + "-" + n);
            try {
                return posix
                        ? Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                        : Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // Taken (a stale one of a recycled pid, or anything else): try the next name.
            }
        }
        return Files.createTempDirectory(parent, PREFIX);
    }

    /** Felix's lock file in its storage, locked while the framework runs (felix.cache.locking). */
    static final String LOCK_FILE = "cache.lock";

    /**
     * Removes the storage directories in {@code parent} left by processes that no longer exist.
     * Directories of live processes, and names not of the form {@code qmon-felix-PID-N}, are left alone,
     * and so is one whose Felix lock is still held: a process id is only meaningful in this process's
     * pid namespace, and a framework of another namespace sharing the directory holds its lock.
     *
     * @param parent where to look
     * @param alive whether a process id belongs to a running process
     * @return the directories removed
     */
    static List<Path> removeStale(Path parent, LongPredicate alive) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path p : s) {
                long pid = pidOf(p.getFileName().toString());
                if (pid > 0 && !alive.test(pid) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !locked(p)) {
                    deleteTree(p);
                    removed.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: a directory left behind is what there was before.
        }
        return removed;
    }

    /** Whether a framework holds the lock in storage {@code dir} (no lock file: none does). */
    static boolean locked(Path dir) {
        Path lock = dir.resolve(LOCK_FILE);
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this very JVM
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: leave it
        }
    }

    /** The PID in {@code qmon-felix-PID-N}, or -1 for any other name. */
    static long pidOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0 || dash == rest.length() - 1) {
            return -1;
        }
        try {
            Integer.parseInt(rest.substring(dash + 1));
            return Long.parseLong(rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Deletes a directory and everything in it, without following links; best effort. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // Best effort: a temporary directory left behind is harmless.
        }
    }
}

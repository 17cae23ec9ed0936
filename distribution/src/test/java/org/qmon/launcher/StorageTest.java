package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the framework's storage goes, how it is named, and which leftovers are removed. */
class StorageTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultTmpdirGivesWayToTheRuntimeDirectoryThenTheMemoryBackedOne() throws IOException {
        Path xdg = Files.createDirectory(dir.resolve("run"));
        Path shm = Files.createDirectory(dir.resolve("shm"));
        assertEquals(xdg, Storage.parent("/tmp", Map.of("XDG_RUNTIME_DIR", xdg.toString()), shm, List.of()));
        assertEquals(shm, Storage.parent("/tmp/", Map.of(), shm, List.of()));
        assertEquals(shm, Storage.parent("/tmp", Map.of("XDG_RUNTIME_DIR", dir.resolve("missing").toString()), shm, List.of()),
                "a runtime directory that is not there is skipped");
        assertEquals(shm, Storage.parent("/tmp", Map.of("XDG_RUNTIME_DIR", "relative"), shm, List.of()));
        assertEquals(Path.of("/tmp"), Storage.parent("/tmp", Map.of(), dir.resolve("no-shm"), List.of()));
    }

    @Test
    void aFileSystemMountedNoexecIsSkippedForNativeLibrariesSake() throws IOException {
        Path xdg = Files.createDirectory(dir.resolve("run"));
        Path shm = Files.createDirectory(dir.resolve("shm"));
        List<String> mounts = List.of(
                "/dev/vda / ext4 rw,relatime 0 0",
                "tmpfs " + shm + " tmpfs rw,nosuid,nodev,noexec,relatime 0 0",
                "tmpfs " + xdg + " tmpfs rw,nosuid,nodev,relatime 0 0");
        assertEquals(xdg, Storage.parent("/tmp", Map.of("XDG_RUNTIME_DIR", xdg.toString()), shm, mounts));
        assertEquals(Path.of("/tmp"), Storage.parent("/tmp", Map.of(), shm, mounts), "Docker's /dev/shm: noexec");
        assertTrue(Storage.noexec(shm.resolve("sub"), mounts));
        assertFalse(Storage.noexec(xdg, mounts));
        assertFalse(Storage.noexec(dir, mounts), "the root mount's options");
        List<String> remounted = List.of("tmpfs " + shm + " tmpfs rw,noexec 0 0", "tmpfs " + shm + " tmpfs rw 0 0");
        assertFalse(Storage.noexec(shm, remounted), "the last mount on a point wins");
        assertTrue(Storage.noexec(Path.of("/a b/c"), List.of("x /a\\040b tmpfs rw,noexec 0 0")), "octal-escaped spaces");
        assertFalse(Storage.noexec(shm, List.of()), "no mount table: not known to be noexec");
    }

    @Test
    void anOperatorsTmpdirIsHonoured() throws IOException {
        Path shm = Files.createDirectory(dir.resolve("shm"));
        Path mine = dir.resolve("mine");
        assertEquals(mine, Storage.parent(mine.toString(), Map.of("XDG_RUNTIME_DIR", shm.toString()), shm, List.of()));
    }

    @Test
    void theDirectoryIsNewOwnerOnlyAndSkipsNamesTaken() throws IOException {
        Path first = Storage.create(dir, 4242);
        assertEquals("qmon-felix-4242-0", first.getFileName().toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        Files.createSymbolicLink(dir.resolve("qmon-felix-4242-1"), dir.resolve("elsewhere"));
        Path third = Storage.create(dir, 4242);
        assertEquals("qmon-felix-4242-2", third.getFileName().toString(), "a link in the way is never used");
        assertFalse(Files.exists(dir.resolve("elsewhere")));
        assertNotEquals(first, third);
    }

    @Test
    void onlyDirectoriesOfProcessesThatAreGoneAreRemoved() throws IOException {
        Path dead = Files.createDirectories(dir.resolve("qmon-felix-111-0/bundle1"));
        Files.writeString(dead.resolve("bundle.info"), "x");
        Path live = Files.createDirectories(dir.resolve("qmon-felix-222-0"));
        Path other = Files.createDirectories(dir.resolve("qmon-felix-x"));
        Path unrelated = Files.createDirectories(dir.resolve("felix-111-0"));
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(target.resolve("keep"), "x");
        Files.createSymbolicLink(dir.resolve("qmon-felix-333-0"), target);

        List<Path> removed = Storage.removeStale(dir, pid -> pid == 222);

        assertEquals(List.of(dir.resolve("qmon-felix-111-0")), removed);
        assertFalse(Files.exists(dir.resolve("qmon-felix-111-0")));
        assertTrue(Files.isDirectory(live));
        assertTrue(Files.isDirectory(other));
        assertTrue(Files.isDirectory(unrelated));
        assertTrue(Files.exists(target.resolve("keep")), "a link is not followed");
    }

    @Test
    void aDirectoryWhoseFrameworkStillHoldsItsLockIsLeftAlone() throws IOException {
        // Another pid namespace sharing the directory: the pid means nothing here, the lock does.
        Path held = Files.createDirectories(dir.resolve("qmon-felix-444-0"));
        Path free = Files.createDirectories(dir.resolve("qmon-felix-555-0"));
        Files.writeString(free.resolve(Storage.LOCK_FILE), "");
        try (FileChannel ch = FileChannel.open(Files.createFile(held.resolve(Storage.LOCK_FILE)), StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            assertTrue(Storage.locked(held));
            assertFalse(Storage.locked(free));
            assertEquals(List.of(free), Storage.removeStale(dir, pid -> false));
            assertTrue(Files.isDirectory(held));
        }
        assertFalse(Storage.locked(held), "released: its framework is gone");
    }

    @Test
    void pidsAreReadFromWellFormedNamesOnly() {
        assertEquals(123, Storage.pidOf("qmon-felix-123-0"));
        assertEquals(-1, Storage.pidOf("qmon-felix-123-"));
        assertEquals(-1, Storage.pidOf("qmon-felix--0"));
        assertEquals(-1, Storage.pidOf("qmon-felix-12a-0"));
        assertEquals(-1, Storage.pidOf("qmon-felix-7123456789"));
        assertEquals(-1, Storage.pidOf("felix-123-0"));
    }
}

package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpEvent;

/**
 * The executable jar as a user runs it: {@code java -jar qmon.jar} with QEMU-style options, headless
 * (stdin at end of file), driven over its real sockets, and stopped with {@code quit}.
 */
class DistributionIT {

    private static final long WAIT = 30;

    @TempDir
    Path dir;

    private QmonJar qmon;

    private void start(String... args) throws IOException {
        // Its own temporary directory, so a test can see that the framework's storage is gone at the end.
        Files.createDirectories(dir.resolve("tmp"));
        qmon = QmonJar.start(dir, WAIT, List.of("-Djava.io.tmpdir=" + dir.resolve("tmp")), args);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (qmon != null) {
            qmon.stop();
        }
    }

    @Test
    void bootsHeadlessServesUnixAndTcpAndQuitsCleanly() throws Exception {
        Path sock = dir.resolve("q.sock");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // The storage of a process that is gone (as after a SIGKILL): the next start removes it.
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(WAIT, TimeUnit.SECONDS));
        Path stale = Files.createDirectories(dir.resolve("tmp").resolve("qmon-felix-" + gone.pid() + "-0").resolve("bundle1"));
        start("-qmp", "unix:" + sock + ",server=on,wait=off", "-qmp", "tcp:127.0.0.1:" + port + ",server=on,wait=off",
                "-name", "itest");
        qmon.awaitLine("qmon: ready in");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));

        try (QmpClient tcp = QmpClient.connect("tcp:127.0.0.1:" + port); QmpClient unix = QmpClient.connect("unix:" + sock)) {
            assertEquals("itest", tcp.execute("query-name").get(WAIT, TimeUnit.SECONDS).get("name").asText());
            JsonNode commands = unix.execute("query-commands").get(WAIT, TimeUnit.SECONDS);
            List<String> names = new ArrayList<>();
            commands.forEach(c -> names.add(c.get("name").asText()));
            assertTrue(names.containsAll(List.of("qmp_capabilities", "query-version", "query-commands", "query-name",
                    "query-status", "stop", "cont", "quit")), names::toString);

            CompletableFuture<QmpEvent> shutdownSeenByOther = tcp.nextEvent("SHUTDOWN");
            CompletableFuture<QmpEvent> shutdown = unix.nextEvent("SHUTDOWN");
            assertEquals(0, unix.execute("quit").get(WAIT, TimeUnit.SECONDS).size());
            JsonNode data = shutdown.get(WAIT, TimeUnit.SECONDS).data();
            assertFalse(data.get("guest").asBoolean());
            assertEquals("host-qmp-quit", data.get("reason").asText());
            shutdownSeenByOther.get(WAIT, TimeUnit.SECONDS);
        }
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "the process ends after quit");
        assertEquals(0, qmon.process().exitValue());
        assertFalse(Files.exists(sock), "the unix socket is removed on the way out");
        assertFalse(Files.exists(stale.getParent()), "a dead process's storage is removed by the next start");
        assertStorageDeleted();
    }

    private void assertStorageDeleted() throws IOException {
        try (var left = Files.list(dir.resolve("tmp"))) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("qmon-felix-")).toList(),
                    "the framework's storage is deleted");
        }
    }

    /** Starts with the arguments and expects exit status 1 and one "qmon: " line that says why. */
    private String failsWith(String... args) throws Exception {
        start(args);
        String l = qmon.awaitLine("qmon: ");
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "the launcher exits");
        assertEquals(1, qmon.process().exitValue());
        List<String> rest = qmon.drainOutput();
        assertFalse(rest.stream().anyMatch(x -> x.contains("Exception") || x.startsWith("\tat ")),
                "no stack trace: " + rest);
        return l;
    }

    @Test
    void aBadOptionIsAClearErrorNotAStackTrace() throws Exception {
        assertEquals("qmon: -qmp expects unix:PATH or tcp:HOST:PORT, not 'stdio'", failsWith("-qmp", "stdio"));
        assertEquals("qmon: unknown option '-vnc'", failsWith("-vnc", ":0"));
        assertEquals("qmon: -qmp unix:/x,wait=on: unsupported option 'wait=on'", failsWith("-qmp", "unix:/x,wait=on"));
    }

    @Test
    void aListenerThatCannotBindIsAnErrorNamingTheOption() throws Exception {
        Path missing = dir.resolve("no-such-dir/q.sock");
        assertEquals("qmon: -qmp unix:" + missing + ": cannot listen on unix:" + missing + ": no such directory "
                + missing.getParent(), failsWith("-qmp", "unix:" + missing));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String spec = "tcp:127.0.0.1:" + taken.getLocalPort();
            String l = failsWith("-qmp", spec);
            assertTrue(l.startsWith("qmon: -qmp " + spec + ": cannot listen on " + spec + ": "), l);
        }
    }

    @Test
    void aListenerThatFailsInsideTheFrameworkStopsTheLaunchWithItsReason() throws Exception {
        // Each spec alone can bind, so the check before start passes; the second listener then finds the
        // port taken by the first, and the transport's report ends the launch.
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String first = "tcp:127.0.0.1:" + port;
        String second = first + ",server=on";
        start("-qmp", first, "-qmp", second);
        String l = qmon.awaitLine("qmon: -qmp");
        assertTrue(l.contains("cannot listen on tcp:127.0.0.1:" + port + ": "), l);
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "the launcher exits");
        assertEquals(1, qmon.process().exitValue());
    }

    @Test
    void aJarThatIsNotABundleIsRefused() throws Exception {
        Path plain = dir.resolve("plain.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(plain), m)) {
            out.closeEntry();
        }
        assertEquals("qmon: -bundle " + plain + ": not an OSGi bundle (its manifest has no Bundle-SymbolicName)",
                failsWith("-bundle", plain.toString()));
    }

    @Test
    void sigtermStopsCleanly() throws Exception {
        Path sock = dir.resolve("t.sock");
        start("-qmp", "unix:" + sock + ",server=on,wait=off");
        qmon.awaitLine("qmon: ready in");
        try (QmpClient c = QmpClient.connect("unix:" + sock)) {
            assertEquals("running", c.execute("query-status").get(WAIT, TimeUnit.SECONDS).get("status").asText());
        }
        // SIGTERM as an init system sends it (Process.destroy() would also close our end of its output).
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(qmon.process().pid())).start().waitFor());
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "the process ends on SIGTERM");
        qmon.awaitEndOfOutput();
        assertEquals(143, qmon.process().exitValue(), "128 + SIGTERM, the JVM's status for a terminating signal");
        List<String> rest = qmon.drainOutput();
        assertFalse(rest.stream().anyMatch(x -> x.contains("Exception") || x.startsWith("\tat ")),
                "no stack trace on the way out: " + rest);
        assertFalse(Files.exists(sock), "the unix socket is removed on the way out");
        assertStorageDeleted();
    }

    @Test
    void bundleOptionInstallsAndStartsAnExtraCommandBundle() throws Exception {
        Path sock = dir.resolve("b.sock");
        Path jar = Path.of(System.getProperty("qmon.bench.commands.jar"));
        assertTrue(Files.isRegularFile(jar), jar::toString);
        start("-qmp", "unix:" + sock + ",server=on,wait=off", "-bundle", jar.toString());
        assertTrue(qmon.awaitLine("qmon: started ").contains("org.qmon.qmon-bench-commands"));
        qmon.awaitLine("qmon: ready in");
        try (QmpClient c = QmpClient.connect("unix:" + sock)) {
            JsonNode commands = c.execute("query-commands").get(WAIT, TimeUnit.SECONDS);
            List<String> names = new ArrayList<>();
            commands.forEach(n -> names.add(n.get("name").asText()));
            assertTrue(names.containsAll(List.of("bench-sleep", "bench-spin")), names::toString);
            assertEquals(0, c.execute("bench-sleep", java.util.Map.of("ms", 20)).get(WAIT, TimeUnit.SECONDS).size());
            assertTrue(c.execute("bench-spin", java.util.Map.of("ms", 2)).get(WAIT, TimeUnit.SECONDS).get("rounds").asLong() > 0);
        }
    }

    @Test
    void aMissingBundleIsAClearError() throws Exception {
        assertEquals("qmon: -bundle: no such file '" + dir.resolve("nope.jar") + "'",
                failsWith("-bundle", dir.resolve("nope.jar").toString()));
    }
}

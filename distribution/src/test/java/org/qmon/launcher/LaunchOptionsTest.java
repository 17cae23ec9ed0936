package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, parsed once: QEMU-style listener specs become configurations, or a one-line error naming the option. */
class LaunchOptionsTest {

    @TempDir
    Path dir;

    private LaunchOptions parse(String... args) throws LaunchOptions.UsageException {
        return LaunchOptions.parse(args, dir);
    }

    private String error(String... args) {
        return assertThrows(LaunchOptions.UsageException.class, () -> parse(args)).getMessage();
    }

    private static LaunchOptions.ListenerOption only(LaunchOptions o) {
        assertEquals(1, o.listeners.size());
        return o.listeners.get(0);
    }

    @Test
    void unixAndTcpSpecsWithQemuOptions() throws Exception {
        var u = only(parse("-qmp", "unix:/tmp/q.sock,server=on,wait=off"));
        assertEquals(Map.of("path", "/tmp/q.sock"), u.properties());
        assertEquals("unix:/tmp/q.sock", u.address());
        assertEquals("org.qmon.qmp.listener", u.factoryPid());
        var t = only(parse("-qmp", "tcp:127.0.0.1:4444,server=on,wait=off"));
        assertEquals(Map.of("host", "127.0.0.1", "port", "4444"), t.properties());
        assertEquals("::1", only(parse("-qmp", "tcp:[::1]:5555")).properties().get("host"));
        assertEquals("127.0.0.1", only(parse("-qmp", "tcp::4444")).properties().get("host"));
        assertNull(u.properties().get("io.threads"));
        assertEquals("2", only(parse("-qmp", "unix:/tmp/q.sock,server=on,io-threads=2")).properties().get("io.threads"));
        assertEquals(dir.resolve("rel.sock").toString(), only(parse("-qmp", "unix:rel.sock")).properties().get("path"),
                "a relative path is taken from the working directory");
        assertEquals("/tmp/a,b.sock", only(parse("-qmp", "unix:/tmp/a,,b.sock,server=on")).properties().get("path"),
                "QEMU's doubled comma is a literal comma");
    }

    @Test
    void withoutListenerOptionsTheDefaultsApply() throws Exception {
        LaunchOptions o = parse("-name", "vm1", "-D", "a.b=c=d");
        assertEquals(List.of("unix:" + dir.resolve("qmon-qmp.sock"), "tcp:127.0.0.1:4444"),
                o.listeners.stream().map(LaunchOptions.ListenerOption::address).toList());
        assertEquals(Map.of("qmon.name", "vm1", "a.b", "c=d", "qmon.launch.devices", "org.qmon.display\tdisplay0"), o.properties,
                "and the default display, as QEMU gives a machine its VGA console");
    }

    @Test
    void eachListenerBecomesOneNamedConfigurationLine() throws Exception {
        String line = only(parse("-qmp", "unix:/tmp/q.sock,io-threads=3")).configurationLine();
        String[] f = line.split("\t");
        assertEquals("org.qmon.qmp.listener", f[0]);
        assertTrue(f[1].startsWith("launch-"), f[1]);
        assertEquals(java.util.Set.of("path=/tmp/q.sock", "io.threads=3"), java.util.Set.copyOf(List.of(f).subList(2, f.length)));
        assertEquals(line, only(parse("-qmp", "unix:/tmp/q.sock,io-threads=3")).configurationLine(),
                "the same option gives the same configuration: applying it twice changes nothing");
    }

    @Test
    void badOptionsAreOneLineNamingTheOption() {
        assertEquals("-qmp expects unix:PATH or tcp:HOST:PORT, not 'stdio'", error("-qmp", "stdio"));
        assertEquals("-qmp unix:: missing path", error("-qmp", "unix:"));
        assertEquals("-qmp tcp:localhost: expected tcp:HOST:PORT", error("-qmp", "tcp:localhost"));
        assertEquals("-qmp tcp:localhost:99999: bad port 99999", error("-qmp", "tcp:localhost:99999"));
        assertEquals("-qmp tcp:localhost:x: bad port 'x'", error("-qmp", "tcp:localhost:x"));
        assertEquals("-qmp unix:/x,wait=on: unsupported option 'wait=on'", error("-qmp", "unix:/x,wait=on"));
        assertEquals("-qmp unix:/x,io-threads=0: io-threads must be 1..64, not 'io-threads=0'", error("-qmp", "unix:/x,io-threads=0"));
        assertTrue(error("-qmp", "unix:/x,io-threads=two").contains("io-threads must be 1..64"));
        assertEquals("-qmp needs a value", error("-qmp"));
        assertEquals("unknown option '-vnc'", error("-vnc", ":0"));
        assertEquals("unknown option 'stray'", error("stray"));
        assertEquals("-D expects KEY=VALUE, not 'novalue'", error("-D", "novalue"));
    }

    @Test
    void aBundleMustBeAnOsgiBundle() throws IOException {
        assertEquals("-bundle: no such file '" + dir.resolve("nope.jar") + "'", error("-bundle", "nope.jar"));
        Path plain = dir.resolve("plain.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plain), manifest(null))) {
            out.closeEntry();
        }
        assertEquals("-bundle " + plain + ": not an OSGi bundle (its manifest has no Bundle-SymbolicName)",
                error("-bundle", plain.toString()));
        Path text = Files.writeString(dir.resolve("text.jar"), "not a zip");
        assertTrue(error("-bundle", text.toString()).startsWith("-bundle " + text + ": not a jar"));
        Path good = dir.resolve("good.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(good), manifest("org.example.good"))) {
            out.closeEntry();
        }
        assertTrue(assertDoesNotThrow(() -> parse("-bundle", good.toString())).bundles.contains(good));
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }

    private static Manifest manifest(String bsn) {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        }
        return m;
    }

    @Test
    void listenersThatCannotWorkAreFoundBeforeAnythingStarts() throws Exception {
        String missing = dir.resolve("no/such/q.sock").toString();
        assertEquals("-qmp unix:" + missing + ": cannot listen on unix:" + missing + ": no such directory " + dir.resolve("no/such"),
                assertThrows(LaunchOptions.UsageException.class, () -> parse("-qmp", "unix:" + missing).preflight()).getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(LaunchOptions.UsageException.class, () -> parse("-qmp", "unix:" + file).preflight())
                .getMessage().endsWith("a file that is not a socket is in the way"));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String spec = "tcp:127.0.0.1:" + taken.getLocalPort();
            String msg = assertThrows(LaunchOptions.UsageException.class, () -> parse("-qmp", spec).preflight()).getMessage();
            assertTrue(msg.startsWith("-qmp " + spec + ": cannot listen on " + spec + ": "), msg);
        }
    }
}

package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Hashtable;

import org.junit.jupiter.api.Test;

/** QEMU-style {@code -qmp} specs become listener configurations, or a clear error. */
class LaunchConfiguratorTest {

    @Test
    void unixAndTcpSpecsWithQemuOptions() {
        Hashtable<String, Object> u = LaunchConfigurator.parse("unix:/tmp/q.sock,server=on,wait=off");
        assertEquals("/tmp/q.sock", u.get("path"));
        Hashtable<String, Object> t = LaunchConfigurator.parse("tcp:127.0.0.1:4444,server=on,wait=off");
        assertEquals("127.0.0.1", t.get("host"));
        assertEquals(4444, t.get("port"));
        Hashtable<String, Object> v6 = LaunchConfigurator.parse("tcp:[::1]:5555");
        assertEquals("::1", v6.get("host"));
        assertEquals("127.0.0.1", LaunchConfigurator.parse("tcp::4444").get("host"));
        assertEquals(null, u.get("io_threads"));
        assertEquals(2, LaunchConfigurator.parse("unix:/tmp/q.sock,server=on,io-threads=2").get("io_threads"));
    }

    @Test
    void badSpecsAreRefusedWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchConfigurator.parse("stdio"))
                .getMessage().contains("unix:PATH or tcp:HOST:PORT"));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfigurator.parse("unix:"));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfigurator.parse("tcp:localhost"));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfigurator.parse("tcp:localhost:99999"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchConfigurator.parse("unix:/x,wait=on")).getMessage().contains("wait=on"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchConfigurator.parse("unix:/x,io-threads=0")).getMessage().contains("io-threads must be 1..64"));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfigurator.parse("unix:/x,io-threads=two"));
    }
}

package org.qmon.hmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The built-in formatters, against QEMU 7.2's texts (system/runstate-hmp-cmds.c, monitor/hmp-cmds.c). */
class FormattersTest {

    private static Map<String, Object> status(boolean running, String status, boolean singlestep) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", running);
        m.put("singlestep", singlestep);
        m.put("status", status);
        return m;
    }

    @Test
    void infoStatus() {
        assertEquals("VM status: running\n", InfoStatusCommand.format(status(true, "running", false), Map.of()));
        assertEquals("VM status: paused\n", InfoStatusCommand.format(status(false, "paused", false), Map.of()));
        assertEquals("VM status: paused (shutdown)\n", InfoStatusCommand.format(status(false, "shutdown", false), Map.of()));
        assertEquals("VM status: paused (prelaunch)\n", InfoStatusCommand.format(status(false, "prelaunch", false), Map.of()));
        assertEquals("VM status: running (single step mode)\n",
                InfoStatusCommand.format(status(true, "running", true), Map.of()));
    }

    @Test
    void infoVersionAppendsThePackageWithoutSeparator() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("qemu", Map.of("major", 7, "minor", 2, "micro", 22));
        v.put("package", "Debian 1:7.2+dfsg-7+deb12u18+b3");
        assertEquals("7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3\n", InfoVersionCommand.format(v, Map.of()));
        v.put("package", "");
        assertEquals("7.2.22\n", InfoVersionCommand.format(v, Map.of()));
    }

    @Test
    void infoNamePrintsNothingWithoutAName() {
        assertEquals("demo\n", InfoNameCommand.format(Map.of("name", "demo"), Map.of()));
        assertEquals("", InfoNameCommand.format(Map.of(), Map.of()));
    }

    @Test
    void bannerHasQemusFormWithQmonsNameAndVersion() {
        assertEquals("qmon 0.1.0 monitor - type 'help' for more information\r\n(qemu) ",
                HmpRuntime.banner(new org.qmon.api.runtime.VersionInfo(new org.qmon.api.runtime.VersionInfo.Triple(0, 1, 0),
                        "qmon-0.1.0")));
    }

    @Test
    void shellArgumentsAreQuotedForHmp() {
        assertEquals("screendump \"my shot.png\" vga", HmpShell.join("screendump", new Object[] {"my shot.png", "vga"}));
        assertEquals("x \"a\\\"b\" \"\"", HmpShell.join("x", new Object[] {"a\"b", ""}));
        assertEquals("info status", HmpShell.join(null, new Object[] {"info", "status"}));
    }
}

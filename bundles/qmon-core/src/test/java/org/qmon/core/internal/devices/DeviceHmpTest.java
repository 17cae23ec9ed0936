package org.qmon.core.internal.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** HMP {@code device_add}'s option list, read as QEMU's option parser reads it. */
class DeviceHmpTest {

    @Test
    void theFirstItemIsTheDriverAndADoubledCommaIsAComma() {
        Map<String, Object> o = DeviceHmp.options("qmon-display,id=d1,title=a,,b,flag");
        assertEquals(List.of("driver", "id", "title", "flag"), List.copyOf(o.keySet()));
        assertEquals("qmon-display", o.get("driver"));
        assertEquals("a,b", o.get("title"));
        assertEquals("on", o.get("flag"));
    }

    @Test
    void aFlagWithNoBeforeItIsOff() {
        // QEMU 7.2's short-form boolean (deprecated there, still parsed): "nohelp" is help=off.
        Map<String, Object> o = DeviceHmp.options("qmon-display,nohelp,flag");
        assertEquals("off", o.get("help"));
        assertEquals("on", o.get("flag"));
        assertEquals("qmon-display", DeviceHmp.options("qmon-display").get("driver"));
    }

    @Test
    void ofSeveralIdsTheFirstCountsAndOfOtherRepeatsTheLast() {
        // QEMU 7.2: "device_add e1000,id=a1,id=b1" creates a1 (opts_parse_id takes the first id).
        Map<String, Object> o = DeviceHmp.options("qmon-display,id=a,xres=640,id=b,xres=800");
        assertEquals("a", o.get("id"));
        assertEquals("800", o.get("xres"));
    }

    @Test
    void aPropertyLineIsQemusObjectPropertyHelp() {
        // Lines of QEMU 7.2's "device_add virtio-vga,help" and "device_add isa-applesmc,help".
        assertEquals("  osk=<str>", DeviceHmp.propertyHelp("osk", "str", null, null));
        assertEquals("  iobase=<uint32>        -  (default: 768)", DeviceHmp.propertyHelp("iobase", "uint32", 768, null));
        assertEquals("  addr=<int32>           - Slot and optional function number, example: 06.0 or 06 (default: -1)",
                DeviceHmp.propertyHelp("addr", "int32", -1, "Slot and optional function number, example: 06.0 or 06"));
        assertEquals("  x-pcie-pm-init=<bool>  - on/off (default: true)",
                DeviceHmp.propertyHelp("x-pcie-pm-init", "bool", true, "on/off"));
        assertEquals("  big-endian-framebuffer=<bool>", DeviceHmp.propertyHelp("big-endian-framebuffer", "bool", null, null));
        // Past column 24 the " - " follows at once; defaults are JSON (a whole double as QEMU prints it).
        assertEquals("  refresh-rate=<number>  - Hz (default: 30)", DeviceHmp.propertyHelp("refresh-rate", "number", 30.0, "Hz"));
        assertEquals("  a-rather-long-name=<str> - t (default: \"x\\\"y\")",
                DeviceHmp.propertyHelp("a-rather-long-name", "str", "x\"y", "t"));
    }
}

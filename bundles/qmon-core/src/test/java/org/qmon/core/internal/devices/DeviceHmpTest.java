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
    void ofSeveralIdsTheFirstCountsAndOfOtherRepeatsTheLast() {
        // QEMU 7.2: "device_add e1000,id=a1,id=b1" creates a1 (opts_parse_id takes the first id).
        Map<String, Object> o = DeviceHmp.options("qmon-display,id=a,xres=640,id=b,xres=800");
        assertEquals("a", o.get("id"));
        assertEquals("800", o.get("xres"));
    }
}

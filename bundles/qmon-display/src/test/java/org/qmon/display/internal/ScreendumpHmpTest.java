package org.qmon.display.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** HMP {@code screendump}'s argument mapping. */
class ScreendumpHmpTest {

    @Test
    void anUnknownFormatIsRefusedWithQemusHmpText() {
        for (String f : List.of("jpg", "PNG", "", "png,ppm")) {
            Map<String, Object> parsed = new HashMap<>(Map.of("filename", "x.ppm", "format", f));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScreendumpHmp.arguments(parsed));
            assertEquals("invalid parameter value: " + f, e.getMessage());
        }
    }

    @Test
    void theArgumentsAreQmpsInOrderWithoutTheOnesNotGiven() {
        Map<String, Object> parsed = new HashMap<>();
        parsed.put("filename", "x.png");
        parsed.put("format", "png");
        parsed.put("device", null);
        assertEquals(List.of("filename", "format"), List.copyOf(ScreendumpHmp.arguments(parsed).keySet()));
        parsed.put("device", "display0");
        parsed.put("head", 0L);
        assertEquals(List.of("filename", "format", "device", "head"), List.copyOf(ScreendumpHmp.arguments(parsed).keySet()));
    }
}

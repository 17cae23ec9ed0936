package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** {@code -display}: the default display's launch configuration, and its absence. */
class LaunchOptionsDisplayTest {

    private static final Path CWD = Path.of("").toAbsolutePath();

    @Test
    void theDefaultIsOneDisplayNamedDisplay0() throws Exception {
        LaunchOptions o = LaunchOptions.parse(new String[0], CWD);
        assertTrue(o.display);
        assertEquals("org.qmon.display\tdisplay0", o.properties.get("qmon.launch.devices"));
    }

    @Test
    void displayNoneLeavesItOut() throws Exception {
        LaunchOptions o = LaunchOptions.parse(new String[] {"-display", "none"}, CWD);
        assertFalse(o.display);
        assertFalse(o.properties.containsKey("qmon.launch.devices"));
    }

    @Test
    void otherDisplayFrontEndsAreRefusedByName() {
        LaunchOptions.UsageException e = assertThrows(LaunchOptions.UsageException.class,
                () -> LaunchOptions.parse(new String[] {"-display", "sdl"}, CWD));
        assertTrue(e.getMessage().contains("'sdl'"), e.getMessage());
        assertThrows(LaunchOptions.UsageException.class, () -> LaunchOptions.parse(new String[] {"-display"}, CWD));
    }
}

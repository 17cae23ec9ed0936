package org.qmon.core.internal.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.qmon.api.CommandException;
import org.qmon.api.device.Device;

/** device_add's property conversion, with the texts QEMU 7.2 gives for the same inputs. */
class PropertySpecTest {

    private static final PropertySpec WIDTH = new PropertySpec("width", AttributeDefinition.INTEGER, null, 720,
            v -> Integer.parseInt(v) < 16 ? "%less than minimum" : "");
    private static final PropertySpec RATE = new PropertySpec("refresh-rate", AttributeDefinition.DOUBLE, null, 30.0, null);
    private static final PropertySpec EDID = new PropertySpec("edid", AttributeDefinition.BOOLEAN, null, true, null);
    private static final PropertySpec NAME = new PropertySpec("name", AttributeDefinition.STRING, null, null, null);

    private static String error(PropertySpec p, Object value) {
        return assertThrows(CommandException.class, () -> p.convert("qmon-display", value)).description();
    }

    @Test
    void integersAreTakenAsNumbersOrInTheirStringForm() throws CommandException {
        assertEquals(640, WIDTH.convert("qmon-display", 640));
        assertEquals(640, WIDTH.convert("qmon-display", "640"));
        assertEquals(640, WIDTH.convert("qmon-display", " 640"), "leading blanks, as qemu_strtoi64");
        assertEquals(16, WIDTH.convert("qmon-display", "0x10"), "hexadecimal, as qemu_strtoi64");
    }

    @Test
    void whatIsNoIntegerGetsQemusTexts() {
        // QEMU 7.2, secondary-vga xres="12x" / 1.5 / true: "Parameter 'xres' expects integer"
        assertEquals("Parameter 'width' expects integer", error(WIDTH, "12x"));
        assertEquals("Parameter 'width' expects integer", error(WIDTH, 1.5));
        assertEquals("Parameter 'width' expects integer", error(WIDTH, true));
        assertEquals("Parameter 'width' expects integer", error(WIDTH, Map.of("a", 1)));
        assertEquals("Parameter 'width' expects int32_t", error(WIDTH, new BigInteger("4294967296")));
    }

    @Test
    void theAttributesOwnCheckIsApplied() {
        assertEquals("Property 'qmon-display.width' doesn't take value '8' (less than minimum)", error(WIDTH, 8));
    }

    @Test
    void booleansNumbersAndStrings() throws CommandException {
        assertEquals(Boolean.FALSE, EDID.convert("d", "off"));
        assertEquals(Boolean.TRUE, EDID.convert("d", true));
        assertEquals("Parameter 'edid' expects 'on' or 'off'", error(EDID, "maybe"));
        assertEquals(0.5, RATE.convert("d", 0.5));
        assertEquals(2.0, RATE.convert("d", "2"));
        assertEquals("Parameter 'refresh-rate' expects number", error(RATE, "fast"));
        assertEquals("on", NAME.convert("d", true), "scalars as QEMU's qemu_opts_from_qdict writes them");
        assertEquals("12", NAME.convert("d", 12));
        assertEquals("Parameter 'name' expects string", error(NAME, List.of()));
    }

    @Test
    void driverNamesAndIdsAreReadAsQemuDoes() {
        assertEquals("on", PropertySpec.scalarText(true), "QEMU 7.2: '\"driver\": true' -> \"'on' is not a valid device model name\"");
        assertEquals("5", PropertySpec.scalarText(5));
        assertEquals(null, PropertySpec.scalarText(Map.of()));
        assertEquals(true, Device.isWellFormedId("a_b.c-d"));
        assertEquals(false, Device.isWellFormedId("1abc"));
        assertEquals(false, Device.isWellFormedId("a b"));
        assertEquals(false, Device.isWellFormedId(""));
        assertEquals("display0", Device.idOf(Map.of("service.pid", "org.qmon.display~display0")).orElseThrow());
        assertEquals("x", Device.idOf(Map.of("id", "x", "service.pid", "org.qmon.display~display0")).orElseThrow());
        assertEquals(true, Device.idOf(Map.of("service.pid", "org.qmon.display.1234-abcd")).isEmpty());
    }

    @Test
    void qomTypeNames() {
        assertEquals("int32", WIDTH.qomType());
        assertEquals("number", RATE.qomType());
        assertEquals("bool", EDID.qomType());
        assertEquals("str", NAME.qomType());
        assertEquals("int64", PropertySpec.qomTypeOf(3L));
    }
}

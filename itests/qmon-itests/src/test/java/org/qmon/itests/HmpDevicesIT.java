package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.qmon.client.QmpClient;

/**
 * The human forms of the display and device commands (HMP {@code screendump}, {@code device_add},
 * {@code device_del}, {@code info qtree}), run through QMP's {@code human-monitor-command} against the
 * running bundles: each is its QMP command plus QEMU's syntax and a formatter.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HmpDevicesIT extends DeviceTestSupport {

    private static String hmp(QmpClient c, String line) throws Exception {
        return c.execute("human-monitor-command", Map.of("command-line", line)).get(T, TimeUnit.SECONDS).asText();
    }

    @Test
    public void deviceAddInQemusOptionSyntaxInfoQtreeAndDeviceDel() throws Exception {
        ensureDisplayBundleActive();
        QmpClient c = connect();
        String id = uniqueId("hmpdev");
        assertEquals("", hmp(c, "device_add qmon-display,id=" + id + ",width=320,height=200"));
        assertTrue(display(id).isPresent());
        assertEquals(320, display(id).orElseThrow().properties().get("width"));
        String qtree = hmp(c, "info qtree");
        assertTrue(qtree, qtree.contains("  dev: qmon-display, id \"" + id + "\"\r\n"));
        assertEquals("Error: 'nope' is not a valid device model name\r\n", hmp(c, "device_add nope,id=x"));
        assertEquals("QEMU 7.2's text", "Error: Parameter 'driver' is missing\r\n", hmp(c, "device_add"));
        assertEquals("Error: Duplicate device ID '" + id + "'\r\n", hmp(c, "device_add qmon-display,id=" + id));
        assertEquals("", hmp(c, "device_del " + id));
        assertTrue(display(id).isEmpty());
        assertEquals("Error: Device '" + id + "' not found\r\n", hmp(c, "device_del " + id));
    }

    @Test
    public void deviceAddsHelpFormsListTheModelsAndADriversPropertiesOnTheMonitorOnly() throws Exception {
        ensureDisplayBundleActive();
        QmpClient c = connect();
        // QEMU's qdev_print_devinfos: models by category; qmon's have none, so QEMU's last header.
        String models = "\r\nUncategorized devices:\r\nname \"qmon-display\", desc \"qmon virtual display\"\r\n";
        assertEquals(models, hmp(c, "device_add help"));
        assertEquals(models, hmp(c, "device_add ?"));
        assertEquals(models, hmp(c, "device_add driver=help,id=x"));
        // QEMU's qdev_device_help: any help option, whatever its value, lists the driver's properties.
        String props = "qmon-display options:\r\n"
                + "  height=<int32>         - Height in pixels. (default: 400)\r\n"
                + "  refresh-rate=<number>  - Frames per second at most, rendered only while a screendump waits. (default: 30)\r\n"
                + "  width=<int32>          - Width in pixels. (default: 720)\r\n";
        assertEquals(props, hmp(c, "device_add qmon-display,help"));
        assertEquals(props, hmp(c, "device_add qmon-display,id=x,help=off"));
        assertEquals(props, hmp(c, "device_add qmon-display,nohelp"));
        // A bad id is refused before any help, as QEMU's option parser refuses it.
        assertEquals("Error: Parameter 'id' expects an identifier\r\n", hmp(c, "device_add qmon-display,id=1a,help"));
        assertEquals("Error: Parameter 'id' expects an identifier\r\n", hmp(c, "device_add help,id=1a"));
        assertEquals("Device 'nosuch' not found\r\n", hmp(c, "device_add nosuch,?"));
        assertTrue("no display was made by a help form", display("x").isEmpty());
        // Without a driver it is no help form, as in QEMU; and QMP's device_add has no help forms.
        assertEquals("Error: Parameter 'driver' is missing\r\n", hmp(c, "device_add id=x,help"));
        assertQmpError(c.execute("device_add", Map.of("driver", "help")), "GenericError", "'help' is not a valid device model name");
    }

    @Test
    public void screendumpWritesTheFileInEitherFormat() throws Exception {
        ensureDisplayBundleActive();
        QmpClient c = connect();
        String id = uniqueId("hmpshot");
        addDisplay(id, Map.of("width", 64, "height", 48));
        Path dir = workDir();
        Path ppm = dir.resolve(id + ".ppm");
        assertEquals("", hmp(c, "screendump " + ppm + " " + id));
        assertTrue(new String(Files.readAllBytes(ppm), StandardCharsets.ISO_8859_1).startsWith("P6\n64 48\n255\n"));
        Path png = dir.resolve(id + ".png");
        assertEquals("", hmp(c, "screendump " + png + " -f png " + id));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(64, img.getWidth());
        assertEquals("screendump: filename expected\r\nTry \"help screendump\" for more information\r\n", hmp(c, "screendump"));
        assertTrue(hmp(c, "screendump " + dir.resolve("x.ppm") + " no-such-display").startsWith("Error: Device 'no-such-display' not found"));
    }
}

package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpEvent;

/**
 * Devices end to end: QMP's {@code device_add}, {@code device_del}, {@code qom-list}, {@code qom-get}
 * and {@code device-list-properties} against the real display driver, Configuration Admin as the other
 * way in, {@code DEVICE_DELETED}, and a driver bundle that leaves and comes back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceIT extends DeviceTestSupport {

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    @Test
    public void deviceAddCreatesTheDeviceBeforeItAnswersAndDeviceDelRemovesItAfterDeviceDeleted() throws Exception {
        QmpClient c = connectOrdered();
        String id = uniqueId("d");
        c.execute("device_add", args("driver", "qmon-display", "id", id, "width", 320, "height", "200"))
                .get(T, TimeUnit.SECONDS);
        // No wait: the device exists when device_add has answered.
        JsonNode peripheral = c.execute("qom-list", args("path", "/machine/peripheral")).get(T, TimeUnit.SECONDS);
        assertTrue(peripheral.toString(), names(peripheral).contains(id));
        assertEquals(320, c.execute("qom-get", args("path", "/machine/peripheral/" + id, "property", "width"))
                .get(T, TimeUnit.SECONDS).asInt());
        assertEquals(200, c.execute("qom-get", args("path", id, "property", "height")).get(T, TimeUnit.SECONDS).asInt());
        assertEquals("qmon-display", c.execute("qom-get", args("path", id, "property", "type")).get(T, TimeUnit.SECONDS)
                .asText());
        JsonNode props = c.execute("qom-list", args("path", "/machine/peripheral/" + id)).get(T, TimeUnit.SECONDS);
        assertTrue(names(props).containsAll(List.of("type", "realized", "width", "height", "refresh-rate")));

        // It is a configuration like any other.
        Configuration[] configs = configurationAdmin.listConfigurations("(service.pid=" + DISPLAY_PID + "~" + id + ")");
        assertNotNull(configs);
        assertEquals(320, configs[0].getProperties().get("width"));

        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<QmpEvent> deleted = c.nextEvent("DEVICE_DELETED");
        deleted.thenRun(() -> order.add("event"));
        c.execute("device_del", args("id", id)).thenRun(() -> order.add("reply")).get(T, TimeUnit.SECONDS);
        assertEquals("the event before the reply, as QEMU for a device that unplugs at once",
                List.of("event", "reply"), order);
        JsonNode data = deleted.get(T, TimeUnit.SECONDS).data();
        assertEquals(id, data.get("device").asText());
        assertEquals("/machine/peripheral/" + id, data.get("path").asText());
        assertNull(configurationAdmin.listConfigurations("(service.pid=" + DISPLAY_PID + "~" + id + ")"));
        assertQmpError(c.execute("qom-get", args("path", "/machine/peripheral/" + id, "property", "width")),
                "DeviceNotFound", "Device '/machine/peripheral/" + id + "' not found");
        // The worker ends when the component is deactivated, which follows the service's unregistration
        // (and so DEVICE_DELETED and the reply) on the framework's thread: wait for it, bounded.
        awaitCondition(() -> workerThreads(id) == 0, "the display's worker to end");
    }

    @Test
    public void deviceAddAndDeviceDelAnswerQemusErrors() throws Exception {
        QmpClient c = connect();
        String id = uniqueId("e");
        assertQmpError(c.execute("device_add", args()), "GenericError", "Parameter 'driver' is missing");
        assertQmpError(c.execute("device_add", args("driver", "nope", "id", id)), "GenericError",
                "'nope' is not a valid device model name");
        assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", "1abc")), "GenericError",
                "Parameter 'id' expects an identifier");
        assertQmpError(c.execute("device_add", args("driver", "qmon-display")), "GenericError",
                "Parameter 'id' is missing");
        assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", id, "bogus", 1)), "GenericError",
                "Property 'qmon-display.bogus' not found");
        assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", id, "width", "wide")),
                "GenericError", "Parameter 'width' expects integer");
        assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", id, "width", 8)),
                "GenericError", "Property 'qmon-display.width' doesn't take value '8' (less than minimum)");
        assertTrue("no failed add leaves a device", displays().isEmpty());
        c.execute("device_add", args("driver", "qmon-display", "id", id)).get(T, TimeUnit.SECONDS);
        assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", id)), "GenericError",
                "Duplicate device ID '" + id + "'");
        assertQmpError(c.execute("device_del", args("id", "nope")), "DeviceNotFound", "Device 'nope' not found");
        assertQmpError(c.execute("device_del", args()), "GenericError", "Parameter 'id' is missing");
        // QEMU's device_del takes an id or a QOM path; a path to something that is no device is refused.
        assertQmpError(c.execute("device_del", args("id", "/machine")), "GenericError",
                "/machine is not a hotpluggable device");
        assertQmpError(c.execute("device_del", args("id", "/machine/peripheral/nope")), "DeviceNotFound",
                "Device '/machine/peripheral/nope' not found");
        assertQmpError(c.execute("device-list-properties", args("typename", "nope")), "DeviceNotFound",
                "Device 'nope' not found");
        assertQmpError(c.execute("qom-list", args("path", "/machine/nope")), "DeviceNotFound",
                "Device '/machine/nope' not found");
        assertQmpError(c.execute("qom-get", args("path", "/machine/peripheral", "property", "nope")), "GenericError",
                "Property 'container.nope' not found");
        assertQmpError(c.execute("qom-get", args("path", id, "property", "nope")), "GenericError",
                "Property 'qmon-display.nope' not found");
        c.execute("device_del", args("id", "/machine/peripheral/" + id)).get(T, TimeUnit.SECONDS);
        assertTrue("deleted through its QOM path", displays().isEmpty());
        // The connection goes on.
        assertEquals("running", c.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
    }

    @Test
    public void deviceListPropertiesComesFromTheDriversMetatype() throws Exception {
        QmpClient c = connect();
        JsonNode props = c.execute("device-list-properties", args("typename", "qmon-display")).get(T, TimeUnit.SECONDS);
        assertEquals(List.of("width", "height", "refresh-rate"), names(props));
        assertEquals("int32", props.get(0).get("type").asText());
        assertEquals(720, props.get(0).get("default-value").asInt());
        assertEquals(400, props.get(1).get("default-value").asInt());
        assertEquals(30.0, props.get(2).get("default-value").asDouble(), 0.0);
        assertTrue(props.get(2).get("description").asText().contains("Frames per second"));
    }

    @Test
    public void aConfigurationWrittenWithConfigAdminIsADeviceAndDeletingItSendsDeviceDeleted() throws Exception {
        QmpClient c = connect();
        String id = uniqueId("cfg");
        Configuration config = configurationAdmin.getFactoryConfiguration(DISPLAY_PID, id, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("width", 100);
        config.update(p);
        // The device registry binds the display after it is registered (a configured device appears
        // asynchronously, with no reply to wait for): wait until QMP sees it.
        awaitCondition(() -> {
            try {
                return names(c.execute("qom-list", args("path", "/machine/peripheral")).get(T, TimeUnit.SECONDS))
                        .contains(id);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "the configured display");
        // The id comes from the configuration's name; QMP sees the device.
        assertEquals(100, c.execute("qom-get", args("path", id, "property", "width")).get(T, TimeUnit.SECONDS).asInt());
        assertEquals(1, workerThreads(id));

        CompletableFuture<QmpEvent> deleted = c.nextEvent("DEVICE_DELETED");
        config.delete();
        assertEquals(id, deleted.get(T, TimeUnit.SECONDS).data().get("device").asText());
        awaitCondition(() -> workerThreads(id) == 0, "the worker thread to end");
        assertFalse(names(c.execute("qom-list", args("path", "/machine/peripheral")).get(T, TimeUnit.SECONDS))
                .contains(id));
    }

    @Test
    public void uninstallingTheDriverBundleTakesItsDevicesAndItsConfigurationsBringThemBack() throws Exception {
        QmpClient c = connect();
        String a = uniqueId("u");
        String b = uniqueId("u");
        c.execute("device_add", args("driver", "qmon-display", "id", a)).get(T, TimeUnit.SECONDS);
        c.execute("device_add", args("driver", "qmon-display", "id", b, "width", 640)).get(T, TimeUnit.SECONDS);
        Set<String> gone = ConcurrentHashMap.newKeySet();
        var sub = c.subscribe(Set.of("DEVICE_DELETED"), e -> gone.add(e.data().get("device").asText()));
        try {
            Bundle driver = displayBundle();
            driver.uninstall();
            awaitCondition(() -> gone.containsAll(Set.of(a, b)), "DEVICE_DELETED for both devices");
            assertTrue(displays().isEmpty());
            assertEquals(0, workerThreads(a) + workerThreads(b));
            assertQmpError(c.execute("device_add", args("driver", "qmon-display", "id", uniqueId("x"))), "GenericError",
                    "'qmon-display' is not a valid device model name");

            Bundle back = context.installBundle(bundleUrl("qmon-display"));
            back.start();
            awaitCondition(() -> display(a).isPresent() && display(b).isPresent(), "both devices to come back");
            assertEquals(640, c.execute("qom-get", args("path", b, "property", "width")).get(T, TimeUnit.SECONDS).asInt());
        } finally {
            sub.close();
            ensureDisplayBundleActive();
        }
    }
}

package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpException;

/**
 * {@code query-qmp-schema} over the real bundles: live with the registry, walkable, and readable the
 * way libvirt reads it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchemaIT extends QmonTestSupport {

    private static final long T = WAIT.toSeconds();

    private static SchemaPaths schema(QmpClient c) throws Exception {
        return new SchemaPaths(c.execute("query-qmp-schema").get(T, TimeUnit.SECONDS));
    }

    @Test
    public void aHotInstalledBundlesCommandAndTypesAppearAndLeaveWithIt() throws Exception {
        QmpClient c = connect();
        SchemaPaths before = schema(c);
        assertTrue(before.entry("itest-hello") == null);
        Bundle hot = context.installBundle(bundleUrl("qmon-itest-hot"));
        hot.start();
        awaitCondition(() -> dispatcherHas("itest-hello", true), "itest-hello to appear");
        SchemaPaths with = schema(c);
        assertTrue(with.has("itest-hello/arg-type/name/!string"));
        assertFalse("name is required", with.has("itest-hello/arg-type/*name"));
        assertTrue(with.has("itest-hello/ret-type/greeting/!string"));
        assertTrue(with.has("ITEST_PARKED/arg-type/session/!int") || with.entry("itest-park") != null);
        hot.uninstall();
        awaitCondition(() -> dispatcherHas("itest-hello", false), "itest-hello to leave");
        SchemaPaths after = schema(c);
        assertTrue(after.entry("itest-hello") == null);
        assertEquals("no stale types: the schema is what it was", before.size(), after.size());
    }

    @Test
    public void libvirtsQueriesFindWhatQmonHas() throws Exception {
        SchemaPaths s = schema(connect());
        for (String yes : List.of("query-status/ret-type/status/^paused", "query-status/ret-type/running/!boolean",
                "qmp_capabilities/arg-type/*enable/^oob", "query-name/ret-type/*name/!string",
                "query-version/ret-type/qemu/major/!int", "query-version/ret-type/package/!string",
                "SHUTDOWN/arg-type/reason/^host-qmp-quit", "SHUTDOWN/arg-type/guest/!boolean", "STOP", "RESUME",
                "query-commands/ret-type/name/!string", "quit", "stop", "cont", "query-qmp-schema",
                "screendump/arg-type/device", "screendump/arg-type/*format/^png", "device_add/arg-type/*id",
                "DEVICE_DELETED/arg-type/path/!string", "DEVICE_DELETED/arg-type/*device",
                "human-monitor-command/arg-type/command-line/!string", "human-monitor-command/arg-type/*cpu-index/!int",
                "human-monitor-command/ret-type/!string",
                // QEMU's JobInfo: '*error' optional, the rest mandatory
                "query-jobs/ret-type/*error/!string", "query-jobs/ret-type/id/!string",
                "query-jobs/ret-type/current-progress/!int",
                // QEMU's ObjectPropertyInfo, for both: description and default-value optional
                "device-list-properties/ret-type/name/!string", "device-list-properties/ret-type/*description/!string",
                "device-list-properties/ret-type/*default-value", "qom-list/ret-type/type/!string",
                "qom-list/ret-type/*description/!string")) {
            assertTrue(yes, s.has(yes));
        }
        for (String no : List.of("query-status/ret-type/*status", "query-status/ret-type/status/^nonsense",
                "no-such-command", "query-name/ret-type/name/!int", "query-jobs/ret-type/*id/!string",
                "query-jobs/ret-type/*current-progress/!int")) {
            assertFalse(no, s.has(no));
        }
    }

    /**
     * QEMU's qmp-cmd-test: every command that can be called without arguments is called, and answers
     * with a return or an error it documents. {@code quit} is left out: it ends the platform.
     */
    @Test
    public void everyCommandWhoseArgumentsAreAllOptionalAnswersWhenCalledWithout() throws Exception {
        QmpClient c = connect();
        JsonNode raw = c.execute("query-qmp-schema").get(T, TimeUnit.SECONDS);
        SchemaPaths s = new SchemaPaths(raw);
        Map<String, String> documentedErrors = Map.of(
                "qmp_capabilities", "Capabilities negotiation is already complete, command ignored",
                // driver and id are checked by the command, in QEMU's order (id's form first).
                "device_add", "Parameter 'driver' is missing");
        Set<String> skipped = Set.of("quit");
        List<String> called = new ArrayList<>();
        for (JsonNode e : raw) {
            if (!e.path("meta-type").asText().equals("command") || skipped.contains(e.path("name").asText())) {
                continue;
            }
            boolean allOptional = true;
            for (JsonNode m : s.entry(e.path("arg-type").asText()).path("members")) {
                allOptional &= m.has("default");
            }
            if (!allOptional) {
                continue;
            }
            String name = e.path("name").asText();
            called.add(name);
            try {
                c.execute(name).get(T, TimeUnit.SECONDS);
                assertFalse(name + " is documented to fail", documentedErrors.containsKey(name));
            } catch (ExecutionException x) {
                QmpException q = (QmpException) x.getCause();
                assertEquals(name + ": " + q.description(), documentedErrors.get(name), q.description());
            }
        }
        c.execute("cont").get(T, TimeUnit.SECONDS); // whatever order stop and cont came in
        assertTrue(called.toString(), called.containsAll(List.of("query-status", "query-version", "query-commands",
                "query-qmp-schema", "stop", "cont", "qmp_capabilities")));
    }

    @Test
    public void everyArgumentErrorNamesAMemberTheSchemaHas() throws Exception {
        QmpClient c = connect();
        JsonNode raw = c.execute("query-qmp-schema").get(T, TimeUnit.SECONDS);
        SchemaPaths s = new SchemaPaths(raw);
        int checked = 0;
        for (JsonNode e : raw) {
            if (!e.path("meta-type").asText().equals("command")) {
                continue;
            }
            String name = e.path("name").asText();
            for (JsonNode m : s.entry(e.path("arg-type").asText()).path("members")) {
                String member = m.path("name").asText();
                // A value of no JSON type any member accepts except 'any': a nested array of objects.
                try {
                    c.execute(name, Map.of(member, List.of(List.of(Map.of("x", 1))))).get(T, TimeUnit.SECONDS);
                    if (!"any".equals(m.path("type").asText())) {
                        fail(name + "." + member + " accepted a value of the wrong type");
                    }
                } catch (ExecutionException x) {
                    String desc = ((QmpException) x.getCause()).description();
                    assertTrue(name + ": " + desc, desc.contains("'" + member) || desc.contains("'null'")
                            || desc.startsWith("Parameter '") && s.has(name + "/arg-type/" + desc.split("'")[1].split("[.\\[]")[0]));
                    checked++;
                }
            }
        }
        assertTrue("some members were checked", checked > 0);
    }
}

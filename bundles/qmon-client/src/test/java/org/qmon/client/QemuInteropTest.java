package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real QEMU ({@code -machine none}), one QEMU and one connection for the class
 * (QEMU serves one client per {@code -qmp} socket). Skipped when {@code qemu-system-x86_64} is not on
 * the PATH.
 */
class QemuInteropTest {
    private static final long WAIT = 30;

    @TempDir
    static Path dir;

    private static QemuProcess qemu;
    private static QmpClient client;

    @BeforeAll
    static void startQemu() throws Exception {
        if (!QemuProcess.available()) {
            return; // each test is then skipped, with the reason, by requireQemu()
        }
        qemu = QemuProcess.start(dir, "-machine", "none", "-nodefaults", "-display", "none");
        client = qemu.connect(QmpClientOptions.defaults());
    }

    @BeforeEach
    void requireQemu() {
        QemuProcess.assumeAvailable();
    }

    @AfterAll
    static void stopQemu() throws Exception {
        try {
            if (client != null) {
                client.close();
                QmpClientTest.assertThreadsEnded(client);
            }
        } finally {
            if (qemu != null) {
                qemu.close();
            }
        }
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT, TimeUnit.SECONDS);
    }

    static QmpException qmpError(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(WAIT, TimeUnit.SECONDS));
        return assertInstanceOf(QmpException.class, e.getCause());
    }

    record Qemu(int major, int minor, int micro) {
    }

    record VersionInfo(Qemu qemu, @JsonProperty("package") String pkg) {
    }

    @Test
    void greetingOffersOobAndNegotiationEnabledIt() {
        JsonNode qmp = client.greeting().get("QMP");
        assertTrue(qmp.get("version").get("qemu").get("major").asInt() >= 7, qmp.toString());
        assertEquals("[\"oob\"]", qmp.get("capabilities").toString());
        assertEquals(Set.of("oob"), client.serverCapabilities());
        assertEquals(Set.of("oob"), client.enabledCapabilities());
        assertTrue(client.isOpen());
    }

    @Test
    void queryVersionMatchesTheGreeting() throws Exception {
        VersionInfo version = await(client.execute("query-version", null, VersionInfo.class));
        JsonNode greeted = client.greeting().get("QMP").get("version");
        assertEquals(greeted.get("qemu").get("major").asInt(), version.qemu().major());
        assertEquals(greeted.get("qemu").get("minor").asInt(), version.qemu().minor());
        assertEquals(greeted.get("package").asText(), version.pkg());
        assertEquals(greeted, await(client.execute("query-version")));
    }

    @Test
    void queryStatus() throws Exception {
        JsonNode status = await(client.execute("query-status"));
        assertTrue(status.get("running").isBoolean(), status.toString());
        assertTrue(status.get("status").isTextual(), status.toString());
    }

    @Test
    void unknownCommandIsCommandNotFound() {
        QmpException e = qmpError(client.execute("no-such-cmd"));
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("The command no-such-cmd has not been found", e.description());
    }

    @Test
    void missingArgumentIsGenericError() {
        QmpException e = qmpError(client.execute("human-monitor-command"));
        assertEquals("GenericError", e.errorClass());
        assertEquals("Parameter 'command-line' is missing", e.description());
    }

    @Test
    void secondNegotiationIsRejected() {
        QmpException e = qmpError(client.execute("qmp_capabilities"));
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("Capabilities negotiation is already complete, command ignored", e.description());
    }

    @Test
    void humanMonitorCommandReturnsAString() throws Exception {
        String text = await(client.execute("human-monitor-command", Map.of("command-line", "info version"), String.class));
        int major = client.greeting().get("QMP").get("version").get("qemu").get("major").asInt();
        assertTrue(text.startsWith(major + "."), text);
        assertTrue(text.endsWith("\r\n"), text);
    }

    @Test
    void fiftyPipelinedCallsAreAllAnswered() throws Exception {
        List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(client.execute("query-name"));
        }
        for (CompletableFuture<JsonNode> f : futures) {
            assertTrue(await(f).isObject());
        }
    }

    @Test
    void execOobOfANonOobCommandIsRefused() {
        QmpException e = qmpError(client.executeOob("query-status", null));
        assertEquals("GenericError", e.errorClass());
        assertEquals("The command query-status does not support OOB", e.description());
    }

    @Test
    void execOobOfAnOobCommandRunsOutOfBand() {
        QmpException e = qmpError(client.executeOob("migrate-pause", null));
        assertEquals("GenericError", e.errorClass());
        assertEquals("migrate-pause is currently only supported during postcopy-active state", e.description());
    }

    @Test
    void queryQmpSchemaParses() throws Exception {
        JsonNode schema = await(client.execute("query-qmp-schema"));
        assertTrue(schema.isArray());
        assertTrue(schema.size() > 500, "entities: " + schema.size());
        assertTrue(schema.toString().length() > 100_000, "size: " + schema.toString().length());
        boolean found = false;
        for (JsonNode entity : schema) {
            if ("command".equals(entity.path("meta-type").asText()) && "query-status".equals(entity.path("name").asText())) {
                found = true;
            }
        }
        assertTrue(found, "query-status is in the schema");
    }
}

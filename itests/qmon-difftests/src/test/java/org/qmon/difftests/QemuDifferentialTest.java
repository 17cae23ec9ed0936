package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.qmon.difftests.DiffHarness.WAIT_MS;
import static org.qmon.difftests.DiffHarness.assumeQemuInstalled;
import static org.qmon.difftests.DiffHarness.onPath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qmon.difftests.DiffHarness.RawConnection;
import org.qmon.difftests.DiffHarness.RawConnection.Encoding;
import org.qmon.difftests.DiffHarness.WorkingDirectory;

/**
 * Differential conformance: the same raw bytes go to QEMU 7.2 ({@code -machine none}) and to the qmon
 * distribution, each on a fresh connection; the replies are compared as parsed JSON after normalising
 * what legitimately differs (the greeting's version and package, event timestamps). Rows refer to the
 * checklist in shared/reference/qmp-protocol.md §12-13. Where qmon deliberately differs, the test's
 * name says so.
 *
 * <p>QEMU runs with {@code -machine none}: {@code stop} and {@code cont} work there (STOP and RESUME are
 * emitted, query-status reports paused/running), so no bootable machine is needed. One QEMU serves one
 * client per socket, so every exchange opens, uses and closes its own connection, in sequence.
 */
class QemuDifferentialTest {

    /** Reads replies as deep as QEMU's parser lets requests be (Jackson's own default stops at 1000). */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(4096).build())
            .build());
    private static final String NEGOTIATE = "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n";
    private static final String NEGOTIATE_WITHOUT_OOB = "{\"execute\": \"qmp_capabilities\"}\n";
    /** The recovery probe of QEMU's test_malformed(). */
    private static final String RECOVERY = "{\"execute\": \"no-such-cmd\"}\n";

    @TempDir
    static Path dir;
    private static DiffHarness processes;
    private static Path qemuSocket;
    private static Path qmonSocket;

    @BeforeAll
    static void start() throws Exception {
        assumeQemuInstalled();
        qemuSocket = dir.resolve("qemu.sock");
        qmonSocket = dir.resolve("qmon.sock");
        processes = DiffHarness.startWithQmp(dir, WorkingDirectory.INHERITED, Encoding.BYTES, qemuSocket, qmonSocket,
                "-machine", "none", "-nodefaults", "-display", "none");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (processes != null) {
            processes.stop();
        }
    }

    /** A raw connection that sends each char as one byte and accepts only ASCII back. */
    private static RawConnection connect(Path socket) throws IOException {
        return new RawConnection(socket, Encoding.BYTES);
    }

    /** Connects, reads the greeting, sends the bytes, reads {@code replies} replies (events included). */
    private static List<JsonNode> exchange(Path socket, String bytes, int replies) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (RawConnection c = connect(socket)) {
            out.add(normalise(JSON.readTree(c.line(WAIT_MS))));
            c.send(bytes);
            int got = 0;
            while (got < replies) {
                String l = c.line(WAIT_MS);
                assertNotNull(l, () -> socket.getFileName() + ": missing reply after " + out);
                JsonNode n = normalise(JSON.readTree(l));
                out.add(n);
                if (!n.has("event")) {
                    got++;
                }
            }
        }
        return out;
    }

    /** Removes what legitimately differs: the greeting's version and package, event timestamps. */
    private static JsonNode normalise(JsonNode n) {
        if (n.has("QMP")) {
            ObjectNode v = (ObjectNode) n.get("QMP").get("version");
            JsonNode q = v.get("qemu");
            assertEquals(3, q.size(), "version.qemu has exactly major, minor, micro");
            assertEquals(2, v.size(), "version has exactly qemu and package");
            v.put("package", "*");
            ((ObjectNode) q).put("major", 0).put("minor", 0).put("micro", 0);
        }
        JsonNode ret = n.get("return");
        if (ret != null && ret.has("qemu") && ret.has("package")) {
            assertEquals(2, ret.size(), "query-version returns exactly qemu and package");
            assertEquals(3, ret.get("qemu").size(), "query-version's qemu has exactly major, minor, micro");
            ((ObjectNode) ret).put("package", "*");
            ((ObjectNode) ret.get("qemu")).put("major", 0).put("minor", 0).put("micro", 0);
        }
        if (n.has("timestamp")) {
            JsonNode ts = n.get("timestamp");
            assertEquals(2, ts.size());
            ((ObjectNode) n).put("timestamp", "*");
        }
        return n;
    }

    private static void assertSame(String bytes, int replies) throws IOException {
        List<JsonNode> fromQemu = exchange(qemuSocket, bytes, replies);
        List<JsonNode> fromQmon = exchange(qmonSocket, bytes, replies);
        assertEquals(fromQemu, fromQmon, () -> "request: " + bytes.trim());
    }

    static Stream<Arguments> negotiationRows() {
        return Stream.of(
                Arguments.of("query-version before negotiation (row 2)", "{\"execute\": \"query-version\"}\n", 1),
                Arguments.of("command before negotiation", "{\"execute\": \"query-status\"}\n", 1),
                Arguments.of("with id", "{\"execute\": \"query-status\", \"id\": 1}\n", 1),
                Arguments.of("unknown command", "{\"execute\": \"no-such-cmd\", \"id\": \"a\"}\n", 1),
                Arguments.of("bogus capability (row 31)",
                        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"cap-does-not-exist\"]}}\n", 1),
                Arguments.of("enable not a list", "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}\n", 1),
                Arguments.of("enable [1]", "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}}\n", 1),
                Arguments.of("exec-oob while negotiating", "{\"exec-oob\": \"qmp_capabilities\"}\n", 1),
                Arguments.of("malformed while negotiating", "{\"execute\": }\n", 1),
                Arguments.of("negotiate twice (rows 14-15)", "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"qmp_capabilities\"}\n", 2),
                Arguments.of("pipelined negotiation and command", "{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-name\", \"id\": 5}\n", 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negotiationRows")
    void negotiationModeMatchesQemu(String what, String bytes, int replies) throws IOException {
        assertSame(bytes, replies);
    }

    static Stream<Arguments> commandRows() {
        String nest = "[".repeat(1025) + "\n";
        StringBuilder twenty = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            twenty.append("{\"execute\": \"query-name\", \"id\": ").append(i).append("}");
        }
        return Stream.of(
                Arguments.of("expecting value (row 17)", "{\"execute\": }\n", 1),
                Arguments.of("array (D2)", "[]\n", 1),
                Arguments.of("string (D2)", "\"x\"\n", 1),
                Arguments.of("number (D2)", "1\n", 1),
                Arguments.of("lacks execute", "{}\n", 1),
                Arguments.of("lacks execute with id (row 35)", "{\"id\": \"err-2\"}\n", 1),
                Arguments.of("execute not a string", "{\"execute\": true}\n", 1),
                Arguments.of("arguments not an object", "{\"execute\": \"no-such-cmd\", \"arguments\": []}\n", 1),
                Arguments.of("unexpected member", "{\"execute\": \"no-such-cmd\", \"extra\": true}\n", 1),
                Arguments.of("unknown command", "{\"execute\": \"no-such-cmd\", \"id\": 3}\n", 1),
                Arguments.of("duplicate key (D14)", "{\"a\": 1, \"a\": 2}\n", 1),
                Arguments.of("invalid keyword (D15)", "{\"execute\": tru}\n", 1),
                Arguments.of("nesting limit (D13), then recovery", nest + "{\"execute\": \"query-name\", \"id\": 1}\n", 2),
                Arguments.of("lexical error then recovery", "{\u0001\n{\"execute\": \"query-name\", \"id\": 2}\n", 2),
                Arguments.of("single quotes", "{'execute': 'query-name', 'id': 'sq'}\n", 1),
                Arguments.of("id echo object (D1)", "{\"execute\": \"query-name\", \"id\": {\"a\": [1, null]}}\n", 1),
                Arguments.of("id echo number and array", "{\"execute\": \"query-name\", \"id\": 2}{\"execute\": \"query-name\", \"id\": [true]}\n", 2),
                Arguments.of("unexpected argument (D8)", "{\"execute\": \"query-version\", \"arguments\": {\"x\": 1}, \"id\": 8}\n", 1),
                Arguments.of("exec-oob of a non-OOB command (row 33)", "{\"exec-oob\": \"query-status\", \"id\": 4}\n", 1),
                Arguments.of("two in one write (D16)", "{\"execute\": \"query-status\"}{\"execute\": \"query-name\"}\n", 2),
                Arguments.of("malformed in the middle (D17)",
                        "{\"execute\": \"query-name\", \"id\": 1}{\"execute\": }{\"execute\": \"query-name\", \"id\": 3}\n", 3),
                Arguments.of("20 pipelined with ids", twenty + "\n", 20),
                Arguments.of("query-status", "{\"execute\": \"query-status\", \"id\": \"s\"}\n", 1),
                Arguments.of("query-version (row 16, version normalised)", "{\"execute\": \"query-version\", \"id\": 16}\n", 1),
                Arguments.of("query-name with string id (row 28)", "{\"execute\": \"query-name\", \"id\": \"cookie#1\"}\n", 1),
                Arguments.of("id echo: float, exponent, null, false, negative, uint64, escapes (D1)",
                        "{\"execute\": \"query-name\", \"id\": 1.5}{\"execute\": \"query-name\", \"id\": 1e3}"
                                + "{\"execute\": \"query-name\", \"id\": null}{\"execute\": \"query-name\", \"id\": false}"
                                + "{\"execute\": \"query-name\", \"id\": -7}{\"execute\": \"query-name\", \"id\": 18446744073709551615}"
                                + "{\"execute\": \"query-name\", \"id\": \"\\u00e9\\ud83d\\ude00\"}{\"execute\": \"query-name\", \"id\": 0.1}\n", 8),
                Arguments.of("id echo on errors: lacks execute, bad arguments, unknown command (D1)",
                        "{\"id\": {\"k\": [1, \"two\", {}]}}{\"execute\": \"query-name\", \"arguments\": 1, \"id\": [null]}"
                                + "{\"execute\": \"no-such-cmd\", \"id\": true}\n", 3),
                Arguments.of("execute and exec-oob clash, execute first (D4)",
                        "{\"execute\": \"query-status\", \"exec-oob\": \"query-status\", \"id\": 4}\n", 1),
                Arguments.of("execute and exec-oob clash, exec-oob first (D4)",
                        "{\"exec-oob\": \"query-status\", \"execute\": \"query-status\", \"id\": 4}\n", 1),
                Arguments.of("two faults: QEMU reports the first in its QDict order, not input order",
                        "{\"execute\": 1, \"extra\": 2, \"id\": 1}{\"arguments\": [], \"execute\": 1, \"id\": 2}"
                                + "{\"id\": 3, \"zzz\": 1, \"arguments\": 5}\n", 3),
                Arguments.of("exec-oob not a string (OOB enabled)", "{\"exec-oob\": 1, \"id\": 5}\n", 1),
                Arguments.of("exec-oob of an unknown command", "{\"exec-oob\": \"no-such-cmd\", \"id\": 9}\n", 1),
                Arguments.of("exec-oob without id of a non-OOB command", "{\"exec-oob\": \"query-name\"}\n", 1),
                Arguments.of("cont while running emits nothing", "{\"execute\": \"cont\", \"id\": \"c\"}\n", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandRows")
    void commandModeMatchesQemu(String what, String bytes, int replies) throws IOException {
        assertSame(NEGOTIATE + bytes, replies + 1);
    }

    @Test
    void stopEmitsStopBeforeItsReplyAndContResumes() throws IOException {
        String bytes = NEGOTIATE + "{\"execute\": \"stop\", \"id\": 1}\n{\"execute\": \"query-status\", \"id\": 2}\n"
                + "{\"execute\": \"cont\", \"id\": 3}\n{\"execute\": \"query-status\", \"id\": 4}\n";
        try {
            List<JsonNode> fromQemu = exchange(qemuSocket, bytes, 5);
            List<JsonNode> fromQmon = exchange(qmonSocket, bytes, 5);
            assertEquals(Set.copyOf(fromQemu), Set.copyOf(fromQmon), "the same lines (timestamps normalised)");
            for (List<JsonNode> replies : List.of(fromQemu, fromQmon)) {
                assertEquals(JSON.readTree("{\"event\": \"STOP\", \"timestamp\": \"*\"}"), replies.get(2), replies.toString());
                assertEquals(JSON.readTree("{\"return\": {}, \"id\": 1}"), replies.get(3), replies.toString());
                assertEquals("paused", replies.get(4).get("return").get("status").asText(), replies.toString());
                assertEquals(JSON.readTree("{\"event\": \"RESUME\", \"timestamp\": \"*\"}"), replies.get(5), replies.toString());
            }
            assertEquals(fromQemu, fromQmon, "the same lines in the same order");
        } finally {
            // Leave both machines running for the other tests, whatever happened above.
            for (Path socket : new Path[] {qemuSocket, qmonSocket}) {
                exchange(socket, NEGOTIATE + "{\"execute\": \"cont\", \"id\": \"cleanup\"}\n", 2);
            }
        }
    }

    /** The pipe a new user tries first: requests, then end of input, then read (socat, nc -N, scripts). */
    private static final String PIPE = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"stop\",\"id\":1}\n"
            + "{\"execute\":\"query-status\",\"id\":2}\n{\"execute\":\"cont\",\"id\":3}\n";

    /** Sends the bytes, shuts down the sending side, and reads every line until the server closes. */
    private static List<JsonNode> halfClosedExchange(Path socket, String bytes) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (RawConnection c = connect(socket)) {
            c.send(bytes);
            c.shutdownOutput();
            for (String l; (l = c.line(WAIT_MS)) != null;) {
                out.add(normalise(JSON.readTree(l)));
            }
            assertTrue(c.closedByPeer(), () -> socket.getFileName() + " did not close after answering: " + out);
        }
        return out;
    }

    private static String status(Path socket) throws IOException {
        return exchange(socket, NEGOTIATE + "{\"execute\": \"query-status\"}\n", 2).get(2).get("return").get("status").asText();
    }

    @Test
    void endOfInputAfterPipelinedRequestsIsAnsweredInFullThenClosedLikeQemu() throws IOException {
        List<JsonNode> fromQemu = halfClosedExchange(qemuSocket, PIPE);
        List<JsonNode> fromQmon = halfClosedExchange(qmonSocket, PIPE);
        assertEquals(7, fromQemu.size(), "greeting, 4 replies, STOP, RESUME: " + fromQemu);
        assertEquals(fromQemu, fromQmon, "every reply, in the same order, then the server closes");
        assertEquals("running", status(qemuSocket));
        assertEquals("running", status(qmonSocket), "cont ran: the machine is not left paused");
    }

    @Test
    void theReadmesSocatPipeGetsEveryReplyFromBoth() throws Exception {
        assumeTrue(onPath("socat"), "socat is not on the PATH (.ci/run installs it)");
        List<List<JsonNode>> both = new ArrayList<>();
        for (Path socket : new Path[] {qemuSocket, qmonSocket}) {
            Process p = new ProcessBuilder("socat", "-", "UNIX-CONNECT:" + socket).redirectErrorStream(true).start();
            p.getOutputStream().write(PIPE.getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            assertTrue(p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "socat ends");
            List<JsonNode> lines = new ArrayList<>();
            for (String l : new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\r\n")) {
                if (!l.isBlank()) {
                    lines.add(normalise(JSON.readTree(l)));
                }
            }
            both.add(lines);
        }
        assertEquals(7, both.get(0).size(), both.get(0).toString());
        assertEquals(both.get(0), both.get(1));
        assertEquals("running", status(qmonSocket));
    }

    @Test
    void anIdNestedAsDeepAsQemusParserAllowsIsEchoedByBoth() throws IOException {
        // QEMU's parser takes 1024 levels (brace_count + bracket_count); the request's own object is one.
        for (int depth : new int[] {1000, 1023}) {
            String id = "[".repeat(depth) + "]".repeat(depth);
            assertSame(NEGOTIATE + "{\"execute\": \"query-status\", \"id\": " + id + "}\n", 2);
        }
        // One level more is QEMU's nesting error, answered without the id it could not parse.
        String tooDeep = "[".repeat(1024) + "]".repeat(1024);
        assertSame(NEGOTIATE + "{\"execute\": \"query-status\", \"id\": " + tooDeep + "}\n" + RECOVERY, 3);
    }

    @Test
    void qmonServesManyClientsOnOneSocketWhereQemuServesOne() throws IOException {
        RawConnection first = connect(qemuSocket);
        try (RawConnection second = connect(qemuSocket)) {
            try (RawConnection a = first) {
                assertNotNull(a.line(WAIT_MS), "QEMU greets the first client");
                assertNull(second.line(500), "QEMU does not greet a second client while the first is connected");
            }
            assertNotNull(second.line(WAIT_MS), "QEMU greets the second client once the first has left");
        }
        try (RawConnection a = connect(qmonSocket); RawConnection b = connect(qmonSocket)) {
            assertNotNull(a.line(WAIT_MS));
            assertNotNull(b.line(WAIT_MS), "qmon greets every client at once");
        }
    }

    /** Rows 3-13 of §12: each input is followed by the recovery probe {@code {"execute": "no-such-cmd"}}. */
    static Stream<Arguments> malformedRows() {
        return Stream.of(
                Arguments.of("3: {] expecting value", "{]\n"),
                Arguments.of("4: { + 0xFF", "{\u00ff"),
                Arguments.of("5: { + 0x01", "{\u0001"),
                Arguments.of("6: {'bad + 0xFF", "{'bad \u00ff"),
                Arguments.of("7: raw LF inside a string, no id", "{'execute': 'nonexistent', 'id':'\n"),
                Arguments.of("8: %p without newline", "%p"),
                Arguments.of("9: null", "null\n"),
                Arguments.of("10: {}", "{}\n"),
                Arguments.of("11: execute not a string", "{\"execute\": true}\n"),
                Arguments.of("12: arguments not an object", "{\"execute\": \"no-such-cmd\", \"arguments\": []}\n"),
                Arguments.of("13: unexpected member", "{\"execute\": \"no-such-cmd\", \"extra\": true}\n"));
    }

    @ParameterizedTest(name = "row {0}")
    @MethodSource("malformedRows")
    void malformedInputWhileNegotiatingMatchesQemu(String row, String bytes) throws IOException {
        assertSame(bytes + RECOVERY, 2);
    }

    @ParameterizedTest(name = "row 1{0} (rows 17-27)")
    @MethodSource("malformedRows")
    void malformedInputInCommandModeMatchesQemu(String row, String bytes) throws IOException {
        assertSame(NEGOTIATE + bytes + RECOVERY, 3);
    }

    @Test
    void greetingHasQemusShape() throws IOException {
        for (Path socket : new Path[] {qemuSocket, qmonSocket}) {
            try (RawConnection c = connect(socket)) {
                String line = c.line(WAIT_MS);
                assertNotNull(line, socket + ": no greeting");
                JsonNode g = JSON.readTree(line);
                assertEquals(List.of("QMP"), fieldNames(g), socket + ": " + line);
                JsonNode qmp = g.get("QMP");
                assertEquals(Set.of("version", "capabilities"), Set.copyOf(fieldNames(qmp)), socket + ": " + line);
                assertEquals(JSON.readTree("[\"oob\"]"), qmp.get("capabilities"), socket + ": " + line);
                JsonNode v = qmp.get("version");
                assertEquals(Set.of("qemu", "package"), Set.copyOf(fieldNames(v)), socket + ": " + line);
                assertTrue(v.get("package").isTextual(), socket + ": " + line);
                assertEquals(Set.of("major", "minor", "micro"), Set.copyOf(fieldNames(v.get("qemu"))), socket + ": " + line);
                v.get("qemu").forEach(n -> assertTrue(n.canConvertToLong() && n.isIntegralNumber(), socket + ": " + line));
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void twentyPipelinedRequestsAreAnsweredInOrder() throws IOException {
        StringBuilder twenty = new StringBuilder(NEGOTIATE);
        for (int i = 0; i < 20; i++) {
            twenty.append("{\"execute\": \"query-name\", \"id\": \"q").append(i).append("\"}");
        }
        twenty.append('\n');
        List<JsonNode> fromQemu = exchange(qemuSocket, twenty.toString(), 21);
        List<JsonNode> fromQmon = exchange(qmonSocket, twenty.toString(), 21);
        for (List<JsonNode> replies : List.of(fromQemu, fromQmon)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(JSON.readTree("{\"return\": {}, \"id\": \"q" + i + "\"}"), replies.get(i + 2));
            }
        }
        assertEquals(fromQemu, fromQmon);
    }

    static Stream<Arguments> withoutOobRows() {
        return Stream.of(
                Arguments.of("exec-oob alone (D3)", "{\"exec-oob\": \"query-status\", \"id\": 1}\n", 1),
                Arguments.of("exec-oob of a command qmon lacks (D3)", "{\"exec-oob\": \"migrate-pause\"}\n", 1),
                Arguments.of("execute and exec-oob: no clash, exec-oob is just unexpected",
                        "{\"execute\": \"query-status\", \"exec-oob\": \"query-status\", \"id\": 2}\n", 1),
                Arguments.of("qmp_capabilities again", "{\"execute\": \"qmp_capabilities\", \"id\": 3}\n", 1),
                // QEMU without OOB answers strictly in order: the exec-oob request is just a bad in-band request.
                Arguments.of("in-band command, then exec-oob: answered in order (D3)",
                        "{\"execute\": \"query-status\", \"id\": 1}\n{\"exec-oob\": \"query-status\", \"id\": 2}\n"
                                + "{\"exec-oob\": \"migrate-pause\"}\n", 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutOobRows")
    void commandModeWithoutOobMatchesQemu(String what, String bytes, int replies) throws IOException {
        assertSame(NEGOTIATE_WITHOUT_OOB + bytes, replies + 1);
    }

    @Test
    void queryCommandsListsOnlyQmonsCommandsWhereQemuListsAllOfItsOwn() throws IOException {
        String bytes = NEGOTIATE + "{\"execute\": \"query-commands\", \"id\": \"qc\"}\n";
        JsonNode fromQemu = exchange(qemuSocket, bytes, 2).get(2);
        JsonNode fromQmon = exchange(qmonSocket, bytes, 2).get(2);
        Set<String> qemuNames = commandNames(fromQemu);
        Set<String> qmonNames = commandNames(fromQmon);
        Set<String> implemented = Set.of("qmp_capabilities", "query-version", "query-commands", "query-name",
                "query-status", "stop", "cont", "quit");
        assertTrue(qemuNames.containsAll(implemented), "QEMU lists " + qemuNames);
        assertTrue(qmonNames.containsAll(implemented), "qmon lists " + qmonNames);
        Set<String> qmonExtensions = Set.of("screendump-series"); // qmon's own, documented as such (docs/jobs.md)
        Set<String> shared = new HashSet<>(qmonNames);
        shared.removeAll(qmonExtensions);
        assertTrue(qemuNames.containsAll(shared), "qmon lists only commands QEMU also has: " + qmonNames);
    }

    private static Set<String> commandNames(JsonNode reply) {
        assertEquals(Set.of("return", "id"), Set.copyOf(fieldNames(reply)), reply.toString());
        assertEquals("qc", reply.get("id").asText());
        Set<String> names = new HashSet<>();
        for (JsonNode c : reply.get("return")) {
            assertEquals(List.of("name"), fieldNames(c), "each entry is {\"name\": ...}: " + c);
            assertTrue(names.add(c.get("name").asText()), "listed twice: " + c);
        }
        return names;
    }
}

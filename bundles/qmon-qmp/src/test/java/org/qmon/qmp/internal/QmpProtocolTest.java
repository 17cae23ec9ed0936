package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.event.MonitorEvent;

/**
 * The QMP wire contract over a real unix socket, row by row from the reference checklist
 * (shared/reference/qmp-protocol.md §12-13): exact classes, texts and id echo.
 */
class QmpProtocolTest {

    @TempDir
    Path dir;
    QmpServerFixture server;

    record Named(String name) {
    }

    @BeforeEach
    void setUp() throws IOException {
        server = new QmpServerFixture(dir, 256);
        server.register("query-name", new Command<NoArguments, Named>() {
            @Override
            public Named execute(NoArguments a, CommandContext c) {
                return new Named(null);
            }
        });
        server.register("echo", new Command<Named, Named>() {
            @Override
            public Named execute(Named a, CommandContext c) {
                return a;
            }
        });
        server.register("oob-ok", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) {
                return null;
            }
        }, true);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static void assertError(JsonNode r, String cls, String desc) {
        assertTrue(r.has("error"), () -> "expected error, got " + r);
        assertEquals(2, r.get("error").size(), "error has exactly class and desc");
        assertEquals(cls, r.get("error").get("class").asText(), () -> r.toString());
        assertEquals(desc, r.get("error").get("desc").asText(), () -> r.toString());
    }

    @Test
    void greetingIsOneObjectWithVersionAndOobCapability() throws IOException {
        try (var c = server.connect()) {
            JsonNode g = c.json();
            assertEquals(1, g.size());
            JsonNode qmp = g.get("QMP");
            assertEquals("oob", qmp.get("capabilities").get(0).asText());
            JsonNode v = qmp.get("version");
            assertEquals(2, v.size());
            assertEquals(3, v.get("qemu").size());
            assertTrue(v.get("qemu").get("major").isInt());
            assertTrue(v.get("package").isTextual());
        }
    }

    @Test
    void unixSocketIsOwnerOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket)));
    }

    @Test
    void negotiationModeRejectsEverythingButQmpCapabilities() throws IOException {
        try (var c = server.connect()) {
            c.json();
            c.send("{\"execute\": \"query-name\", \"id\": 7}\n");
            JsonNode r = c.json();
            assertError(r, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
            assertEquals(7, r.get("id").asInt());
            c.send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"cap-does-not-exist\"]}}\n");
            assertError(c.json(), "GenericError", "Parameter 'null' does not accept value 'cap-does-not-exist'");
            c.send("{\"execute\": \"qmp_capabilities\"}\n");
            JsonNode ok = c.json();
            assertEquals(0, ok.get("return").size());
            assertEquals(1, ok.size());
            c.send("{\"execute\": \"qmp_capabilities\"}\n");
            assertError(c.json(), "CommandNotFound", "Capabilities negotiation is already complete, command ignored");
        }
    }

    @Test
    void malformedInputGetsQemuErrorsAndTheConnectionGoesOn() throws IOException {
        try (var c = server.connect().negotiated()) {
            String[][] rows = {
                {"{\"execute\": }\n", "JSON parse error, expecting value"},
                {"[]\n", "QMP input must be a JSON object"},
                {"\"x\"\n", "QMP input must be a JSON object"},
                {"{}\n", "QMP input lacks member 'execute'"},
                {"{\"execute\": true}\n", "QMP input member 'execute' must be a string"},
                {"{\"execute\": \"no-such-cmd\", \"arguments\": []}\n", "QMP input member 'arguments' must be an object"},
                {"{\"execute\": \"no-such-cmd\", \"extra\": true}\n", "QMP input member 'extra' is unexpected"},
                {"{\"a\": 1, \"a\": 2}\n", "JSON parse error, duplicate key"},
                {"{\"execute\": tru}\n", "JSON parse error, invalid keyword 'tru'"},
            };
            for (String[] row : rows) {
                c.send(row[0]);
                JsonNode r = c.json();
                assertError(r, "GenericError", row[1]);
                assertFalse(r.has("id"), "no id without one in the request");
            }
            c.send("{\"execute\": \"no-such-cmd\", \"id\": \"x\"}\n");
            JsonNode nf = c.json();
            assertError(nf, "CommandNotFound", "The command no-such-cmd has not been found");
            assertEquals("x", nf.get("id").asText());
            c.send("{\"execute\": \"query-name\"}\n");
            assertTrue(c.json().has("return"));
        }
    }

    @Test
    void lexicalErrorAndTooDeepNestingRecover() throws IOException {
        try (var c = server.connect().negotiated()) {
            c.send(new byte[] {'{', 0x01, '\n'});
            JsonNode r = c.json();
            assertTrue(r.get("error").get("desc").asText().startsWith("JSON parse error"), r::toString);
            c.send("[".repeat(1025) + "\n");
            assertError(c.json(), "GenericError", "JSON nesting depth limit exceeded");
            c.send("{\"execute\": \"query-name\", \"id\": 2}\n");
            assertEquals(2, c.json().get("id").asInt());
        }
    }

    @Test
    void idIsEchoedVerbatimWhateverItsType() throws IOException {
        try (var c = server.connect().negotiated()) {
            for (String id : new String[] {"{\"a\": [1, null]}", "\"cookie#1\"", "42", "-1.5", "true", "null", "[]"}) {
                c.send("{\"execute\": \"query-name\", \"id\": " + id + "}\n");
                JsonNode r = c.json();
                assertEquals(QmpServerFixture.JSON.readTree(id), r.get("id"), r::toString);
                assertEquals(0, r.get("return").size());
            }
        }
    }

    @Test
    void argumentErrorsCarryTheId() throws IOException {
        try (var c = server.connect().negotiated()) {
            c.send("{\"execute\": \"echo\", \"id\": 2}\n");
            JsonNode r = c.json();
            assertError(r, "GenericError", "Parameter 'name' is missing");
            assertEquals(2, r.get("id").asInt());
            c.send("{\"execute\": \"echo\", \"arguments\": {\"name\": 5}}\n");
            assertError(c.json(), "GenericError", "Invalid parameter type for 'name', expected: string");
            c.send("{\"execute\": \"query-name\", \"arguments\": {\"x\": 1}}\n");
            assertError(c.json(), "GenericError", "Parameter 'x' is unexpected");
        }
    }

    @Test
    void outputIsAsciiOnlyAndSingleQuotedInputIsAccepted() throws IOException {
        try (var c = server.connect().negotiated()) {
            c.send("{'execute': 'echo', 'arguments': {'name': 'caf\u00e9 \u2603 \ud83d\ude00'}}\n");
            String line = c.line();
            assertTrue(line.contains("caf\\u00E9 \\u2603 \\uD83D\\uDE00"), line);
            assertEquals("caf\u00e9 \u2603 \ud83d\ude00",
                    QmpServerFixture.JSON.readTree(line).get("return").get("name").asText());
        }
    }

    @Test
    void pipelinedRequestsInOneWriteAreAnsweredInOrder() throws IOException {
        try (var c = server.connect().negotiated()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                sb.append("{\"execute\": \"query-name\", \"id\": ").append(i).append('}');
                if (i == 25) {
                    sb.append("{\"execute\": }");
                }
            }
            sb.append('\n');
            c.send(sb.toString());
            for (int i = 0; i < 50; i++) {
                JsonNode r = c.json();
                assertEquals(i, r.get("id").asInt(), r::toString);
                if (i == 25) {
                    assertError(c.json(), "GenericError", "JSON parse error, expecting value");
                }
            }
        }
    }

    @Test
    void outOfBandRulesAndOvertaking() throws IOException, InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Completion<?>[] parked = new Completion<?>[1];
        server.register("park", new AsyncCommand<NoArguments, Void>() {
            @Override
            public void execute(NoArguments a, Completion<Void> completion, CommandContext c) {
                parked[0] = completion;
                started.countDown();
            }
        });
        try (var plain = server.connect()) {
            plain.json();
            plain.send("{\"execute\": \"qmp_capabilities\"}\n");
            plain.json();
            plain.send("{\"exec-oob\": \"oob-ok\"}\n");
            assertError(plain.json(), "GenericError", "QMP input member 'exec-oob' is unexpected");
        }
        try (var c = server.connect().negotiated()) {
            c.send("{\"execute\": \"query-name\", \"exec-oob\": \"query-name\"}\n");
            JsonNode clash = c.json();
            assertTrue(clash.get("error").get("desc").asText().contains("clashes with"), clash::toString);
            c.send("{\"exec-oob\": \"query-name\", \"id\": 1}\n");
            assertError(c.json(), "GenericError", "The command query-name does not support OOB");
            c.send("{\"execute\": \"park\", \"id\": \"ib\"}\n{\"execute\": \"query-name\", \"id\": \"ib2\"}\n");
            assertTrue(started.await(10, TimeUnit.SECONDS));
            c.send("{\"exec-oob\": \"oob-ok\", \"id\": \"oob\"}\n");
            assertEquals("oob", c.json().get("id").asText());
            ((Completion<Object>) (Completion<?>) parked[0]).complete(null);
            assertEquals("ib", c.json().get("id").asText());
            assertEquals("ib2", c.json().get("id").asText());
        }
    }

    @Test
    void eventsReachOnlyNegotiatedSessionsWithTimestampAndNoEmptyData() throws IOException {
        try (var negotiating = server.connect(); var ready = server.connect().negotiated()) {
            negotiating.json();
            server.runtime.handleEvent(MonitorEvent.of("POWERDOWN").toOsgiEvent());
            JsonNode e = ready.json();
            assertEquals("POWERDOWN", e.get("event").asText());
            assertFalse(e.has("data"));
            JsonNode ts = e.get("timestamp");
            assertEquals(2, ts.size());
            assertTrue(ts.get("seconds").asLong() > 0);
            assertTrue(ts.get("microseconds").asLong() >= 0 && ts.get("microseconds").asLong() <= 999_999);
            // The negotiating session got nothing: its next line is the answer to its next request.
            negotiating.send("{\"execute\": \"qmp_capabilities\", \"id\": 1}\n");
            assertEquals(1, negotiating.json().get("id").asInt());
        }
    }

    @Test
    void throttledEventsAreRateLimitedToTheLastOne() throws IOException {
        try (var c = server.connect().negotiated()) {
            for (int i = 0; i < 5; i++) {
                server.runtime.handleEvent(new MonitorEvent("RTC_CHANGE", java.util.Map.of("offset", i)).toOsgiEvent());
            }
            assertEquals(0, c.json().get("data").get("offset").asInt());
            // The next one arrives about a second later and is the last of the burst.
            assertEquals(4, c.json().get("data").get("offset").asInt());
            c.send("{\"execute\": \"query-name\", \"id\": 9}\n");
            assertEquals(9, c.json().get("id").asInt());
        }
    }

    @Test
    void aClientThatNeverReadsIsDisconnectedInsteadOfGrowingTheHeap() throws IOException {
        String big = "x".repeat(64 * 1024);
        server.register("big", new Command<NoArguments, Named>() {
            @Override
            public Named execute(NoArguments a, CommandContext c) {
                return new Named(big);
            }
        });
        try (var c = server.connect().negotiated()) {
            // 200 replies of 64 KiB = 12.5 MiB, far above the 256 KiB limit plus the socket's buffer.
            // The client reads nothing until the server has dropped it.
            try {
                c.send("{\"execute\": \"big\"}\n".repeat(200));
            } catch (IOException e) {
                // Disconnected while we were still writing: that is the point.
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.runtime.sessionCount() > 0) {
                assertTrue(System.nanoTime() < deadline, "the server did not drop a client that never reads");
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            }
            long total = 0;
            String l;
            while ((l = c.line()) != null) {
                total += l.length();
            }
            assertTrue(total < 200L * big.length(), "disconnected before everything was delivered: " + total);
        }
    }

    /** Registers "hang": an asynchronous command that never completes and counts its cancellation. */
    private CountDownLatch[] registerHang() {
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        server.register("hang", new AsyncCommand<NoArguments, Void>() {
            @Override
            public void execute(NoArguments a, Completion<Void> completion, CommandContext c) {
                completion.onCancel(cancelled::countDown);
                started.countDown();
            }
        });
        return new CountDownLatch[] {started, cancelled};
    }

    @Test
    void aClientThatLeftWithOutputUnreadIsCancelledAtOnce() throws IOException, InterruptedException {
        CountDownLatch[] hang = registerHang();
        var c = server.connect();
        // Read nothing: the greeting and the negotiation reply stay unread, so the close resets the
        // connection, and the server learns at once that the client is gone, not merely done sending.
        c.send("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"hang\"}\n");
        assertTrue(hang[0].await(10, TimeUnit.SECONDS));
        c.close();
        assertTrue(hang[1].await(10, TimeUnit.SECONDS), "the pending command is cancelled");
        try (var next = server.connect()) {
            assertTrue(next.json().has("QMP"), "a fresh greeting for the next client");
        }
    }

    @Test
    void aClientThatLeftIsCancelledWhenTheNextWriteToItFails() throws IOException, InterruptedException {
        CountDownLatch[] hang = registerHang();
        var c = server.connect().negotiated();
        c.send("{\"execute\": \"hang\"}\n");
        assertTrue(hang[0].await(10, TimeUnit.SECONDS));
        c.close();
        // A clean close looks like end of input: the command may still be answered. The next write, an
        // event here, finds the client gone.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!hang[1].await(20, TimeUnit.MILLISECONDS)) {
            assertTrue(System.nanoTime() < deadline, "the command was not cancelled");
            server.runtime.handleEvent(MonitorEvent.of("PING").toOsgiEvent());
        }
        assertEquals(0, server.runtime.sessionCount(), "the session is gone with its connection");
    }

    @Test
    void endOfInputAnswersEveryRequestReadThenCloses() throws IOException, InterruptedException {
        java.util.concurrent.LinkedBlockingQueue<Completion<String>> pending = new java.util.concurrent.LinkedBlockingQueue<>();
        server.register("later", new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext c) {
                pending.add(completion);
            }
        });
        var c = server.connect();
        // What "printf ... | socat - UNIX-CONNECT:..." does: everything, then end of input, then read.
        StringBuilder requests = new StringBuilder("{\"execute\": \"qmp_capabilities\"}\n");
        requests.append("{\"execute\": \"later\", \"id\": 0}\n");
        for (int i = 1; i <= 20; i++) {
            requests.append("{\"execute\": \"query-name\", \"id\": ").append(i).append("}\n");
        }
        c.send(requests.toString());
        c.ch.shutdownOutput();
        Completion<String> first = pending.poll(10, TimeUnit.SECONDS);
        first.complete("late");
        assertTrue(c.json().has("QMP"));
        assertTrue(c.json().has("return"));
        JsonNode r0 = c.json();
        assertEquals("late", r0.get("return").asText());
        for (int i = 1; i <= 20; i++) {
            assertEquals(i, c.json().get("id").asInt(), "every request read before end of input is answered, in order");
        }
        assertNull(c.line(), "then the server closes");
        assertFalse(first.isCancelled());
    }

    @Test
    void afterShutdownNothingMoreIsExecutedAndEveryClientIsClosedLikeQemu() throws IOException {
        java.util.concurrent.atomic.AtomicInteger executed = new java.util.concurrent.atomic.AtomicInteger();
        server.register("count", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) {
                executed.incrementAndGet();
                return null;
            }
        });
        // What core's quit does: SHUTDOWN, sent synchronously before its own reply.
        server.register("quit", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) {
                server.runtime.handleEvent(MonitorEvent.of("SHUTDOWN").toOsgiEvent());
                return null;
            }
        });
        try (var other = server.connect().negotiated(); var c = server.connect().negotiated()) {
            c.send("{\"execute\": \"quit\", \"id\": 1}\n{\"execute\": \"count\", \"id\": 2}\n"
                    + "{\"execute\": \"count\", \"id\": 3}\n");
            assertEquals("SHUTDOWN", c.json().get("event").asText());
            assertEquals(1, c.json().get("id").asInt(), "quit is answered");
            assertNull(c.line(), "then the connection closes, without running what was pipelined behind quit");
            assertEquals("SHUTDOWN", other.json().get("event").asText());
            assertNull(other.line(), "an idle client is closed too");
            assertEquals(0, executed.get());
        }
    }

    record OptionalArgs(java.util.Optional<String> maybe) {
    }

    @Test
    void theSchemasOptionalMembersCarryDefaultNullOnTheWire() throws IOException {
        server.register("opt", new Command<OptionalArgs, Void>() {
            @Override
            public Void execute(OptionalArgs a, CommandContext c) {
                return null;
            }
        });
        try (var c = server.connect().negotiated()) {
            c.send("{\"execute\": \"query-qmp-schema\"}\n");
            String line = c.line();
            assertTrue(line.contains("{\"name\": \"maybe\", \"type\": \"str\", \"default\": null}"), line);
            assertTrue(line.contains("{\"name\": \"qmp_capabilities\", \"meta-type\": \"command\""), line);
        }
    }

    @Test
    void anIdNestedAsDeepAsTheParserAllowsIsEchoed() throws IOException {
        try (var c = server.connect().negotiated()) {
            for (int depth : new int[] {999, 1000, 1022}) {
                String id = "[".repeat(depth) + "]".repeat(depth);
                c.send("{\"execute\": \"query-name\", \"id\": " + id + "}\n");
                String line = c.line();
                assertEquals("{\"return\": {}, \"id\": " + id.replace("][", "], [") + "}", line,
                        "depth " + depth + ": the reply carries the id");
            }
            c.send("{\"execute\": \"query-name\", \"id\": 1}\n");
            assertEquals(1, c.json().get("id").asInt(), "and the session goes on");
        }
    }

    /** A result whose serialisation fails. */
    public record Bad(String text) {
        @Override
        public String text() {
            throw new IllegalStateException("broken accessor");
        }
    }

    @Test
    void aResultThatCannotBeWrittenIsAnErrorReplyWithTheId() throws IOException {
        server.register("bad", new Command<NoArguments, Bad>() {
            @Override
            public Bad execute(NoArguments a, CommandContext c) {
                return new Bad("x");
            }
        });
        try (var c = server.connect().negotiated()) {
            c.send("{\"execute\": \"bad\", \"id\": \"b\"}\n{\"execute\": \"query-name\", \"id\": 2}\n");
            JsonNode r = c.json();
            assertEquals("b", r.get("id").asText());
            assertEquals("GenericError", r.get("error").get("class").asText());
            assertTrue(r.get("error").get("desc").asText().startsWith("Cannot serialise the result"), r.toString());
            assertEquals(2, c.json().get("id").asInt(), "the next request is answered");
        }
    }

    @Test
    void manyClientsShareOneSocket() throws IOException {
        var clients = new java.util.ArrayList<QmpServerFixture.Client>();
        try {
            for (int i = 0; i < 10; i++) {
                clients.add(server.connect().negotiated());
            }
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send("{\"execute\": \"query-name\", \"id\": " + i + "}\n");
            }
            for (int i = 0; i < clients.size(); i++) {
                assertEquals(i, clients.get(i).json().get("id").asInt());
            }
        } finally {
            for (var c : clients) {
                c.close();
            }
        }
    }

    @Test
    void endOfStreamClosesQuietly() throws IOException {
        var c = server.connect().negotiated();
        c.ch.shutdownOutput();
        assertNull(c.line());
        c.close();
    }
}

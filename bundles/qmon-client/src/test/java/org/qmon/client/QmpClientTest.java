package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/** The client against {@link ScriptedQmpServer} on real unix and TCP sockets. */
class QmpClientTest {
    private static final long WAIT = 10;

    @TempDir
    Path dir;

    private ScriptedQmpServer server;
    private final List<QmpClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
    }

    @AfterEach
    void stop() throws Exception {
        for (QmpClient c : clients) {
            c.close();
        }
        server.close();
    }

    // ------------------------------------------------------------------ helpers

    private QmpClient connect() throws Exception {
        return connect(QmpClientOptions.defaults());
    }

    private QmpClient connect(QmpClientOptions options) throws Exception {
        QmpClient c = await(QmpClient.connectAsync(server.endpoint(), options));
        clients.add(c);
        return c;
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT, TimeUnit.SECONDS);
    }

    /** The cause a failed future fails with. */
    static Throwable failure(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(WAIT, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** Asserts that every thread the client started has ended (bounded wait per thread). */
    static void assertThreadsEnded(QmpClient client) throws InterruptedException {
        String prefix = client.threadNamePrefix();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                t.join(TimeUnit.SECONDS.toMillis(WAIT));
                assertFalse(t.isAlive(), "thread still alive after close: " + t.getName());
            }
        }
    }

    static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    /** Waits until the condition holds, checking every millisecond, at most {@value #WAIT} s; fails otherwise. */
    static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + " s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    static ObjectNode obj() {
        return ScriptedQmpServer.JSON.createObjectNode();
    }

    // ------------------------------------------------------------------ connecting and negotiation

    @ParameterizedTest
    @EnumSource(Transport.class)
    void connectsNegotiatesOobAndExecutes(Transport transport) throws Exception {
        server.close();
        server = ScriptedQmpServer.start(transport, dir);
        QmpClient client = connect();
        Session session = server.awaitSession();

        ObjectNode negotiation = session.takeRequest();
        assertEquals("qmp_capabilities", negotiation.get("execute").asText());
        assertEquals("[\"oob\"]", negotiation.get("arguments").get("enable").toString());
        assertTrue(negotiation.get("id").isTextual());

        assertEquals(7, client.greeting().get("QMP").get("version").get("qemu").get("major").asInt());
        assertEquals(Set.of("oob"), client.serverCapabilities());
        assertEquals(Set.of("oob"), client.enabledCapabilities());
        assertTrue(client.isOpen());
        assertEquals(server.endpoint(), client.endpoint());

        JsonNode result = await(client.execute("echo", Map.of("a", 1)));
        assertEquals(1, result.get("a").asInt());
        ObjectNode request = session.takeCommand();
        assertEquals("echo", request.get("execute").asText());
        assertTrue(request.get("id").asText().startsWith("qmon-client-"));
        assertNotEquals(negotiation.get("id"), request.get("id"));
    }

    @Test
    void blockingConnectWithDefaultsAndWithOptions() throws Exception {
        try (QmpClient client = QmpClient.connect(server.endpoint())) {
            assertEquals(Set.of("oob"), client.enabledCapabilities());
            assertEquals(json("{}"), await(client.execute("anything")));
        }
        try (QmpClient client = QmpClient.connect(server.endpoint(), QmpClientOptions.builder().negotiateOob(false).build())) {
            assertTrue(client.isOpen(), "connect(endpoint, options) returns a connected client, as connect(endpoint) does");
            assertEquals(Set.of(), client.enabledCapabilities());
        }
    }

    @Test
    void oobNegotiationCanBeSwitchedOff() throws Exception {
        QmpClient client = connect(QmpClientOptions.builder().negotiateOob(false).build());
        ObjectNode negotiation = server.awaitSession().takeRequest();
        assertEquals("qmp_capabilities", negotiation.get("execute").asText());
        assertFalse(negotiation.has("arguments"));
        assertEquals(Set.of("oob"), client.serverCapabilities());
        assertEquals(Set.of(), client.enabledCapabilities());
        assertInstanceOf(IllegalStateException.class, failure(client.executeOob("migrate-pause", null)));
    }

    @Test
    void oobIsNotRequestedWhenNotOffered() throws Exception {
        server.greeting = ScriptedQmpServer.GREETING_WITHOUT_OOB;
        QmpClient client = connect();
        assertFalse(server.awaitSession().takeRequest().has("arguments"));
        assertEquals(Set.of(), client.serverCapabilities());
        assertEquals(Set.of(), client.enabledCapabilities());
    }

    @Test
    void withoutNegotiationTheCallerNegotiatesAndCapabilitiesAreTracked() throws Exception {
        QmpClient client = connect(QmpClientOptions.builder().negotiate(false).build());
        Session session = server.awaitSession();
        assertEquals(Set.of(), client.enabledCapabilities());
        await(client.execute("qmp_capabilities", Map.of("enable", List.of("oob"))));
        ObjectNode first = session.takeRequest();
        assertEquals("qmp_capabilities", first.get("execute").asText());
        assertEquals(Set.of("oob"), client.enabledCapabilities());
    }

    @Test
    void refusedNegotiationFailsTheConnect() throws Exception {
        server.autoNegotiate = false;
        server.handler = (request, session) -> session.error(request.get("id"), "GenericError", "Capability oob not available");
        CompletableFuture<QmpClient> future = QmpClient.connectAsync(server.endpoint(), QmpClientOptions.defaults());
        QmpException e = assertInstanceOf(QmpException.class, failure(future));
        assertEquals("GenericError", e.errorClass());
        assertEquals("Capability oob not available", e.description());
    }

    @Test
    void connectTimesOutWithoutGreeting() throws Exception {
        server.sendGreeting = false;
        long start = System.nanoTime();
        CompletableFuture<QmpClient> future = QmpClient.connectAsync(server.endpoint(),
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
        assertInstanceOf(QmpTimeoutException.class, failure(future));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertThrows(QmpTimeoutException.class, () -> QmpClient.connect(server.endpoint(),
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(200)).build()));
    }

    @Test
    void connectToMissingSocketFailsWithQmpConnectExceptionCausedByTheSocketError() throws Exception {
        String endpoint = "unix:" + dir.resolve("nothing-here.sock");
        QmpConnectException async = assertInstanceOf(QmpConnectException.class,
                failure(QmpClient.connectAsync(endpoint, QmpClientOptions.defaults())));
        assertInstanceOf(IOException.class, async.getCause());
        QmpConnectException blocking = assertThrows(QmpConnectException.class, () -> QmpClient.connect(endpoint));
        assertInstanceOf(IOException.class, blocking.getCause());
    }

    @Test
    void malformedEndpointsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> QmpClient.connect("localhost:4444"));
        assertThrows(IllegalArgumentException.class, () -> QmpClient.connect("tcp:localhost"));
        assertThrows(IllegalArgumentException.class, () -> QmpClient.connect("tcp:localhost:http"));
        assertThrows(IllegalArgumentException.class, () -> QmpClient.connect("unix:"));
    }

    @Test
    void anEventBeforeTheGreetingIsSkippedAsQemuSendsOneToAClientThatConnectsWhileItStarts() throws Exception {
        server.greeting = "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESUME\"}\r\n"
                + ScriptedQmpServer.GREETING_WITH_OOB;
        QmpClient client = connect();
        assertEquals(Set.of("oob"), client.serverCapabilities());
    }

    @Test
    void garbageInsteadOfAGreetingIsAProtocolError() throws Exception {
        server.greeting = "{\"hello\": 1}";
        Throwable t = failure(QmpClient.connectAsync(server.endpoint(), QmpClientOptions.defaults()));
        assertInstanceOf(QmpProtocolException.class, t);
    }

    // ------------------------------------------------------------------ requests

    record BlockArgs(String device, @JsonProperty("command-line") String commandLine, Integer size) {
    }

    @Test
    void argumentsMayBeNullMapsNodesOrRecords() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();

        await(client.execute("none"));
        assertFalse(session.takeCommand().has("arguments"));
        await(client.execute("none2", null));
        assertFalse(session.takeCommand().has("arguments"));

        Map<String, Object> map = new LinkedHashMap<>();
        map.put("x", List.of(1, 2));
        assertEquals(json("{\"x\": [1, 2]}"), await(client.execute("map", map)));

        ObjectNode node = obj().put("y", "z");
        assertEquals(json("{\"y\": \"z\"}"), await(client.execute("node", node)));

        JsonNode echoed = await(client.execute("record", new BlockArgs("ide0", "info status", null)));
        assertEquals(json("{\"device\": \"ide0\", \"command-line\": \"info status\"}"), echoed);

        assertThrows(IllegalArgumentException.class, () -> client.execute("bad", List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> client.execute("bad", "text"));
        assertThrows(IllegalArgumentException.class, () -> client.execute("", null));
        assertThrows(NullPointerException.class, () -> client.execute(null));
    }

    record Qemu(int major, int minor, int micro) {
    }

    record VersionInfo(Qemu qemu, @JsonProperty("package") String pkg) {
    }

    @Test
    void typedResults() throws Exception {
        server.handler = (request, session) -> {
            switch (request.get("execute").asText()) {
                case "query-version" -> session.send("{\"return\": {\"qemu\": {\"micro\": 1, \"minor\": 2, \"major\": 7}, "
                        + "\"package\": \"Debian\", \"future-member\": true}, \"id\": " + request.get("id") + "}");
                case "human-monitor-command" -> session.reply(request.get("id"), json("\"VM status: running\\r\\n\""));
                default -> ScriptedQmpServer.ECHO.handle(request, session);
            }
        };
        QmpClient client = connect();
        VersionInfo v = await(client.execute("query-version", null, VersionInfo.class));
        assertEquals(new VersionInfo(new Qemu(7, 2, 1), "Debian"), v);
        assertEquals("VM status: running\r\n",
                await(client.execute("human-monitor-command", Map.of("command-line", "info status"), String.class)));
        assertNull(await(client.execute("stop", null, Void.class)));
        assertEquals(json("{\"a\": 1}"), await(client.execute("echo", Map.of("a", 1), JsonNode.class)));
        assertInstanceOf(QmpClientException.class,
                failure(client.execute("echo", Map.of("major", "not a number"), Qemu.class)));
    }

    @Test
    void requestsAreCompactJsonEachFollowedByANewline() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        await(client.execute("one", Map.of("k", "v w")));
        await(client.executeOob("two", null));
        String raw = session.rawInput();
        assertTrue(raw.endsWith("\n"));
        assertFalse(raw.contains("\r"));
        String[] lines = raw.split("\n");
        assertEquals(3, lines.length, raw);
        for (String line : lines) {
            JsonNode parsed = json(line);
            assertEquals(ScriptedQmpServer.JSON.writeValueAsString(parsed), line, "not compact: " + line);
        }
        assertEquals("two", json(lines[2]).get("exec-oob").asText());
    }

    @Test
    void repliesAreMatchedByIdNotByOrder() throws Exception {
        List<ObjectNode> held = new ArrayList<>();
        server.handler = (request, session) -> {
            held.add(request);
            if (held.size() == 3) {
                for (int i = 2; i >= 0; i--) {
                    ObjectNode r = held.get(i);
                    session.reply(r.get("id"), obj().put("n", r.get("execute").asText()));
                }
            }
        };
        QmpClient client = connect();
        CompletableFuture<JsonNode> a = client.execute("a");
        CompletableFuture<JsonNode> b = client.execute("b");
        CompletableFuture<JsonNode> c = client.execute("c");
        assertEquals("a", await(a).get("n").asText());
        assertEquals("b", await(b).get("n").asText());
        assertEquals("c", await(c).get("n").asText());
    }

    @Test
    void pipelinesHundredCallsBeforeAnyReply() throws Exception {
        int calls = 100;
        List<ObjectNode> held = new ArrayList<>();
        server.handler = (request, session) -> {
            held.add(request);
            if (held.size() == calls) {
                List<ObjectNode> shuffled = new ArrayList<>(held);
                Collections.shuffle(shuffled, new Random(42));
                for (ObjectNode r : shuffled) {
                    session.reply(r.get("id"), r.get("arguments"));
                }
            }
        };
        QmpClient client = connect();
        List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            futures.add(client.execute("query-name", Map.of("i", i)));
        }
        for (int i = 0; i < calls; i++) {
            assertEquals(i, await(futures.get(i)).get("i").asInt());
        }
        Set<String> ids = new HashSet<>();
        for (ObjectNode r : held) {
            ids.add(r.get("id").asText());
        }
        assertEquals(calls, ids.size());
        assertEquals(0, client.pendingCalls());
    }

    @Test
    void concurrentCallsFromEightThreads() throws Exception {
        QmpClient client = connect();
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<CompletableFuture<JsonNode>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<JsonNode>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(client.execute("echo", Map.of("t", thread, "i", i, "pad", "x".repeat(i))));
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (int t = 0; t < threads; t++) {
                List<CompletableFuture<JsonNode>> mine = results.get(t).get(WAIT, TimeUnit.SECONDS);
                for (int i = 0; i < perThread; i++) {
                    JsonNode r = await(mine.get(i));
                    assertEquals(t, r.get("t").asInt());
                    assertEquals(i, r.get("i").asInt());
                    assertEquals(i, r.get("pad").asText().length());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, client.pendingCalls());
    }

    @Test
    void errorRepliesBecomeQmpExceptions() throws Exception {
        server.handler = (request, session) ->
                session.error(request.get("id"), "CommandNotFound", "The command no-such-cmd has not been found");
        QmpClient client = connect();
        QmpException e = assertInstanceOf(QmpException.class, failure(client.execute("no-such-cmd")));
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("The command no-such-cmd has not been found", e.description());
        assertEquals("no-such-cmd", e.command());
        assertTrue(e.getMessage().contains("The command no-such-cmd has not been found"));
        assertInstanceOf(QmpClientException.class, e);
    }

    @Test
    void idlessErrorFailsTheOldestInBandCall() throws Exception {
        server.handler = (request, session) -> {
            if (request.get("execute").asText().equals("garbled")) {
                session.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}");
            } else {
                ScriptedQmpServer.ECHO.handle(request, session);
            }
        };
        QmpClient client = connect();
        CompletableFuture<JsonNode> bad = client.execute("garbled");
        CompletableFuture<JsonNode> good = client.execute("fine", Map.of("ok", true));
        QmpException e = assertInstanceOf(QmpException.class, failure(bad));
        assertEquals("GenericError", e.errorClass());
        assertEquals("JSON parse error, expecting value", e.description());
        assertTrue(await(good).get("ok").asBoolean());
    }

    @Test
    void idlessErrorForATimedOutCallDoesNotFailTheNextOne() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect();
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> slow = client.execute("slow", null, Duration.ofMillis(200));
        assertInstanceOf(QmpTimeoutException.class, failure(slow));
        CompletableFuture<JsonNode> next = client.execute("next");
        session.takeCommand();
        ObjectNode nextRequest = session.takeCommand();
        // The server now answers "slow" with an id-less parse error, then "next".
        session.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}");
        session.reply(nextRequest.get("id"), obj().put("answer", 42));
        assertEquals(42, await(next).get("answer").asInt());
    }

    @Test
    void repliesWithUnknownIdsAreIgnored() throws Exception {
        server.handler = (request, session) -> {
            session.reply(json("\"somebody-else\""), obj().put("wrong", true));
            session.reply(json("17"), obj().put("wrong", true));
            session.send("{\"return\": {\"wrong\": true}}");
            session.reply(request.get("id"), obj().put("right", true));
        };
        QmpClient client = connect();
        JsonNode r = await(client.execute("x"));
        assertTrue(r.get("right").asBoolean());
        assertFalse(r.has("wrong"));
        assertTrue(await(client.execute("y")).get("right").asBoolean());
    }

    @Test
    void oversizedRequestsAreRefusedWithoutSending() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        String huge = "x".repeat((int) QmpClient.MAX_REQUEST_SIZE);
        assertInstanceOf(QmpClientException.class, failure(client.execute("big", Map.of("s", huge))));
        assertEquals(json("{}"), await(client.execute("small")));
        assertEquals("small", session.takeCommand().get("execute").asText());
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    void perCallTimeoutAndTheLateReplyIsIgnored() throws Exception {
        server.handler = (request, session) -> {
            if (!request.get("execute").asText().equals("slow")) {
                ScriptedQmpServer.ECHO.handle(request, session);
            }
        };
        QmpClient client = connect();
        Session session = server.awaitSession();
        long start = System.nanoTime();
        CompletableFuture<JsonNode> slow = client.execute("slow", null, Duration.ofMillis(200));
        assertInstanceOf(QmpTimeoutException.class, failure(slow));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
        ObjectNode slowRequest = session.takeCommand();
        session.reply(slowRequest.get("id"), obj().put("late", true));
        assertEquals(json("{\"q\": 1}"), await(client.execute("quick", Map.of("q", 1))));
        assertTrue(client.isOpen());
        assertEquals(0, client.pendingCalls());
    }

    @Test
    void defaultCallTimeoutFromOptions() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.builder().callTimeout(Duration.ofMillis(150)).build());
        assertInstanceOf(QmpTimeoutException.class, failure(client.execute("never")));
        assertInstanceOf(QmpTimeoutException.class, failure(client.execute("never", null, String.class)));
        assertTrue(client.isOpen());
    }

    @Test
    void cancellingACallAbandonsIt() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect();
        CompletableFuture<JsonNode> f = client.execute("hold");
        server.awaitSession().takeCommand();
        assertEquals(1, client.pendingCalls());
        f.cancel(false);
        assertEquals(0, client.pendingCalls());
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsReachMatchingSubscribers() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        List<QmpEvent> all = Collections.synchronizedList(new ArrayList<>());
        List<QmpEvent> stops = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> allThree = new CompletableFuture<>();
        CompletableFuture<QmpEvent> resume = new CompletableFuture<>();
        try (EventSubscription everything = client.subscribe(Set.of(), e -> {
                    all.add(e);
                    if (all.size() == 3) {
                        allThree.complete(null);
                    }
                });
                EventSubscription onlyStop = client.subscribe(Set.of("STOP"), stops::add);
                EventSubscription onlyResume = client.subscribe(Set.of("RESUME"), resume::complete)) {
            session.event("STOP", null);
            session.event("DEVICE_DELETED", obj().put("device", "d0"));
            session.event("RESUME", obj().put("x", 1));
            await(allThree);
            assertEquals(List.of("STOP", "DEVICE_DELETED", "RESUME"), all.stream().map(QmpEvent::name).toList());
            QmpEvent stop = all.get(0);
            assertNull(stop.data());
            assertEquals(1258551470L, stop.seconds());
            assertEquals(802384L, stop.microseconds());
            assertEquals(1258551470802384000L, stop.timestamp().getEpochSecond() * 1_000_000_000L + stop.timestamp().getNano());
            assertEquals("d0", all.get(1).data().get("device").asText());
            assertEquals(1, await(resume).data().get("x").asInt());
            // The reply to a later call proves the reader has passed all three events.
            await(client.execute("sync"));
            CompletableFuture<Void> drained = new CompletableFuture<>();
            client.subscribe(Set.of("MARK"), e -> drained.complete(null));
            session.event("MARK", null);
            await(drained);
            assertEquals(1, stops.size());
            assertEquals(Set.of("STOP"), onlyStop.eventNames());
            assertEquals(Set.of(), everything.eventNames());
            assertEquals(1, onlyResume.delivered());
            assertEquals(0, onlyStop.dropped());
            assertEquals(1, onlyStop.delivered());
            assertTrue(onlyStop.isActive());
        }
    }

    @Test
    void overflowDropsTheOldestAndCounts() throws Exception {
        QmpClient client = connect(QmpClientOptions.builder().eventBufferSize(4).build());
        Session session = server.awaitSession();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventSubscription sub = client.subscribe(Set.of("TICK"), e -> {
            int n = e.data().get("n").asInt();
            seen.add(n);
            if (n == 1) {
                entered.countDown();
                try {
                    release.await(WAIT, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            if (n == 20) {
                done.complete(null);
            }
        });
        session.event("TICK", obj().put("n", 1));
        assertTrue(entered.await(WAIT, TimeUnit.SECONDS));
        for (int n = 2; n <= 20; n++) {
            session.event("TICK", obj().put("n", n));
        }
        // The listener is blocked, yet the reader goes on: this reply arrives after the 20 events.
        await(client.execute("ping"));
        assertEquals(15, sub.dropped());
        assertEquals(4, sub.buffered());
        release.countDown();
        await(done);
        assertEquals(List.of(1, 17, 18, 19, 20), seen);
        assertEquals(5, sub.delivered());
        sub.close();
        assertFalse(sub.isActive());
    }

    @Test
    void listenerExceptionsDoNotEndTheSubscription() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        CompletableFuture<QmpEvent> second = new CompletableFuture<>();
        client.subscribe(Set.of(), e -> {
            if (e.name().equals("FIRST")) {
                throw new IllegalStateException("listener bug (expected by the test)");
            }
            second.complete(e);
        });
        session.event("FIRST", null);
        session.event("SECOND", null);
        assertEquals("SECOND", await(second).name());
    }

    @Test
    void nextEventCompletesWithTheFirstMatchingEvent() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        CompletableFuture<QmpEvent> resume = client.nextEvent("RESUME");
        session.event("STOP", null);
        session.event("RESUME", obj().put("n", 1));
        session.event("RESUME", obj().put("n", 2));
        assertEquals(1, await(resume).data().get("n").asInt());
    }

    @Test
    void nextEventFailsWhenTheConnectionEnds() throws Exception {
        QmpClient client = connect();
        server.awaitSession();
        CompletableFuture<QmpEvent> never = client.nextEvent("SHUTDOWN");
        client.close();
        assertInstanceOf(QmpConnectionClosedException.class, failure(never));
        assertInstanceOf(QmpConnectionClosedException.class, failure(client.nextEvent("SHUTDOWN")));
    }

    // ------------------------------------------------------------------ threads and callbacks

    @Test
    void callbacksRunOffTheReaderThreadAndMayBlock() throws Exception {
        server.handler = (request, session) -> {
            if (!request.get("execute").asText().equals("held")) {
                ScriptedQmpServer.ECHO.handle(request, session);
            }
        };
        QmpClient client = connect();
        Session session = server.awaitSession();
        Thread reader = thread(client.threadNamePrefix() + "reader");
        assertNotNull(reader);
        assertTrue(reader.isDaemon());
        CompletableFuture<JsonNode> held = client.execute("held");
        // A dependent that blocks on another call: it would deadlock on the reader thread.
        CompletableFuture<String> chained = held.thenApply(v -> {
            try {
                JsonNode inner = client.execute("inner", Map.of("v", 1)).get(WAIT, TimeUnit.SECONDS);
                return Thread.currentThread().getName() + "/" + inner.get("v").asInt();
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });
        session.reply(session.takeCommand().get("id"), obj());
        String result = await(chained);
        assertTrue(result.startsWith(client.threadNamePrefix() + "callback-"), result);
        assertTrue(result.endsWith("/1"), result);
    }

    @Test
    void callbackExecutorFromOptionsIsUsed() throws Exception {
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-callbacks"));
        try {
            server.handler = ScriptedQmpServer.HOLD;
            QmpClient client = connect(QmpClientOptions.builder().callbackExecutor(mine).build());
            Session session = server.awaitSession();
            CompletableFuture<String> name = client.execute("x").thenApply(v -> Thread.currentThread().getName());
            session.reply(session.takeCommand().get("id"), obj());
            assertEquals("my-callbacks", await(name));
            client.close();
        } finally {
            mine.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ closing

    @Test
    void serverDisconnectFailsPendingCalls() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect();
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> a = client.execute("a");
        CompletableFuture<JsonNode> b = client.executeOob("b", null);
        session.takeCommand();
        session.takeCommand();
        session.close();
        assertInstanceOf(QmpConnectionClosedException.class, failure(a));
        assertInstanceOf(QmpConnectionClosedException.class, failure(b));
        await(client.closeFuture());
        assertFalse(client.isOpen());
        assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
        assertInstanceOf(QmpConnectionClosedException.class, failure(client.execute("after")));
        assertThreadsEnded(client);
    }

    @Test
    void closeFailsPendingCallsAndEndsTheThreads() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect();
        Session session = server.awaitSession();
        Thread reader = thread(client.threadNamePrefix() + "reader");
        assertNotNull(reader);
        CompletableFuture<JsonNode> pending = client.execute("pending", null, Duration.ofMinutes(5));
        session.takeCommand();
        client.close();
        QmpConnectionClosedException e = assertInstanceOf(QmpConnectionClosedException.class, failure(pending));
        assertNull(e.getCause());
        await(client.closeFuture());
        assertNull(client.closeCause());
        assertFalse(client.isOpen());
        assertFalse(reader.isAlive(), "the reader thread ends when close() returns");
        assertThreadsEnded(client);
        client.close(); // idempotent
        assertInstanceOf(QmpConnectionClosedException.class, failure(client.execute("after")));
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void twentyMebibyteReply() throws Exception {
        int size = 20 << 20;
        server.handler = (request, session) -> {
            ArrayNode list = ScriptedQmpServer.JSON.createArrayNode();
            for (int i = 0; i < 1000; i++) {
                list.addObject().put("name", "object-" + i).put("type", "child<device>");
            }
            session.reply(request.get("id"), obj().put("blob", "x".repeat(size)).set("list", list));
        };
        QmpClient client = connect();
        JsonNode r = await(client.execute("query-big"));
        assertEquals(size, r.get("blob").asText().length());
        assertEquals(1000, r.get("list").size());
        // The connection goes on after the big message.
        server.handler = ScriptedQmpServer.ECHO;
        assertEquals(json("{\"after\": 1}"), await(client.execute("echo", Map.of("after", 1))));
    }

    @Test
    void maxReplySizeIsEnforced() throws Exception {
        int max = 1 << 20;
        server.handler = (request, session) -> {
            int n = request.get("arguments").get("n").asInt();
            session.reply(request.get("id"), obj().put("blob", "y".repeat(n)));
        };
        QmpClient client = connect(QmpClientOptions.builder().maxReplySize(max).build());
        assertEquals(max - 1000, await(client.execute("blob", Map.of("n", max - 1000))).get("blob").asText().length());
        CompletableFuture<JsonNode> tooBig = client.execute("blob", Map.of("n", 2 * max));
        QmpConnectionClosedException e = assertInstanceOf(QmpConnectionClosedException.class, failure(tooBig));
        assertInstanceOf(QmpProtocolException.class, e.getCause());
        await(client.closeFuture());
        assertInstanceOf(QmpProtocolException.class, client.closeCause());
        assertThreadsEnded(client);
    }

    @Test
    void maxReplySizeCountsBytesExactly() throws Exception {
        int max = 100_000;
        server.handler = (request, session) -> {
            int n = request.get("arguments").get("n").asInt();
            session.reply(request.get("id"), obj().put("blob", "z".repeat(n)));
        };
        QmpClient client = connect(QmpClientOptions.builder().maxReplySize(max).build());
        // {"return":{"blob":"..."},"id":"qmon-client-2"} with the test server's compact writer
        int overhead = "{\"return\":{\"blob\":\"\"},\"id\":\"qmon-client-2\"}".length();
        assertEquals(max - overhead, await(client.execute("blob", Map.of("n", max - overhead))).get("blob").asText().length());
        CompletableFuture<JsonNode> oneTooMany = client.execute("blob", Map.of("n", max - overhead + 1));
        assertInstanceOf(QmpProtocolException.class, failure(oneTooMany).getCause());
    }

    @Test
    void malformedJsonFromTheServerClosesTheConnection() throws Exception {
        server.handler = (request, session) -> session.send("{\"return\": tru}");
        QmpClient client = connect();
        Throwable t = failure(client.execute("x"));
        assertInstanceOf(QmpConnectionClosedException.class, t);
        assertInstanceOf(QmpProtocolException.class, t.getCause());
    }

    static JsonNode json(String text) throws IOException {
        return ScriptedQmpServer.JSON.readTree(text);
    }

    @Test
    void tokensAreCountedAsQemusLexerCountsThem() {
        byte[] json = "{\"execute\":\"x\",\"arguments\":{\"a\":[1,2,\"s\\\"q\",true,null,-1.5e3]},\"id\":\"i\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(29, QmpClient.tokens(json));
    }

    @Test
    void aRequestWithMoreTokensThanQemuAcceptsIsRefusedUnsent() throws Exception {
        QmpClient c = connect();
        {
            com.fasterxml.jackson.databind.node.ArrayNode zeros = obj().arrayNode();
            for (int i = 0; i < 1_100_000; i++) {
                zeros.add(0);
            }
            Throwable t = failure(c.execute("query-status", obj().set("x", zeros)));
            assertInstanceOf(QmpClientException.class, t);
            assertTrue(t.getMessage().contains("JSON tokens exceeds the QMP input limit of 2097152 tokens; not sent"),
                    t.getMessage());
            // The connection goes on, and the next call gets its own reply.
            assertEquals("ok", c.execute("next", obj().put("v", "ok")).get(10, TimeUnit.SECONDS).get("v").asText());
            String sent = server.awaitSession().rawInput();
            assertFalse(sent.contains("query-status"), "the refused request never left");
        }
    }
}

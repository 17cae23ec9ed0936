package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.client.QmpClientTest.await;
import static org.qmon.client.QmpClientTest.awaitCondition;
import static org.qmon.client.QmpClientTest.failure;
import static org.qmon.client.QmpClientTest.json;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/**
 * The blocking {@code call} methods, the one exception hierarchy, and results converted to generic
 * types, against the scripted server.
 */
class BlockingCallTest {
    @TempDir
    Path dir;

    private ScriptedQmpServer server;
    private final List<QmpClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.handler = (request, session) -> {
            switch (request.get("execute").asText()) {
                case "query-commands" -> session.send("{\"return\": [{\"name\": \"stop\", \"future\": 1}, {\"name\": \"cont\"}], \"id\": "
                        + request.get("id") + "}");
                case "bad" -> session.error(request.get("id"), "CommandNotFound", "The command bad has not been found");
                case "never" -> { }
                default -> ScriptedQmpServer.ECHO.handle(request, session);
            }
        };
    }

    @AfterEach
    void stop() throws Exception {
        for (QmpClient c : clients) {
            c.close();
        }
        server.close();
    }

    private QmpClient connect() {
        QmpClient c = QmpClient.connect(server.endpoint());
        clients.add(c);
        return c;
    }

    record CommandInfo(String name) {
    }

    record Point(int x, int y) {
    }

    @Test
    void callReturnsTheResultRawOrTyped() throws Exception {
        QmpClient client = connect();
        assertEquals(json("{}"), client.call("anything"));
        assertEquals(json("{\"a\": 1}"), client.call("echo", Map.of("a", 1)));
        assertEquals(new Point(1, 2), client.call("echo", Map.of("x", 1, "y", 2), Point.class));
        assertNull(client.call("echo", null, Void.class));
    }

    @Test
    void genericResultsByTypeReferenceAndJavaTypeHaveRealElementTypes() throws Exception {
        QmpClient client = connect();
        List<CommandInfo> commands = client.call("query-commands", null, new TypeReference<List<CommandInfo>>() { });
        // With a Class<List> the elements would be LinkedHashMaps, and this line a ClassCastException.
        CommandInfo first = commands.get(0);
        assertEquals(new CommandInfo("stop"), first);
        assertEquals(List.of(new CommandInfo("stop"), new CommandInfo("cont")), commands);

        JavaType listOfCommands = QmpClientOptions.defaultObjectMapper().getTypeFactory()
                .constructCollectionType(List.class, CommandInfo.class);
        List<CommandInfo> viaJavaType = client.call("query-commands", null, listOfCommands);
        assertEquals(commands, viaJavaType);

        CompletableFuture<Map<String, List<Point>>> async = client.execute("echo",
                Map.of("points", List.of(Map.of("x", 1, "y", 2))), new TypeReference<Map<String, List<Point>>>() { });
        assertEquals(Map.of("points", List.of(new Point(1, 2))), await(async));
        CompletableFuture<List<CommandInfo>> asyncJavaType = client.execute("query-commands", null, listOfCommands);
        assertEquals(commands, await(asyncJavaType));
    }

    @Test
    void typedCallsTakeATimeoutAndStayUsable() throws Exception {
        QmpClient client = connect();
        Duration shortWait = Duration.ofMillis(150);
        assertThrows(QmpTimeoutException.class, () -> client.call("never", null, Point.class, shortWait));
        assertThrows(QmpTimeoutException.class, () -> client.call("never", null, new TypeReference<List<Point>>() { }, shortWait));
        assertThrows(QmpTimeoutException.class, () -> client.call("never", null, shortWait));
        assertInstanceOf(QmpTimeoutException.class, failure(client.execute("never", null, Point.class, shortWait)));
        assertInstanceOf(QmpTimeoutException.class,
                failure(client.execute("never", null, new TypeReference<List<Point>>() { }, shortWait)));
        JavaType pointType = QmpClientOptions.defaultObjectMapper().constructType(Point.class);
        assertInstanceOf(QmpTimeoutException.class, failure(client.execute("never", null, pointType, shortWait)));
        assertThrows(IllegalArgumentException.class, () -> client.call("echo", null, Point.class, Duration.ZERO));
        // A timeout of its own overrides the default in both directions; null means none.
        assertEquals(new Point(3, 4), client.call("echo", Map.of("x", 3, "y", 4), Point.class, (Duration) null));
        assertTrue(client.isOpen());
    }

    @Test
    void callThrowsTheErrorReplyItselfWithTheCallersStackTrace() {
        QmpClient client = connect();
        QmpException e = assertThrows(QmpException.class, () -> client.call("bad"));
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("The command bad has not been found", e.description());
        assertEquals("bad", e.command());
        assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getMethodName().contains("callThrowsTheErrorReplyItself")),
                "the stack trace shows where call() was made: " + Arrays.toString(e.getStackTrace()));
    }

    @Test
    void oneCatchCoversErrorRepliesTimeoutsClosedConnectionsConnectFailuresAndBadResults() throws Exception {
        QmpClient client = connect();
        List<Class<?>> caught = new ArrayList<>();
        List<Runnable> failing = List.of(
                () -> client.call("bad"),
                () -> client.call("never", null, Duration.ofMillis(50)),
                () -> client.call("echo", Map.of("x", "not a number"), Point.class),
                () -> QmpClient.connect("unix:" + dir.resolve("absent.sock")));
        for (Runnable r : failing) {
            try {
                r.run();
            } catch (QmpClientException e) {
                caught.add(e.getClass());
            }
        }
        client.close();
        try {
            client.call("after-close");
        } catch (QmpClientException e) {
            caught.add(e.getClass());
        }
        assertEquals(List.of(QmpException.class, QmpTimeoutException.class, QmpClientException.class,
                QmpConnectException.class, QmpConnectionClosedException.class), caught);
    }

    @Test
    void anAsyncFailuresCauseIsAlwaysAQmpClientException() throws Exception {
        QmpClient client = connect();
        List<CompletableFuture<?>> futures = List.of(
                client.execute("bad"),
                client.execute("never", null, Duration.ofMillis(50)),
                client.execute("echo", Map.of("x", "not a number"), Point.class),
                QmpClient.connectAsync("unix:" + dir.resolve("absent.sock")));
        for (CompletableFuture<?> f : futures) {
            try {
                await(f);
            } catch (ExecutionException e) {
                // The doc's pattern for futures: the cause is always one of the hierarchy.
                assertInstanceOf(QmpClientException.class, e.getCause());
            }
        }
    }

    @Test
    void anInterruptedCallIsAbandonedAndKeepsTheInterrupt() throws Exception {
        QmpClient client = connect();
        Session session = server.awaitSession();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                client.call("never");
                thrown.complete(null);
            } catch (RuntimeException e) {
                thrown.complete(e);
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "blocking-call-caller");
        caller.start();
        session.takeCommand();
        caller.interrupt();
        QmpClientException e = assertInstanceOf(QmpClientException.class, await(thrown));
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(await(stillInterrupted));
        awaitCondition(() -> client.pendingCalls() == 0, "the interrupted call is abandoned");
        assertEquals(json("{\"after\": true}"), client.call("echo", Map.of("after", true)));
    }

    @Test
    void aCallOnAClosedConnectionThrowsConnectionClosedWithTheReason() throws Exception {
        QmpClient client = connect();
        server.awaitSession().close();
        await(client.closeFuture());
        QmpConnectionClosedException e = assertThrows(QmpConnectionClosedException.class, () -> client.call("x"));
        assertInstanceOf(QmpConnectionClosedException.class, e.getCause(), "the cause says why the connection ended");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // without the caller's own bound, the call would wait for ever
    void aCallTimesOutEvenWhileCallbacksHoldEveryCallbackThread() throws Exception {
        // The replies that start the blocking callbacks are held until every callback is attached, so
        // that each runs on a callback thread (a callback attached to a completed future runs at once,
        // on the caller's thread).
        List<JsonNode> gated = new java.util.concurrent.CopyOnWriteArrayList<>();
        var echo = server.handler;
        server.handler = (request, session) -> {
            if (request.get("execute").asText().equals("gate")) {
                gated.add(request.get("id"));
            } else {
                echo.handle(request, session);
            }
        };
        QmpClient client = connect();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(QmpClientOptions.CALLBACK_THREADS);
        List<java.util.concurrent.CompletableFuture<?>> blockers = new ArrayList<>();
        for (int i = 0; i < QmpClientOptions.CALLBACK_THREADS; i++) {
            blockers.add(client.execute("gate").thenAccept(r -> {
                busy.countDown();
                try {
                    release.await(); // a callback that blocks: documented to hold its thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        awaitCondition(() -> gated.size() == QmpClientOptions.CALLBACK_THREADS, "the gated requests");
        Session session = server.awaitSession();
        for (JsonNode id : gated) {
            session.reply(id, json("{}"));
        }
        assertTrue(busy.await(10, TimeUnit.SECONDS), "every callback thread is held");
        try {
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class,
                    () -> client.call("never", null, Duration.ofMillis(300)));
            assertTrue(e.getMessage().startsWith("no reply to never") && e.getMessage().contains("PT0.3S"), e.getMessage());
        } finally {
            release.countDown();
        }
        for (var b : blockers) {
            b.get(10, TimeUnit.SECONDS);
        }
    }
}

package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.client.QmpClientTest.await;
import static org.qmon.client.QmpClientTest.failure;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/**
 * How connections end: a server hanging up is an expected end (a {@link QmpConnectionClosedException}
 * as close cause, logged at DEBUG without a stack trace), and a connection attempt the caller gave up
 * on never leaves a socket open.
 */
class ConnectionLifecycleTest {
    @TempDir
    Path dir;

    private ScriptedQmpServer server;
    private final List<QmpClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (QmpClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private QmpClient connect() {
        QmpClient c = QmpClient.connect(server.endpoint());
        clients.add(c);
        return c;
    }

    /** The client's lifecycle logger, as the JDK's default System.Logger backend (java.util.logging) sees it. */
    static final class CapturedLog implements AutoCloseable {
        private final Logger logger = Logger.getLogger(QmpClient.class.getName());
        private final Level previous = logger.getLevel();
        final List<LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        CapturedLog() {
            logger.setLevel(Level.ALL);
            handler.setLevel(Level.ALL);
            logger.addHandler(handler);
        }

        List<LogRecord> atOrAbove(Level level) {
            synchronized (records) {
                return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
            }
        }

        List<String> messages() {
            SimpleFormatter formatter = new SimpleFormatter();
            synchronized (records) {
                return records.stream().map(formatter::formatMessage).toList();
            }
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
            logger.setLevel(previous);
        }
    }

    // ------------------------------------------------------------------ hang-ups (defect 2)

    @Test
    void aConnectionResetIsAConnectionClosedCauseLoggedAtDebugWithoutAStackTrace() throws Exception {
        server = ScriptedQmpServer.start(Transport.TCP, dir);
        server.handler = ScriptedQmpServer.HOLD;
        try (CapturedLog log = new CapturedLog()) {
            QmpClient client = connect();
            Session session = server.awaitSession();
            CompletableFuture<JsonNode> pending = client.execute("pending");
            session.takeCommand();
            session.reset();

            QmpConnectionClosedException callFailure = assertInstanceOf(QmpConnectionClosedException.class, failure(pending));
            await(client.closeFuture());
            QmpConnectionClosedException cause = assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
            assertInstanceOf(java.net.SocketException.class, cause.getCause(), "the socket's own report is kept as the cause");
            assertTrue(cause.getMessage().contains("Connection reset"), cause.getMessage());
            assertEquals(cause, callFailure.getCause());

            assertEquals(List.of(), log.atOrAbove(Level.WARNING), "a hang-up is an expected end");
            List<LogRecord> ended = log.records.stream()
                    .filter(r -> new SimpleFormatter().formatMessage(r).contains("ended")).toList();
            assertEquals(1, ended.size(), log.messages()::toString);
            assertEquals(Level.FINE, ended.get(0).getLevel());
            assertNull(ended.get(0).getThrown(), "no stack trace for a hang-up");
        }
    }

    @Test
    void aJobsDoneFailsWhenTheConnectionEndsBeforeItConcluded() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        QmpClient client = connect(); // the start command is echoed: the job "runs" and never concludes
        QmpJob job = QmpJob.start(client, "j1", "some-job", QmpClientTest.obj().put("job-id", "j1"));
        Session session = server.awaitSession();
        // Replies come in order: once this one is in, the job's start was answered and it follows events.
        client.execute("ping").get(10, TimeUnit.SECONDS);
        session.close();
        Throwable t = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> job.done().get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(QmpConnectionClosedException.class, t);
        assertTrue(t.getMessage().contains("before job j1 concluded"), t.getMessage());
    }

    @Test
    void anEndOfStreamIsAConnectionClosedCauseWithoutWarning() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        try (CapturedLog log = new CapturedLog()) {
            QmpClient client = connect();
            server.awaitSession().close();
            await(client.closeFuture());
            QmpConnectionClosedException cause = assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
            assertTrue(cause.getMessage().contains("the server closed the connection"), cause.getMessage());
            assertEquals(List.of(), log.atOrAbove(Level.WARNING));
        }
    }

    @Test
    void aProtocolViolationIsStillAWarning() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.handler = (request, session) -> session.send("{\"return\": tru}");
        try (CapturedLog log = new CapturedLog()) {
            QmpClient client = connect();
            failure(client.execute("x"));
            await(client.closeFuture());
            assertInstanceOf(QmpProtocolException.class, client.closeCause());
            assertEquals(1, log.atOrAbove(Level.WARNING).size(), log.messages()::toString);
        }
    }

    @Test
    void aReplySentBeforeTheServerHungUpIsDeliveredEvenWhenTheNextWriteFailed() throws Exception {
        // QEMU after quit: it answers, closes, and the client's next request meets a broken pipe.
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.handler = (request, session) -> {
            if (request.get("execute").asText().equals("last")) {
                session.event("GATE", null);
                session.reply(request.get("id"), QmpClientTest.obj().put("last", true));
                session.close();
            }
        };
        try (CapturedLog log = new CapturedLog()) {
            QmpClient client = connect();
            Session session = server.awaitSession();
            // Holds the reader at GATE (ahead of the reply and the end of stream) until the write
            // below has failed; a filter runs on the reader thread, and only a test would block in one.
            java.util.concurrent.CountDownLatch writeFailed = new java.util.concurrent.CountDownLatch(1);
            client.subscribe(e -> {
                try {
                    writeFailed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }, e -> { });
            CompletableFuture<JsonNode> last = client.execute("last");
            session.awaitEnd();
            CompletableFuture<JsonNode> next = client.execute("next");
            QmpClientTest.awaitCondition(() -> log.messages().stream().anyMatch(m -> m.contains("writing to")),
                    "the write of next failed: " + log.messages());
            writeFailed.countDown();

            assertTrue(await(last).get("last").asBoolean(), "the reply the server sent before hanging up");
            assertInstanceOf(QmpConnectionClosedException.class, failure(next));
            await(client.closeFuture());
            assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
            assertEquals(List.of(), log.atOrAbove(Level.WARNING));
        }
    }

    @Test
    void aServerThatStopsReadingButStaysConnectedIsLeftAfterTheGracePeriod() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        QmpClient client = connect();
        Session session = server.awaitSession();
        session.shutdownInput(); // our next write meets a broken pipe; the server's side stays open
        CompletableFuture<JsonNode> call = client.execute("unheard");
        long start = System.nanoTime();
        assertInstanceOf(QmpConnectionClosedException.class, failure(call));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertTrue(seconds < 9, "ended by the 5 s grace period, not by the test's wait: " + seconds + " s");
        QmpConnectionClosedException cause = assertInstanceOf(QmpConnectionClosedException.class, client.closeCause());
        assertTrue(cause.getMessage().contains("lost while writing"), cause.getMessage());
    }

    // ------------------------------------------------------------------ abandoned connects (defect 3)

    @Test
    void cancellingTheConnectFutureClosesTheSocketAndALateGreetingIsNotAnswered() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.sendGreeting = false;
        CompletableFuture<QmpClient> connecting = QmpClient.connectAsync(server.endpoint());
        Session session = server.awaitSession();
        assertTrue(connecting.cancel(false));
        session.awaitEnd();
        try {
            session.send(ScriptedQmpServer.GREETING_WITH_OOB);
        } catch (IOException expected) {
            // the client is gone
        }
        assertTrue(session.requests.isEmpty(), "no qmp_capabilities after the caller gave up: " + session.requests);
    }

    @Test
    void aConnectFutureFailedByTheCallersOwnTimeoutClosesTheSocket() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.sendGreeting = false;
        CompletableFuture<QmpClient> connecting = QmpClient.connectAsync(server.endpoint()).orTimeout(100, TimeUnit.MILLISECONDS);
        Session session = server.awaitSession();
        assertInstanceOf(java.util.concurrent.TimeoutException.class, failure(connecting));
        session.awaitEnd();
        assertTrue(session.requests.isEmpty());
    }

    @Test
    void aBlockingConnectThatTimesOutClosesItsSocket() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.sendGreeting = false;
        assertThrows(QmpTimeoutException.class, () -> QmpClient.connect(server.endpoint(),
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(200)).build()));
        server.awaitSession().awaitEnd();
    }

    @Test
    void anInterruptedBlockingConnectClosesItsSocketAndKeepsTheInterrupt() throws Exception {
        server = ScriptedQmpServer.start(Transport.UNIX, dir);
        server.sendGreeting = false;
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                clients.add(QmpClient.connect(server.endpoint()));
                thrown.complete(null);
            } catch (RuntimeException e) {
                thrown.complete(e);
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "blocking-connect-caller");
        caller.start();
        Session session = server.awaitSession();
        caller.interrupt();
        QmpClientException e = assertInstanceOf(QmpClientException.class, await(thrown));
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(await(stillInterrupted));
        session.awaitEnd();
        assertFalse(session.ended.isCompletedExceptionally());
    }
}

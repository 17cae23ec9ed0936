package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.client.QmpClientTest.await;
import static org.qmon.client.QmpClientTest.awaitCondition;
import static org.qmon.client.QmpClientTest.failure;
import static org.qmon.client.QmpClientTest.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/**
 * Where the client completes its futures and runs listeners: always on the callback executor, never
 * on the reader thread (where a blocking callback would stall the connection), nor the timer thread,
 * nor the thread that happens to call {@code close()}; and how the client's own callback pool is
 * bounded. Each dependent is registered while its future is still pending, so the thread that runs
 * it is the thread that completed the future.
 */
class CompletionThreadsTest {
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

    private QmpClient connect(QmpClientOptions options) throws Exception {
        QmpClient c = QmpClient.connect(server.endpoint(), options);
        clients.add(c);
        return c;
    }

    /** The name of the thread that runs a dependent of {@code future}; call it while the future is pending. */
    private static CompletableFuture<String> threadOf(CompletableFuture<?> future) {
        assertFalse(future.isDone(), "the dependent must be registered before the future completes");
        return future.handle((v, e) -> Thread.currentThread().getName());
    }

    private static void assertCallbackThread(QmpClient client, CompletableFuture<String> thread) throws Exception {
        String name = await(thread);
        assertTrue(name.startsWith(client.threadNamePrefix() + "callback-"), "completed on " + name);
    }

    @Test
    void repliesErrorRepliesAndTypedResultsCompleteOnCallbackThreads() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> ok = client.execute("ok");
        CompletableFuture<JsonNode> bad = client.execute("bad");
        CompletableFuture<Map<String, String>> typed = client.execute("typed", null, new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
        CompletableFuture<String> okThread = threadOf(ok);
        CompletableFuture<String> badThread = threadOf(bad);
        CompletableFuture<String> typedThread = threadOf(typed);
        session.reply(session.takeCommand().get("id"), obj());
        session.error(session.takeCommand().get("id"), "GenericError", "no");
        session.reply(session.takeCommand().get("id"), obj().put("k", "v"));
        assertCallbackThread(client, okThread);
        assertCallbackThread(client, badThread);
        assertCallbackThread(client, typedThread);
        assertInstanceOf(QmpException.class, failure(bad));
        assertEquals(Map.of("k", "v"), await(typed));
    }

    @Test
    void aTimeoutCompletesOnACallbackThreadNotTheTimer() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.defaults());
        CompletableFuture<JsonNode> slow = client.execute("slow", null, Duration.ofMillis(100));
        CompletableFuture<String> thread = threadOf(slow);
        assertCallbackThread(client, thread);
        assertInstanceOf(QmpTimeoutException.class, failure(slow));
    }

    @Test
    void aServerHangUpCompletesCallsEventsAndCloseFutureOnCallbackThreads() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> pending = client.execute("pending");
        session.takeCommand();
        CompletableFuture<String> callThread = threadOf(pending);
        CompletableFuture<String> eventThread = threadOf(client.nextEvent("NEVER"));
        CompletableFuture<String> closeThread = threadOf(client.closeFuture());
        session.close();
        assertCallbackThread(client, callThread);
        assertCallbackThread(client, eventThread);
        assertCallbackThread(client, closeThread);
        assertInstanceOf(QmpConnectionClosedException.class, failure(pending));
    }

    @Test
    void aLocalCloseCompletesCallsEventsAndCloseFutureOnCallbackThreadsNotTheClosingThread() throws Exception {
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> pending = client.execute("pending");
        session.takeCommand();
        CompletableFuture<String> callThread = threadOf(pending);
        CompletableFuture<String> eventThread = threadOf(client.nextEvent("NEVER"));
        CompletableFuture<String> closeThread = threadOf(client.closeFuture());
        client.close();
        assertCallbackThread(client, callThread);
        assertCallbackThread(client, eventThread);
        assertCallbackThread(client, closeThread);
    }

    @Test
    void theConnectFutureCompletesOnACallbackThreadWhetherItSucceedsTimesOutOrTheServerHangsUp() throws Exception {
        server.sendGreeting = false;
        CompletableFuture<QmpClient> connecting = QmpClient.connectAsync(server.endpoint());
        CompletableFuture<String> connected = connecting.handle((c, e) -> {
            clients.add(c);
            return Thread.currentThread().getName() + "|" + c.threadNamePrefix();
        });
        Session session = server.awaitSession();
        session.send(ScriptedQmpServer.GREETING_WITH_OOB);
        String[] nameAndPrefix = await(connected).split("\\|");
        assertTrue(nameAndPrefix[0].startsWith(nameAndPrefix[1] + "callback-"), nameAndPrefix[0]);

        // The watchdog runs on the timer thread; it hands the failure to the callback executor.
        CompletableFuture<QmpClient> timingOut = QmpClient.connectAsync(server.endpoint(),
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(100)).build());
        CompletableFuture<String> timeoutThread = threadOf(timingOut);
        assertTrue(await(timeoutThread).matches("qmon-client-\\d+-callback-\\d+"), await(timeoutThread));
        assertInstanceOf(QmpTimeoutException.class, failure(timingOut));

        // A hang-up during the greeting wait is seen by the reader thread.
        CompletableFuture<QmpClient> hungUp = QmpClient.connectAsync(server.endpoint());
        CompletableFuture<String> hangUpThread = threadOf(hungUp);
        server.awaitSession(); // the first connection's session was taken above; this one is the timing-out one
        server.awaitSession().close();
        assertTrue(await(hangUpThread).matches("qmon-client-\\d+-callback-\\d+"), await(hangUpThread));
        assertInstanceOf(QmpConnectionClosedException.class, failure(hungUp));
    }

    @Test
    void aCallerSuppliedExecutorRunsEveryCompletionIncludingTheOnesAHangUpCauses() throws Exception {
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-callbacks"));
        try {
            server.handler = ScriptedQmpServer.HOLD;
            QmpClient client = connect(QmpClientOptions.builder().callbackExecutor(mine).build());
            Session session = server.awaitSession();
            CompletableFuture<JsonNode> answered = client.execute("answered");
            CompletableFuture<JsonNode> pending = client.execute("pending");
            CompletableFuture<String> answeredThread = threadOf(answered);
            CompletableFuture<String> pendingThread = threadOf(pending);
            CompletableFuture<String> closeThread = threadOf(client.closeFuture());
            session.reply(session.takeCommand().get("id"), obj());
            session.takeCommand();
            session.close();
            assertEquals("my-callbacks", await(answeredThread));
            assertEquals("my-callbacks", await(pendingThread));
            assertEquals("my-callbacks", await(closeThread));
            assertEquals(-1, client.callbackThreads());
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    void aRejectingExecutorGetsItsTasksRunOnANewThreadNeverTheReader() throws Exception {
        ExecutorService mine = Executors.newSingleThreadExecutor();
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.builder().callbackExecutor(mine).build());
        Session session = server.awaitSession();
        CompletableFuture<JsonNode> call = client.execute("late");
        CompletableFuture<String> thread = threadOf(call);
        mine.shutdown();
        session.reply(session.takeCommand().get("id"), obj());
        assertEquals(client.threadNamePrefix() + "callback-rejected", await(thread));
    }

    @Test
    void theOwnPoolIsBoundedAndABurstOfRepliesQueues() throws Exception {
        int calls = 100;
        server.handler = ScriptedQmpServer.HOLD;
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CountDownLatch entered = new CountDownLatch(QmpClientOptions.CALLBACK_THREADS);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<JsonNode>> dependents = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            // Each callback blocks on something that is not one of the client's futures, so it
            // holds its pool thread for as long as the test wants.
            dependents.add(client.execute("q", Map.of("i", i)).thenApply(v -> {
                threads.add(Thread.currentThread().getName());
                started.incrementAndGet();
                entered.countDown();
                try {
                    assertTrue(release.await(WAIT, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return v;
            }));
        }
        List<ObjectNode> requests = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            requests.add(session.takeCommand());
        }
        for (ObjectNode r : requests) {
            session.reply(r.get("id"), r.get("arguments"));
        }
        assertTrue(entered.await(WAIT, TimeUnit.SECONDS));
        // The reader has matched every reply and handed every completion to the pool.
        awaitCondition(() -> client.pendingCalls() == 0, "all replies read");
        assertEquals(QmpClientOptions.CALLBACK_THREADS, client.callbackThreads(), "no thread beyond the bound");
        assertEquals(QmpClientOptions.CALLBACK_THREADS, started.get(), "the other completions wait in the queue");
        release.countDown();
        for (int i = 0; i < calls; i++) {
            assertEquals(i, await(dependents.get(i)).get("i").asInt());
        }
        assertTrue(threads.size() <= QmpClientOptions.CALLBACK_THREADS, threads::toString);
    }

    @Test
    void callbacksThatWaitForOtherCallsOfTheSameClientDoNotStarveTheBoundedPool() throws Exception {
        // Twice as many callbacks as threads, each waiting for the reply to another call, and the
        // server answers those calls only once all of them have arrived: so all the callbacks must
        // wait at the same time. A plain bounded pool would run four, which would wait forever.
        int outer = 2 * QmpClientOptions.CALLBACK_THREADS;
        List<ObjectNode> inner = new ArrayList<>();
        server.handler = (request, session) -> {
            if (request.get("execute").asText().equals("inner")) {
                inner.add(request); // the session's reader thread is the only one touching the list
                if (inner.size() == outer) {
                    for (ObjectNode r : inner) {
                        session.reply(r.get("id"), r.get("arguments"));
                    }
                }
            }
        };
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < outer; i++) {
            int n = i;
            results.add(client.execute("held").thenApply(v -> {
                try {
                    // The three ways to wait for a reply: call, get and join.
                    return switch (n % 3) {
                        case 0 -> client.call("inner", Map.of("n", n)).get("n").asInt();
                        case 1 -> client.execute("inner", Map.of("n", n)).get(WAIT, TimeUnit.SECONDS).get("n").asInt();
                        default -> client.execute("inner", Map.of("n", n)).join().get("n").asInt();
                    };
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<ObjectNode> held = new ArrayList<>();
        for (int i = 0; i < outer; i++) {
            held.add(session.takeCommand());
        }
        for (ObjectNode r : held) {
            session.reply(r.get("id"), obj());
        }
        for (int i = 0; i < outer; i++) {
            assertEquals(i, await(results.get(i)));
        }
        // Lent threads end when idle; the pool is back to its bound.
        awaitCondition(() -> client.callbackThreads() <= QmpClientOptions.CALLBACK_THREADS, "pool back to its bound");
    }
}

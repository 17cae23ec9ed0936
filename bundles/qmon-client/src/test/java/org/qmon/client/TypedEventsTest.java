package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.client.QmpClientTest.await;
import static org.qmon.client.QmpClientTest.obj;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/** Typed event data ({@link QmpEvent#data(Class)}) and subscriptions by filter, against the scripted server. */
class TypedEventsTest {
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

    private QmpClient connect(QmpClientOptions options) {
        QmpClient c = QmpClient.connect(server.endpoint(), options);
        clients.add(c);
        return c;
    }

    record Job(String id, String status) {
    }

    record BlockJob(String nodeName, long len) {
    }

    @Test
    void eventDataConvertsToRecordsGenericTypesAndJacksonTypes() throws Exception {
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CompletableFuture<QmpEvent> job = client.nextEvent("JOB_STATUS_CHANGE");
        CompletableFuture<QmpEvent> stop = client.nextEvent("STOP");
        session.event("JOB_STATUS_CHANGE", obj().put("id", "j1").put("status", "running").put("extra", 1));
        session.event("STOP", null);
        QmpEvent e = await(job);
        assertEquals(new Job("j1", "running"), e.data(Job.class), "unknown members are ignored");
        assertEquals("j1", e.data(new TypeReference<Map<String, Object>>() { }).get("id"));
        assertEquals(new Job("j1", "running"),
                e.data(QmpClientOptions.defaultObjectMapper().getTypeFactory().constructType(Job.class)));
        assertNull(await(stop).data(Job.class), "an event without data has no typed data either");
        QmpClientException bad = assertThrows(QmpClientException.class, () -> e.data(Integer.class));
        assertTrue(bad.getMessage().contains("JOB_STATUS_CHANGE"), bad.getMessage());
    }

    @Test
    void eventDataUsesTheOptionsObjectMapper() throws Exception {
        // A kebab-case mapper reads "node-name" into nodeName without annotations; the default would not.
        QmpClientOptions kebab = QmpClientOptions.builder().objectMapper(QmpClientOptions.defaultObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)).build();
        QmpClient client = connect(kebab);
        Session session = server.awaitSession();
        CompletableFuture<QmpEvent> ready = client.nextEvent("BLOCK_JOB_READY");
        session.event("BLOCK_JOB_READY", obj().put("node-name", "disk0").put("len", 42));
        assertEquals(new BlockJob("disk0", 42), await(ready).data(BlockJob.class));
        assertEquals(new BlockJob(null, 42), new QmpEvent("BLOCK_JOB_READY", await(ready).data(), -1, -1).data(BlockJob.class),
                "an event made without a client uses the default mapper");
    }

    @Test
    void aFilterSubscriptionDeliversOnlyWhatItAcceptsInOrder() throws Exception {
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        List<String> concluded = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> last = new CompletableFuture<>();
        try (EventSubscription sub = client.subscribe(
                e -> e.name().equals("JOB_STATUS_CHANGE") && "concluded".equals(e.data(Job.class).status()),
                e -> {
                    concluded.add(e.data(Job.class).id());
                    if (concluded.size() == 2) {
                        last.complete(null);
                    }
                })) {
            session.event("JOB_STATUS_CHANGE", obj().put("id", "a").put("status", "running"));
            session.event("STOP", null);
            session.event("JOB_STATUS_CHANGE", obj().put("id", "a").put("status", "concluded"));
            session.event("JOB_STATUS_CHANGE", obj().put("id", "b").put("status", "running"));
            session.event("JOB_STATUS_CHANGE", obj().put("id", "b").put("status", "concluded"));
            await(last);
            assertEquals(List.of("a", "b"), concluded);
            assertEquals(Set.of(), sub.eventNames(), "a filter subscription names no events");
            assertEquals(0, sub.dropped());
        }
    }

    @Test
    void nextEventWithAFilterSkipsEventsItRejects() throws Exception {
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        CompletableFuture<QmpEvent> jobB = client.nextEvent(e -> e.data() != null && "b".equals(e.data().path("id").asText()));
        session.event("JOB_STATUS_CHANGE", obj().put("id", "a").put("status", "running"));
        session.event("JOB_STATUS_CHANGE", obj().put("id", "b").put("status", "running"));
        assertEquals(new Job("b", "running"), await(jobB).data(Job.class));
    }

    @Test
    void theFilterRunsOnTheReaderTheListenerOnACallbackThreadAndAThrowingFilterRejects() throws Exception {
        QmpClient client = connect(QmpClientOptions.defaults());
        Session session = server.awaitSession();
        List<String> filterThreads = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> listenerThread = new CompletableFuture<>();
        client.subscribe(e -> {
            filterThreads.add(Thread.currentThread().getName());
            if (e.name().equals("BOOM")) {
                throw new IllegalStateException("filter bug (expected by the test)");
            }
            return true;
        }, e -> {
            if (e.name().equals("BOOM")) {
                listenerThread.completeExceptionally(new AssertionError("a throwing filter must reject the event"));
            } else {
                listenerThread.complete(Thread.currentThread().getName());
            }
        });
        session.event("BOOM", null);
        session.event("FINE", null);
        assertTrue(await(listenerThread).startsWith(client.threadNamePrefix() + "callback-"));
        assertEquals(List.of(client.threadNamePrefix() + "reader", client.threadNamePrefix() + "reader"), filterThreads);
    }

    @Test
    void subscribeAndNextEventRejectNullFilters() {
        QmpClient client = connect(QmpClientOptions.defaults());
        assertThrows(NullPointerException.class, () -> client.subscribe((Predicate<QmpEvent>) null, e -> { }));
        assertThrows(NullPointerException.class, () -> client.nextEvent((Predicate<QmpEvent>) null));
    }
}

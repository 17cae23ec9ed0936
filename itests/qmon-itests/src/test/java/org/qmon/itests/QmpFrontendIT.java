package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpEvent;
import org.qmon.client.QmpException;

/**
 * The foundation, end to end: a real Felix, the packaged bundles, the real unix socket, and the qmon
 * client.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class QmpFrontendIT extends QmonTestSupport {

    private static final long T = WAIT.toSeconds();

    @Test
    public void negotiatesAndAnswersQueryVersionAndQueryStatus() throws Exception {
        QmpClient c = connect();
        JsonNode qmp = c.greeting().get("QMP");
        assertEquals("oob", qmp.get("capabilities").get(0).asText());
        assertTrue(c.enabledCapabilities().contains("oob"));
        JsonNode version = c.execute("query-version").get(T, TimeUnit.SECONDS);
        assertEquals(qmp.get("version"), version);
        assertTrue(version.get("package").asText().startsWith("qmon-"));
        JsonNode status = c.execute("query-status").get(T, TimeUnit.SECONDS);
        assertEquals("running", status.get("status").asText());
        assertTrue(status.get("running").asBoolean());
    }

    @Test
    public void stopAndContEmitEventsAndChangeTheStatus() throws Exception {
        QmpClient c = connect();
        CompletableFuture<QmpEvent> stopEvent = c.nextEvent("STOP");
        c.execute("stop").get(T, TimeUnit.SECONDS);
        assertEquals("STOP", stopEvent.get(T, TimeUnit.SECONDS).name());
        assertEquals("paused", c.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        CompletableFuture<QmpEvent> resume = c.nextEvent("RESUME");
        c.execute("cont").get(T, TimeUnit.SECONDS);
        assertEquals("RESUME", resume.get(T, TimeUnit.SECONDS).name());
        assertEquals("running", c.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
    }

    @Test
    public void hotInstalledCommandBundleAppearsWorksAndLeaves() throws Exception {
        QmpClient c = connect();
        Bundle hot = context.installBundle(bundleUrl("qmon-itest-hot"));
        hot.start();
        awaitCondition(() -> dispatcherHas("itest-hello", true), "itest-hello to appear");
        assertTrue(commandNames(c).contains("itest-hello"));
        JsonNode r = c.execute("itest-hello", Map.of("name", "qmon")).get(T, TimeUnit.SECONDS);
        assertEquals("Hello, qmon", r.get("greeting").asText());

        // Uninstall while the handler is known to run: it announces itself with an event.
        CompletableFuture<QmpEvent> started = c.nextEvent("ITEST_PARKED");
        CompletableFuture<JsonNode> parked = c.execute("itest-park");
        started.get(T, TimeUnit.SECONDS);
        assertFalse(parked.isDone());
        hot.uninstall();
        try {
            parked.get(T, TimeUnit.SECONDS);
            fail("a call in flight must fail when its bundle leaves");
        } catch (ExecutionException e) {
            QmpException q = (QmpException) e.getCause();
            assertEquals("CommandNotFound", q.errorClass());
            // Not the text of a command that was never found: the departure's own.
            assertEquals("The command itest-park has been removed while it was running", q.description());
        }
        awaitCondition(() -> dispatcherHas("itest-hello", false), "itest-hello to leave");
        assertFalse(commandNames(c).contains("itest-hello"));
        try {
            c.execute("itest-hello", Map.of("name", "x")).get(T, TimeUnit.SECONDS);
            fail("gone");
        } catch (ExecutionException e) {
            assertEquals("The command itest-hello has not been found", ((QmpException) e.getCause()).description());
        }
    }

    @Test
    public void asyncCommandCompletesFromAnotherThread() throws Exception {
        String name = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                Thread t = new Thread(() -> completion.complete("from " + Thread.currentThread().getName()),
                        "itest-completer");
                t.start();
            }
        }, "itest-async");
        QmpClient c = connect();
        assertEquals("from itest-completer", c.execute(name).get(T, TimeUnit.SECONDS).asText());
    }

    @Test
    public void repliesLeaveInRequestOrderWhenTheAsyncOneFinishesLast() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        String slow = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                started.countDown();
                new Thread(() -> {
                    try {
                        release.await(T, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    completion.complete("slow");
                }).start();
            }
        }, "itest-slow");
        String fast = register(Command.class, new Command<NoArguments, String>() {
            @Override
            public String execute(NoArguments a, CommandContext ctx) {
                return "fast";
            }
        }, "itest-fast");
        QmpClient c = connectOrdered();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> f1 = c.execute(slow).thenAccept(v -> order.add(v.asText()));
        CompletableFuture<Void> f2 = c.execute(fast).thenAccept(v -> order.add(v.asText()));
        assertTrue(started.await(T, TimeUnit.SECONDS));
        assertFalse("the fast command must wait for the slow one", f2.isDone());
        release.countDown();
        CompletableFuture.allOf(f1, f2).get(T, TimeUnit.SECONDS);
        assertEquals(List.of("slow", "fast"), order);
    }

    @Test
    public void aClientThatLeftIsCancelledAtTheNextWriteToIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean sawCancelled = new AtomicBoolean();
        String name = register(AsyncCommand.class, new AsyncCommand<NoArguments, Void>() {
            @Override
            public void execute(NoArguments a, Completion<Void> completion, CommandContext ctx) {
                completion.onCancel(() -> {
                    sawCancelled.set(completion.isCancelled());
                    cancelled.countDown();
                });
                started.countDown();
            }
        }, "itest-pending");
        QmpClient c = connect();
        c.execute(name);
        assertTrue(started.await(T, TimeUnit.SECONDS));
        c.close();
        // A clean close reads as end of input, which is not a departure: requests already sent are
        // still answered. The next write to the client (here the STOP and RESUME events another client
        // causes) fails, and that cancels what it left pending.
        QmpClient other = connect();
        other.execute("stop").get(T, TimeUnit.SECONDS);
        other.execute("cont").get(T, TimeUnit.SECONDS);
        assertTrue("the handler must learn that its client left", cancelled.await(T, TimeUnit.SECONDS));
        assertTrue(sawCancelled.get());
    }

    @Test
    public void aSlowCommandOnOneSessionDoesNotDelayAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        String slow = register(Command.class, new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext ctx) {
                started.countDown();
                try {
                    release.await(T, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
        }, "itest-block");
        QmpClient first = connect();
        QmpClient second = connect();
        CompletableFuture<JsonNode> blocked = first.execute(slow);
        assertTrue(started.await(T, TimeUnit.SECONDS));
        for (int i = 0; i < 200; i++) {
            assertEquals("running", second.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        }
        assertFalse(blocked.isDone());
        release.countDown();
        blocked.get(T, TimeUnit.SECONDS);
    }

    @Test
    public void pipelinedCommandsComeBackInOrder() throws Exception {
        QmpClient c = connectOrdered();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            all.add(c.execute("query-name").thenAccept(r -> order.add(n)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(T, TimeUnit.SECONDS);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    private static List<String> commandNames(QmpClient c) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode n : c.execute("query-commands").get(T, TimeUnit.SECONDS)) {
            names.add(n.get("name").asText());
        }
        return names;
    }
}

package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.client.QmpClient;
import org.qmon.client.QmpException;

/** QMP's {@code human-monitor-command} against the running bundles, over the real QMP socket. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HumanMonitorCommandIT extends QmonTestSupport {

    private static final long T = WAIT.toSeconds();

    private static String hmc(QmpClient c, Map<String, Object> args) throws Exception {
        return c.execute("human-monitor-command", args).get(T, TimeUnit.SECONDS).asText();
    }

    @Test
    public void runsALineAndReturnsItsOutputWithCrlf() throws Exception {
        QmpClient c = connect();
        assertEquals("VM status: running\r\n", hmc(c, Map.of("command-line", "info status")));
        assertEquals("unknown command: 'foo'\r\n", hmc(c, Map.of("command-line", "foo")));
        assertEquals("", hmc(c, Map.of("command-line", "")));
        assertEquals("stop|s: extraneous characters at the end of line\r\nTry \"help stop\" for more information\r\n",
                hmc(c, Map.of("command-line", "stop x")));
        assertEquals("VM status: running\r\n", hmc(c, Map.of("command-line", "info status", "cpu-index", 0)));
        assertEquals("", hmc(c, Map.of("command-line", "stop")));
        assertEquals("VM status: paused\r\n", hmc(c, Map.of("command-line", "info status")));
        assertEquals("paused", c.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        assertEquals("", hmc(c, Map.of("command-line", "cont")));
    }

    @Test
    public void qemusErrorsForItsOwnArguments() throws Exception {
        QmpClient c = connect();
        for (Object[] row : new Object[][] {
            {Map.of(), "Parameter 'command-line' is missing"},
            {Map.of("command-line", 5), "Invalid parameter type for 'command-line', expected: string"},
            {Map.of("command-line", "info status", "cpu-index", -1), "Parameter 'cpu-index' expects a CPU number"},
            {Map.of("command-line", "x", "y", 1), "Parameter 'y' is unexpected"}}) {
            try {
                c.execute("human-monitor-command", (Map<String, Object>) row[0]).get(T, TimeUnit.SECONDS);
                fail("no error for " + row[0]);
            } catch (ExecutionException e) {
                QmpException q = (QmpException) e.getCause();
                assertEquals("GenericError", q.errorClass());
                assertEquals(row[1], q.description());
            }
        }
    }

    @Test
    public void listedByQueryCommands() throws Exception {
        JsonNode commands = connect().execute("query-commands").get(T, TimeUnit.SECONDS);
        List<String> names = new ArrayList<>();
        commands.forEach(n -> names.add(n.get("name").asText()));
        assertTrue(names.toString(), names.contains("human-monitor-command"));
    }

    @Test
    public void completesWhenTheLinesAsyncCommandCompletesWhileOthersAreAnswered() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Completion<String>> held = new AtomicReference<>();
        String hold = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                held.set(completion);
                started.countDown();
            }
        }, "itest-hmc-hold");
        HmpDefinition d = HmpDefinition.command(hold).calls(hold).formatter((r, a) -> "held " + r).build();
        ServiceRegistration<HmpCommand> reg = context.registerService(HmpCommand.class, () -> d, null);
        try {
            QmpClient c = connect();
            CompletableFuture<JsonNode> out = c.execute("human-monitor-command", Map.of("command-line", hold));
            assertTrue(started.await(T, TimeUnit.SECONDS));
            QmpClient other = connect();
            assertEquals("VM status: running\r\n", hmc(other, Map.of("command-line", "info status")));
            assertFalse(out.isDone());
            held.get().complete("ok");
            assertEquals("held ok\r\n", out.get(T, TimeUnit.SECONDS).asText());
        } finally {
            reg.unregister();
        }
    }

    @Test
    public void aQmpClientThatLeavesCancelsTheLinesCommand() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        String hold = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                completion.onCancel(() -> cancelled.complete(completion.isCancelled()));
                started.countDown();
            }
        }, "itest-hmc-leave");
        HmpDefinition d = HmpDefinition.command(hold).calls(hold).build();
        ServiceRegistration<HmpCommand> reg = context.registerService(HmpCommand.class, () -> d, null);
        try {
            QmpClient c = QmpClient.connect(address);
            c.execute("human-monitor-command", Map.of("command-line", hold));
            assertTrue(started.await(T, TimeUnit.SECONDS));
            c.close();
            // A clean close reads as end of input, not a departure; the next write to the client (the
            // STOP and RESUME events another client causes) fails, and that cancels what it left.
            QmpClient other = connect();
            other.execute("stop").get(T, TimeUnit.SECONDS);
            other.execute("cont").get(T, TimeUnit.SECONDS);
            assertTrue(cancelled.get(T, TimeUnit.SECONDS));
        } finally {
            reg.unregister();
        }
    }
}

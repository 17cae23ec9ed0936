package org.qmon.dispatcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.ErrorClass;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.HandlerStatus;
import org.qmon.api.runtime.LocalCommand;
import org.qmon.api.runtime.Reply;

/** The dispatcher core with in-process handlers: JSON arguments in, replies out. */
class DispatcherImplTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT = 10;
    private final AtomicLong ids = new AtomicLong(100);
    private DispatcherImpl dispatcher;

    enum Format { ppm, png, @JsonProperty("finish-migrate") FINISH_MIGRATE }

    record Inner(int integer, String string) { }

    record Args(String name, Optional<Integer> count, Optional<Format> format, Optional<List<Inner>> items,
            @JsonProperty("dash-name") Optional<Boolean> dashName) { }

    static final class Echo implements Command<Args, Args> {
        @Override
        public Args execute(Args a, CommandContext c) {
            return a;
        }
    }

    static final class NoArgs implements Command<NoArguments, Void> {
        @Override
        public Void execute(NoArguments a, CommandContext c) {
            return null;
        }
    }

    /** Completes when the test says so, from the test's thread. */
    static final class Later implements AsyncCommand<NoArguments, String> {
        final LinkedBlockingQueue<Completion<String>> pending = new LinkedBlockingQueue<>();

        @Override
        public void execute(NoArguments a, Completion<String> completion, CommandContext c) {
            pending.add(completion);
        }
    }

    @BeforeEach
    void setUp() {
        dispatcher = new DispatcherImpl();
    }

    @AfterEach
    void tearDown() {
        dispatcher.deactivate();
    }

    private long register(String name, Object handler) {
        return register(name, handler, 0, false);
    }

    private long register(String name, Object handler, int ranking, boolean oob) {
        long id = ids.incrementAndGet();
        dispatcher.add(handler, Map.of(QmpCommand.NAME, name, QmpCommand.ALLOW_OOB, oob, "service.id", id,
                "service.ranking", ranking), "test");
        return id;
    }

    /** Arguments in the neutral form a frontend submits (Jackson maps JSON to exactly that). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(String json) throws Exception {
        return JSON.readValue(json, Map.class);
    }

    private Reply call(DispatchSession s, String cmd, String args) throws Exception {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        s.submit(cmd, args == null ? null : obj(args), false, f::complete);
        return f.get(WAIT, TimeUnit.SECONDS);
    }

    private void assertError(Reply r, ErrorClass cls, String desc) {
        assertTrue(r.isError(), () -> "expected an error, got " + r);
        assertEquals(cls, r.errorClass());
        assertEquals(desc, r.description());
    }

    @Test
    void bindsArgumentsStrictlyWithQemuTexts() throws Exception {
        register("echo", new Echo());
        DispatchSession s = dispatcher.openSession("local", Set.of());
        Reply ok = call(s, "echo", "{\"name\": \"a\", \"count\": 3, \"format\": \"png\", \"dash-name\": true,"
                + " \"items\": [{\"integer\": 1, \"string\": \"x\"}]}");
        Args a = (Args) ok.value();
        assertEquals("a", a.name());
        assertEquals(Optional.of(3), a.count());
        assertEquals(Optional.of(Format.png), a.format());
        assertEquals(Optional.of(true), a.dashName());
        assertEquals(List.of(new Inner(1, "x")), a.items().orElseThrow());
        assertEquals(Optional.of(Format.FINISH_MIGRATE),
                ((Args) call(s, "echo", "{\"name\": \"a\", \"format\": \"finish-migrate\"}").value()).format());

        assertError(call(s, "echo", "{}"), ErrorClass.GenericError, "Parameter 'name' is missing");
        assertError(call(s, "echo", null), ErrorClass.GenericError, "Parameter 'name' is missing");
        assertError(call(s, "echo", "{\"name\": 5}"), ErrorClass.GenericError,
                "Invalid parameter type for 'name', expected: string");
        assertError(call(s, "echo", "{\"name\": \"a\", \"count\": \"3\"}"), ErrorClass.GenericError,
                "Invalid parameter type for 'count', expected: integer");
        assertError(call(s, "echo", "{\"name\": \"a\", \"count\": 1.5}"), ErrorClass.GenericError,
                "Invalid parameter type for 'count', expected: integer");
        assertError(call(s, "echo", "{\"name\": \"a\", \"count\": 4294967296}"), ErrorClass.GenericError,
                "Parameter 'count' expects int32_t");
        assertError(call(s, "echo", "{\"name\": \"a\", \"format\": \"jpg\"}"), ErrorClass.GenericError,
                "Parameter 'format' does not accept value 'jpg'");
        assertError(call(s, "echo", "{\"name\": \"a\", \"items\": {}}"), ErrorClass.GenericError,
                "Invalid parameter type for 'items', expected: array");
        assertError(call(s, "echo", "{\"name\": \"a\", \"items\": [{\"integer\": 1}]}"), ErrorClass.GenericError,
                "Parameter 'items[0].string' is missing");
        assertError(call(s, "echo", "{\"name\": \"a\", \"items\": [{\"integer\": 1, \"string\": \"s\", \"x\": 1}]}"),
                ErrorClass.GenericError, "Parameter 'items[0].x' is unexpected");
        assertError(call(s, "echo", "{\"name\": \"a\", \"dash-name\": 1}"), ErrorClass.GenericError,
                "Invalid parameter type for 'dash-name', expected: boolean");
        assertError(call(s, "echo", "{\"name\": \"a\", \"extra\": 1}"), ErrorClass.GenericError,
                "Parameter 'extra' is unexpected");
    }

    @Test
    void unknownCommandVoidResultAndUnexpectedArgument() throws Exception {
        register("noargs", new NoArgs());
        DispatchSession s = dispatcher.openSession("local", Set.of());
        assertError(call(s, "nope", null), ErrorClass.CommandNotFound, "The command nope has not been found");
        Reply r = call(s, "noargs", null);
        assertFalse(r.isError());
        assertNull(r.value());
        assertError(call(s, "noargs", "{\"x\": 1}"), ErrorClass.GenericError, "Parameter 'x' is unexpected");
    }

    @Test
    void handlerExceptionsBecomeErrorRepliesWithTheirClass() throws Exception {
        register("boom", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) {
                throw new IllegalStateException("it broke");
            }
        });
        register("missing", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) throws CommandException {
                throw CommandException.deviceNotFound("video0");
            }
        });
        DispatchSession s = dispatcher.openSession("local", Set.of());
        assertError(call(s, "boom", null), ErrorClass.GenericError, "it broke");
        assertError(call(s, "missing", null), ErrorClass.DeviceNotFound, "Device 'video0' not found");
    }

    @Test
    void lambdaHandlerIsRejectedAtRegistrationNotAtCall() throws Exception {
        Command<NoArguments, Void> lambda = (a, c) -> null;
        long id = register("lambda", lambda);
        assertTrue(dispatcher.command("lambda").isEmpty());
        HandlerStatus refused = dispatcher.handlers().stream().filter(h -> h.descriptor().serviceId() == id)
                .findFirst().orElseThrow();
        assertEquals(HandlerStatus.State.REFUSED, refused.state());
        assertTrue(refused.reason().contains("not a lambda"), refused.reason());
    }

    @Test
    void inBandRepliesKeepOrderWhenAnAsyncCommandFinishesLast() throws Exception {
        Later later = new Later();
        register("later", later);
        register("echo", new Echo());
        DispatchSession s = dispatcher.openSession("local", Set.of());
        LinkedBlockingQueue<String> order = new LinkedBlockingQueue<>();
        s.submit("later", null, false, r -> order.add("later:" + r.value()));
        s.submit("echo", obj("{\"name\": \"second\"}"), false, r -> order.add("echo:" + ((Args) r.value()).name()));
        s.submitReply(Reply.error(ErrorClass.GenericError, "parse"), r -> order.add("error:" + r.description()));
        Completion<String> c = later.pending.poll(WAIT, TimeUnit.SECONDS);
        // The echo may not start before the async command completed: nothing delivered yet.
        assertNull(order.poll(50, TimeUnit.MILLISECONDS));
        assertTrue(c.complete("done"));
        assertFalse(c.complete("again"));
        assertEquals("later:done", order.poll(WAIT, TimeUnit.SECONDS));
        assertEquals("echo:second", order.poll(WAIT, TimeUnit.SECONDS));
        assertEquals("error:parse", order.poll(WAIT, TimeUnit.SECONDS));
    }

    @Test
    void outOfBandOvertakesAPendingInBandCommand() throws Exception {
        Later later = new Later();
        register("later", later);
        register("quick", new NoArgs(), 0, true);
        register("slowonly", new NoArgs());
        DispatchSession s = dispatcher.openSession("local", Set.of("oob"));
        LinkedBlockingQueue<String> order = new LinkedBlockingQueue<>();
        s.submit("later", null, false, r -> order.add("later"));
        Completion<String> c = later.pending.poll(WAIT, TimeUnit.SECONDS);
        s.submit("quick", null, true, r -> order.add("oob"));
        AtomicReference<Reply> notOob = new AtomicReference<>();
        s.submit("slowonly", null, true, notOob::set);
        assertEquals("oob", order.poll(WAIT, TimeUnit.SECONDS));
        assertError(notOob.get(), ErrorClass.GenericError, "The command slowonly does not support OOB");
        c.complete(null);
        assertEquals("later", order.poll(WAIT, TimeUnit.SECONDS));
    }

    @Test
    void closingASessionCancelsItsPendingCommandAndDropsTheResult() throws Exception {
        Later later = new Later();
        register("later", later);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        List<Reply> replies = new ArrayList<>();
        s.submit("later", null, false, replies::add);
        s.submit("later", null, false, replies::add);
        Completion<String> c = later.pending.poll(WAIT, TimeUnit.SECONDS);
        CountDownLatch cancelled = new CountDownLatch(1);
        c.onCancel(cancelled::countDown);
        s.close();
        assertTrue(cancelled.await(WAIT, TimeUnit.SECONDS));
        assertTrue(c.isCancelled());
        assertFalse(c.complete("late"));
        assertTrue(replies.isEmpty());
        // The queued second request never started.
        assertNull(later.pending.poll(50, TimeUnit.MILLISECONDS));
    }

    @Test
    void aSlowCommandOnOneSessionDoesNotDelayAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        register("block", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) throws CommandException {
                try {
                    release.await(WAIT, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
        });
        register("noargs", new NoArgs());
        DispatchSession slow = dispatcher.openSession("local", Set.of());
        DispatchSession fast = dispatcher.openSession("local", Set.of());
        CompletableFuture<Reply> blocked = new CompletableFuture<>();
        slow.submit("block", null, false, blocked::complete);
        for (int i = 0; i < 100; i++) {
            assertFalse(call(fast, "noargs", null).isError());
        }
        assertFalse(blocked.isDone());
        release.countDown();
        assertFalse(blocked.get(WAIT, TimeUnit.SECONDS).isError());
    }

    @Test
    void aHandlerThatLeavesWhileRunningGivesItsCallerAnError() throws Exception {
        Later later = new Later();
        long id = register("later", later);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        CompletableFuture<Reply> f = new CompletableFuture<>();
        s.submit("later", null, false, f::complete);
        Completion<String> c = later.pending.poll(WAIT, TimeUnit.SECONDS);
        dispatcher.remove(id);
        assertError(f.get(WAIT, TimeUnit.SECONDS), ErrorClass.CommandNotFound,
                "The command later has been removed while it was running");
        assertTrue(c.isCancelled());
        assertError(call(s, "later", null), ErrorClass.CommandNotFound, "The command later has not been found");
    }

    @Test
    void nameClashesAreResolvedByRankingAndLosersArePromoted() throws Exception {
        long low = register("who", new Command<NoArguments, String>() {
            @Override
            public String execute(NoArguments a, CommandContext c) {
                return "low";
            }
        }, 0, false);
        long high = register("who", new Command<NoArguments, String>() {
            @Override
            public String execute(NoArguments a, CommandContext c) {
                return "high";
            }
        }, 10, false);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        assertEquals("high", call(s, "who", null).value());
        List<HandlerStatus> who = dispatcher.handlers().stream().filter(h -> "who".equals(h.descriptor().name())).toList();
        assertEquals(List.of(HandlerStatus.State.ACTIVE, HandlerStatus.State.SHADOWED), who.stream().map(HandlerStatus::state).toList());
        assertEquals(high, who.get(0).descriptor().serviceId());
        assertEquals("shadowed by service " + high + " of test (ranking 10)", who.get(1).reason());
        dispatcher.remove(high);
        assertEquals("low", call(s, "who", null).value());
        dispatcher.remove(low);
        assertTrue(dispatcher.command("who").isEmpty());
    }

    @Test
    void timeoutCancelsAndAnswers() throws Exception {
        dispatcher.activate(new DispatcherImpl.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return DispatcherImpl.Config.class;
            }

            @Override
            public long command_timeout_seconds() {
                return 1;
            }
        });
        Later later = new Later();
        register("later", later);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        Reply r = call(s, "later", null);
        assertError(r, ErrorClass.GenericError, "Command later timed out after 1 s");
        assertTrue(later.pending.poll().isCancelled());
    }

    /** Records the thread its handler ran on. */
    static final class WhichThread implements Command<NoArguments, String> {
        @Override
        public String execute(NoArguments a, CommandContext c) {
            return Thread.currentThread().getName();
        }
    }

    @Test
    void nonBlockingCommandsRunOnTheSubmittingThreadOthersOnAWorker() throws Exception {
        dispatcher.add(new WhichThread(), Map.of(QmpCommand.NAME, "inline", QmpCommand.NON_BLOCKING, true,
                "service.id", ids.incrementAndGet()), "test");
        register("worker", new WhichThread());
        Later later = new Later();
        register("later", later);
        DispatchSession s = dispatcher.openSession("local", Set.of());
        String me = Thread.currentThread().getName();
        assertEquals(me, call(s, "inline", null).value());
        assertTrue(((String) call(s, "worker", null).value()).startsWith("qmon-dispatch-"));

        // Behind a pending request, a non-blocking command waits its turn and runs on a worker.
        CompletableFuture<Reply> first = new CompletableFuture<>();
        CompletableFuture<Reply> second = new CompletableFuture<>();
        s.submit("later", null, false, first::complete);
        s.submit("inline", null, false, second::complete);
        Completion<String> c = later.pending.poll(WAIT, TimeUnit.SECONDS);
        assertFalse(second.isDone(), "in-band order: the second waits for the first");
        c.complete("done");
        assertEquals("done", first.get(WAIT, TimeUnit.SECONDS).value());
        assertTrue(((String) second.get(WAIT, TimeUnit.SECONDS).value()).startsWith("qmon-dispatch-"));
    }

    /** A session-local command that changes its own session's state, like qmp_capabilities. */
    static final class Negotiate implements Command<NoArguments, String> {
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String execute(NoArguments a, CommandContext c) {
            return "negotiated " + calls.incrementAndGet() + " in session " + c.sessionId();
        }
    }

    @Test
    void localCommandsBelongToTheirSessionWinOverTheRegistryAndAreListed() throws Exception {
        register("shared-name", new WhichThread());
        Negotiate negotiate = new Negotiate();
        LocalCommand local = new LocalCommand(negotiate, Map.of(QmpCommand.NAME, "shared-name",
                QmpCommand.ALLOW_BEFORE_NEGOTIATION, true, QmpCommand.NON_BLOCKING, true));
        DispatchSession mine = dispatcher.openSession("qmp", Set.of(), List.of(local));
        DispatchSession other = dispatcher.openSession("qmp", Set.of());

        assertEquals("negotiated 1 in session " + mine.id(), call(mine, "shared-name", null).value());
        assertTrue(((String) call(other, "shared-name", null).value()).startsWith("qmon-dispatch-"),
                "another session runs the registry's command of that name");
        assertTrue(mine.command("shared-name").orElseThrow().allowBeforeNegotiation());
        assertFalse(other.command("shared-name").orElseThrow().allowBeforeNegotiation());
        assertEquals("Parameter 'x' is unexpected", call(mine, "shared-name", "{\"x\": 1}").description(),
                "a local command's arguments are bound like any other's");

        Negotiate onlyMine = new Negotiate();
        DispatchSession third = dispatcher.openSession("qmp", Set.of(), List.of(new LocalCommand(onlyMine,
                Map.of(QmpCommand.NAME, "only-mine"))));
        @SuppressWarnings("unchecked")
        List<Object> listed = (List<Object>) call(third, "query-commands", null).value();
        assertTrue(listed.toString().contains("CommandInfo[name=only-mine]"), listed::toString);
        assertFalse(((List<?>) call(other, "query-commands", null).value()).toString().contains("only-mine"));
        assertTrue(dispatcher.command("only-mine").isEmpty(), "local commands are not in the registry");
    }

    @Test
    void anUnusableLocalCommandIsRefusedWhenTheSessionOpens() {
        Command<NoArguments, Void> lambda = (a, c) -> null;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dispatcher.openSession("qmp", Set.of(), List.of(new LocalCommand(lambda, Map.of(QmpCommand.NAME, "l")))));
        assertTrue(e.getMessage().contains("not a lambda"), e.getMessage());
    }

    @Test
    void descriptorsCarryEveryDeclaredTrait() {
        dispatcher.add(new Later(), Map.of(QmpCommand.NAME, "traits", QmpCommand.ALLOW_OOB, "true",
                QmpCommand.DESCRIPTION, "help", QmpCommand.FEATURES, new String[] {"unstable", "deprecated"},
                "service.id", 7L, "service.ranking", 3), "some.bundle");
        var d = dispatcher.command("traits").orElseThrow();
        assertEquals(new org.qmon.api.runtime.CommandDescriptor("traits", "help", true, true, true, false,
                NoArguments.class, String.class, "some.bundle", 7L, 3, List.of("deprecated", "unstable")), d);
    }

    @Test
    void theShellTableShowsActiveShadowedAndRefusedHandlers() {
        register("dup", new WhichThread(), 5, false);
        long loser = register("dup", new WhichThread(), 0, false);
        Command<NoArguments, Void> lambda = (a, c) -> null;
        register("broken", lambda);
        String table = new CommandsShell(dispatcher).commands();
        String[] lines = table.split("\n");
        assertTrue(lines[0].startsWith("NAME"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("dup") && l.contains("active") && l.contains("sync")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("dup") && l.contains("shadowed") && l.contains(" " + loser + " ")
                && l.contains("shadowed by service")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("broken") && l.contains("refused") && l.contains("lambda")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("query-commands") && l.contains("nonBlocking")), table);
        assertEquals(3, new CommandsShell(dispatcher).commands("dup").split("\n").length, "header and the two dup rows");
    }
}

package org.qmon.hmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.dispatcher.internal.DispatcherImpl;

/**
 * The interpreter with the real dispatcher: lines in, text out, each HMP command reaching its QMP
 * command through a dispatcher session.
 */
class HmpInterpreterTest {

    /** The arguments of the test's QMP command. */
    public record ShotArgs(String filename, Optional<String> device, Optional<Long> head) {
    }

    /** A QMP result. */
    public record Shot(String filename, String device, Long head) {
    }

    private final DispatcherImpl dispatcher = new DispatcherImpl();
    private final HmpRegistry registry = new HmpRegistry();
    private final HmpInterpreter interpreter = new HmpInterpreter(registry::tables);
    private final DispatchSession session = dispatcher.openSession(CommandContext.FRONTEND_HMP, Set.of());
    private final AtomicLong ids = new AtomicLong(100);

    HmpInterpreterTest() {
        registry.add(new InfoStatusCommand().definition(), 1, 0);
        registry.add(new StopCommand().definition(), 2, 0);
        registry.add(new ContCommand().definition(), 3, 0);
        command("query-status", new Command<NoArguments, Map<String, Object>>() {
            @Override
            public Map<String, Object> execute(NoArguments a, CommandContext c) {
                return Map.of("running", true, "singlestep", false, "status", "running");
            }
        });
    }

    @AfterEach
    void close() {
        session.close();
        dispatcher.deactivate();
    }

    private void command(String name, Object handler) {
        dispatcher.add(handler, Map.of("qmon.command.name", name, "service.id", ids.incrementAndGet(),
                "service.ranking", 0), "test");
    }

    private String run(String line) throws Exception {
        CompletableFuture<String> out = new CompletableFuture<>();
        interpreter.run(line, session, out::complete);
        return out.get(10, TimeUnit.SECONDS);
    }

    @Test
    void infoStatusCallsQueryStatusAndFormatsIt() throws Exception {
        assertEquals("VM status: running\n", run("info status"));
        assertEquals("VM status: running\n", run("  info \t status  "));
    }

    @Test
    void helpListsTheTableSortedLikeQemu() throws Exception {
        assertEquals("cont|c  -- resume emulation\n"
                + "help|? [cmd] -- show the help\n"
                + "info [subcommand] -- show various information about the system state\n"
                + "stop|s  -- stop emulation\n", run("help"));
        assertEquals(run("help"), run("?"));
        assertEquals("info status  -- show the current VM status (running|paused)\n", run("help info status"));
        assertEquals("info status  -- show the current VM status (running|paused)\n", run("help info"));
        assertEquals(run("help info"), run("info"));
        assertEquals("cont|c  -- resume emulation\n", run("help c"));
        assertEquals("unknown command: 'foo'\n", run("help foo"));
        assertEquals("unknown command: 'info foo'\n", run("help info foo"));
    }

    @Test
    void unknownCommandsAreNamedAsTyped() throws Exception {
        assertEquals("unknown command: 'foo'\n", run("foo bar"));
        assertEquals("unknown command: 'info foo'\n", run("info foo"));
        assertEquals("unknown command: 'STOP'\n", run("STOP"));
        assertEquals("", run("   "));
    }

    @Test
    void usageErrorsSayWhatAndPointToHelp() throws Exception {
        registry.add(HmpDefinition.command("screendump").parameters(HmpParameter.filename("filename"),
                HmpParameter.string("device").optional(), HmpParameter.integer("head").optional())
                .params("filename [device [head]]").help("save screen").calls("screendump").build(), 10, 0);
        assertEquals("screendump: filename expected\nTry \"help screendump\" for more information\n", run("screendump"));
        assertEquals("stop|s: extraneous characters at the end of line\nTry \"help s\" for more information\n", run("s now"));
        assertEquals("status: extraneous characters at the end of line\nTry \"help info status\" for more information\n",
                run("info status foo"));
        assertEquals("invalid char 'x' in expression\nTry \"help screendump\" for more information\n",
                run("screendump a.ppm vga x"));
    }

    @Test
    void typedArgumentsBecomeTheQmpCommandsArgumentsAndTheFormatterSeesTheResult() throws Exception {
        AtomicReference<ShotArgs> seen = new AtomicReference<>();
        command("screendump", new Command<ShotArgs, Shot>() {
            @Override
            public Shot execute(ShotArgs a, CommandContext c) {
                seen.set(a);
                return new Shot(a.filename(), a.device().orElse(null), a.head().orElse(null));
            }
        });
        registry.add(HmpDefinition.command("screendump").parameters(HmpParameter.filename("filename"),
                HmpParameter.string("device").optional(), HmpParameter.integer("head").optional())
                .calls("screendump").formatter((r, a) -> r + " " + a).build(), 10, 0);
        assertEquals("{filename=a b.ppm, device=vga, head=2} {filename=a b.ppm, device=vga, head=2}\n",
                run("screendump \"a b.ppm\" vga 1+1"));
        assertEquals(new ShotArgs("a b.ppm", Optional.of("vga"), Optional.of(2L)), seen.get());
        assertEquals("{filename=x} {filename=x}\n", run("screendump x"), "absent members are omitted, as QMP does");
    }

    @Test
    void qmpErrorsAreShownAsError() throws Exception {
        command("fails", new Command<NoArguments, Void>() {
            @Override
            public Void execute(NoArguments a, CommandContext c) throws CommandException {
                throw CommandException.deviceNotFound("vga");
            }
        });
        registry.add(HmpDefinition.command("fails").calls("fails").build(), 10, 0);
        registry.add(HmpDefinition.command("gone").calls("no-such-qmp-command").build(), 11, 0);
        assertEquals("Error: Device 'vga' not found\n", run("fails"));
        assertEquals("Error: The command no-such-qmp-command has not been found\n", run("gone"));
    }

    @Test
    void anAsynchronousCommandAnswersWhenItCompletes() throws Exception {
        AtomicReference<Completion<String>> pending = new AtomicReference<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        command("later", new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext c) {
                pending.set(completion);
                started.countDown();
            }
        });
        registry.add(HmpDefinition.command("later").calls("later").formatter((r, a) -> "got " + r).build(), 10, 0);
        CompletableFuture<String> out = new CompletableFuture<>();
        interpreter.run("later", session, out::complete);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertFalse(out.isDone());
        pending.get().complete("it");
        assertEquals("got it\n", out.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aHigherRankedDefinitionWinsAndTheLoserReturnsWhenItLeaves() throws Exception {
        registry.add(HmpDefinition.info("status").help("mine").calls("query-status").formatter((r, a) -> "mine").build(), 50, 5);
        assertEquals("mine\n", run("info status"));
        assertEquals("info status  -- mine\n", run("help info status"));
        registry.remove(50);
        assertEquals("VM status: running\n", run("info status"));
        registry.remove(1);
        assertEquals("unknown command: 'info status'\n", run("info status"));
    }

    @Test
    void aFormatterThatFailsIsAnErrorNotACrash() throws Exception {
        registry.add(HmpDefinition.info("broken").calls("query-status").formatter((r, a) -> {
            throw new IllegalStateException("boom");
        }).build(), 60, 0);
        assertEquals("Error: cannot show the result of query-status: boom\n", run("info broken"));
        assertTrue(run("info status").startsWith("VM status"));
    }

    @Test
    void aDefinitionMayMapItsArgumentsItself() throws Exception {
        AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
        command("raw", new Command<Map<String, Object>, Void>() {
            @Override
            public Void execute(Map<String, Object> a, CommandContext c) {
                seen.set(a);
                return null;
            }
        });
        registry.add(HmpDefinition.command("raw").parameters(HmpParameter.flag("force", 'f'), HmpParameter.size("size"))
                .calls("raw").arguments(v -> Map.of("bytes", v.get("size"), "options", List.of(v.containsKey("force"))))
                .build(), 70, 0);
        assertEquals("", run("raw -f 2K"));
        assertEquals(Map.of("bytes", 2048L, "options", List.of(true)), seen.get());
    }
}

package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.runtime.MonitorEndpoint;
import org.qmon.api.runtime.VersionInfo;
import org.qmon.client.QmpClient;

/**
 * The socket human monitor against the running bundles: a listener configured through Configuration
 * Admin (factory PID {@code org.qmon.hmp.listener}), real unix sockets, the real dispatcher and the
 * built-in commands of qmon-core. The text is the contract, so the tests assert on it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HmpMonitorIT extends QmonTestSupport {

    private static final long T = WAIT.toSeconds();

    private org.osgi.service.cm.Configuration hmpConfig;
    private Path hmpSocket;
    private final List<HmpClient> monitors = new ArrayList<>();
    private final List<ServiceRegistration<?>> hmpRegistrations = new ArrayList<>();

    @Before
    public void startMonitor() throws Exception {
        Path dir = Path.of(System.getProperty("qmon.itest.dir"));
        Files.createDirectories(dir);
        hmpSocket = dir.resolve("h-" + UUID.randomUUID().toString().substring(0, 8) + ".sock");
        hmpConfig = configurationAdmin.getFactoryConfiguration("org.qmon.hmp.listener", hmpSocket.getFileName().toString(), "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("path", hmpSocket.toString());
        hmpConfig.update(props);
        String filter = "(&(objectClass=" + MonitorEndpoint.class.getName() + ")(" + MonitorEndpoint.PROTOCOL + "=hmp)("
                + MonitorEndpoint.ADDRESS + "=unix:" + hmpSocket.toAbsolutePath() + "))";
        ServiceTracker<?, ?> t = new ServiceTracker<>(context, context.createFilter(filter), null);
        t.open();
        try {
            if (t.waitForService(WAIT.toMillis()) == null) {
                throw new AssertionError("HMP listener did not come up");
            }
        } finally {
            t.close();
        }
    }

    @After
    public void stopMonitor() throws Exception {
        for (HmpClient m : monitors) {
            m.close();
        }
        for (ServiceRegistration<?> r : hmpRegistrations) {
            r.unregister();
        }
        if (hmpConfig != null) {
            hmpConfig.delete();
        }
    }

    /** Connects and reads the banner and the first prompt. */
    private HmpClient monitor() throws Exception {
        HmpClient m = new HmpClient(hmpSocket);
        monitors.add(m);
        return m;
    }

    private String version() {
        var ref = context.getServiceReference(VersionInfo.class);
        VersionInfo.Triple v = context.getService(ref).qemu();
        context.ungetService(ref);
        return v.major() + "." + v.minor() + "." + v.micro();
    }

    /** Registers an HMP definition from the test, as a command bundle would; unregistered after. */
    private String defineHmp(HmpDefinition.Builder b) {
        HmpDefinition d = b.build();
        hmpRegistrations.add(context.registerService(HmpCommand.class, () -> d, null));
        return d.name();
    }

    @Test
    public void bannerPromptAndTheBuiltInCommands() throws Exception {
        HmpClient m = monitor();
        assertEquals("qmon " + version() + " monitor - type 'help' for more information\r\n(qemu) ", m.reply());
        assertEquals("VM status: running\r\n(qemu) ", m.command("info status"));
        assertEquals("(qemu) ", m.command("stop"));
        assertEquals("VM status: paused\r\n(qemu) ", m.command("info status"));
        assertEquals("(qemu) ", m.command("c"));
        assertEquals("VM status: running\r\n(qemu) ", m.command("info status"));
        assertEquals(version() + "qmon-" + version() + "\r\n(qemu) ", m.command("info version"));
        assertEquals("(qemu) ", m.command("info name"));
        String help = m.command("help");
        // One line per command, sorted (other bundles, e.g. the display's screendump, add theirs).
        java.util.List<String> lines = java.util.List.of(help.split("\r\n"));
        for (String l : java.util.List.of("cont|c  -- resume emulation", "help|? [cmd] -- show the help",
                "info [subcommand] -- show various information about the system state", "quit|q  -- quit the emulator",
                "stop|s  -- stop emulation")) {
            assertTrue(help, lines.contains(l));
        }
        java.util.List<String> commands = lines.subList(0, lines.size() - 1);
        assertEquals(help, commands.stream().sorted().toList(), commands);
        assertEquals("info status  -- show the current VM status (running|paused)\r\n(qemu) ", m.command("help info status"));
        // CRLF (telnet) is one line end; LF (socat) too.
        m.send("info status\r\ninfo status\n");
        assertEquals("VM status: running\r\n(qemu) ", m.reply());
        assertEquals("VM status: running\r\n(qemu) ", m.reply());
    }

    @Test
    public void badInputGetsAClearMessageAndTheMonitorGoesOn() throws Exception {
        HmpClient m = monitor();
        m.reply();
        assertEquals("unknown command: 'foo'\r\n(qemu) ", m.command("foo"));
        assertEquals("unknown command: 'info foo'\r\n(qemu) ", m.command("info foo"));
        assertEquals("stop|s: extraneous characters at the end of line\r\nTry \"help stop\" for more information\r\n(qemu) ",
                m.command("stop now"));
        assertEquals("unterminated string\r\n(qemu) ", m.command("help \"info"));
        m.sendRaw("x".repeat(100_000) + "\r");
        assertEquals("line too long (over 4096 bytes): ignored\r\n(qemu) ", m.reply());
        m.sendRaw("info\u0000status\r");
        assertEquals("control character 0x00 in line: ignored\r\n(qemu) ", m.reply());
        m.sendRaw("\u001b[A\r");
        assertEquals("control character 0x1B in line: ignored\r\n(qemu) ", m.reply());
        m.sendRaw("info st\u00ffatus\r");
        assertEquals("invalid UTF-8 in line: ignored\r\n(qemu) ", m.reply());
        assertEquals("VM status: running\r\n(qemu) ", m.command("info status"));
        // A telnet client in character mode ends lines with CR NUL (RFC 854): one line end, as in QEMU.
        m.sendRaw("info status\r\u0000info status\r\u0000");
        assertEquals("VM status: running\r\n(qemu) ", m.reply());
        assertEquals("VM status: running\r\n(qemu) ", m.reply());
    }

    @Test
    public void manyClientsPerSocket() throws Exception {
        List<HmpClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HmpClient m = monitor();
            m.reply();
            clients.add(m);
        }
        for (HmpClient m : clients) {
            m.send("info status\r");
        }
        for (HmpClient m : clients) {
            assertEquals("VM status: running\r\n(qemu) ", m.reply());
        }
    }

    @Test
    public void endOfInputAnswersWhatWasReadThenCloses() throws Exception {
        HmpClient m = monitor();
        m.send("info status\rinfo status\r");
        m.shutdownOutput();
        String all = m.readToEnd(20_000);
        assertTrue(all, all.endsWith("(qemu) VM status: running\r\n(qemu) VM status: running\r\n(qemu) "));
    }

    @Test
    public void anAsyncCommandKeepsItsMonitorSuspendedWhileQmpIsAnswered() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Completion<String>> held = new AtomicReference<>();
        String hold = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                held.set(completion);
                started.countDown();
            }
        }, "itest-hold");
        AtomicInteger counted = new AtomicInteger();
        String count = register(Command.class, new Command<NoArguments, Integer>() {
            @Override
            public Integer execute(NoArguments a, CommandContext ctx) {
                return counted.incrementAndGet();
            }
        }, "itest-count");
        String holdWord = defineHmp(HmpDefinition.command(hold).calls(hold).formatter((r, a) -> "held: " + r));
        String countWord = defineHmp(HmpDefinition.command(count).calls(count).formatter((r, a) -> "count " + r));

        HmpClient m = monitor();
        m.reply();
        // Both lines in one write: the second must wait for the first to complete.
        m.send(holdWord + "\r" + countWord + "\r");
        assertTrue(started.await(T, TimeUnit.SECONDS));
        // Everything else goes on meanwhile: a QMP session is answered, another monitor too.
        QmpClient q = connect();
        assertEquals("running", q.execute("query-status").get(T, TimeUnit.SECONDS).get("status").asText());
        HmpClient other = monitor();
        other.reply();
        assertEquals("VM status: running\r\n(qemu) ", other.command("info status"));
        assertEquals("the suspended monitor has not run its next line", 0, counted.get());
        assertEquals("", m.available());

        held.get().complete("done");
        assertEquals("held: done\r\n(qemu) ", m.reply());
        assertEquals("count 1\r\n(qemu) ", m.reply());
        assertEquals(1, counted.get());
    }

    @Test
    public void aClientWhoseConnectionBreaksMidCommandHasItCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        String hold = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                completion.onCancel(() -> cancelled.complete(completion.isCancelled()));
                started.countDown();
            }
        }, "itest-leave");
        String word = defineHmp(HmpDefinition.command(hold).calls(hold));
        // A TCP monitor, so that the client can leave abruptly (a reset): a clean close reads as end
        // of input, which is a half-close whose pending output is still sent. The line ends with CR
        // alone: anything after it would be left unread while the monitor is suspended, and a reset
        // is seen when the socket is read.
        org.osgi.service.cm.Configuration tcp = configurationAdmin.getFactoryConfiguration("org.qmon.hmp.listener",
                "tcp-" + UUID.randomUUID(), "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", 0);
        tcp.update(props);
        try {
            ServiceTracker<MonitorEndpoint, MonitorEndpoint> t = new ServiceTracker<>(context, context.createFilter(
                    "(&(objectClass=" + MonitorEndpoint.class.getName() + ")(" + MonitorEndpoint.PROTOCOL + "=hmp)("
                    + MonitorEndpoint.ADDRESS + "=tcp:*))"), null);
            t.open();
            String address;
            try {
                address = String.valueOf(t.waitForService(WAIT.toMillis()) == null ? null
                        : t.getServiceReference().getProperty(MonitorEndpoint.ADDRESS));
            } finally {
                t.close();
            }
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout((int) WAIT.toMillis());
                java.io.InputStream in = s.getInputStream();
                StringBuilder banner = new StringBuilder();
                while (!banner.toString().endsWith(HmpClient.PROMPT)) {
                    banner.append((char) in.read());
                }
                s.getOutputStream().write((word + "\r").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertTrue(started.await(T, TimeUnit.SECONDS));
                s.setSoLinger(true, 0);
            }
            assertTrue("the handler learns that its client left", cancelled.get(T, TimeUnit.SECONDS));
        } finally {
            tcp.delete();
        }
    }

    @Test
    public void aHalfClosedClientStillGetsItsRunningCommandsOutput() throws Exception {
        AtomicReference<Completion<String>> held = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        String hold = register(AsyncCommand.class, new AsyncCommand<NoArguments, String>() {
            @Override
            public void execute(NoArguments a, Completion<String> completion, CommandContext ctx) {
                held.set(completion);
                started.countDown();
            }
        }, "itest-half");
        String word = defineHmp(HmpDefinition.command(hold).calls(hold).formatter((r, a) -> (String) r));
        HmpClient m = monitor();
        m.reply();
        m.send(word + "\r");
        assertTrue(started.await(T, TimeUnit.SECONDS));
        m.shutdownOutput();
        held.get().complete("late but delivered");
        assertEquals("late but delivered\r\n(qemu) ", m.readToEnd(20_000));
    }

    @Test
    public void aDefinitionRegisteredAtRunTimeAppearsAndLeaves() throws Exception {
        String hello = register(Command.class, new Command<NoArguments, String>() {
            @Override
            public String execute(NoArguments a, CommandContext ctx) {
                return "hello from " + ctx.frontend();
            }
        }, "itest-hello");
        HmpClient m = monitor();
        m.reply();
        HmpDefinition d = HmpDefinition.info(hello).help("say hello").calls(hello).formatter((r, a) -> (String) r).build();
        ServiceRegistration<HmpCommand> reg = context.registerService(HmpCommand.class, () -> d, null);
        try {
            awaitCondition(() -> {
                try {
                    return m.command("help info " + hello).equals("info " + hello + "  -- say hello\r\n(qemu) ");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "the definition to appear");
            assertEquals("hello from hmp\r\n(qemu) ", m.command("info " + hello));
        } finally {
            reg.unregister();
        }
        assertEquals("unknown command: 'info " + hello + "'\r\n(qemu) ", m.command("info " + hello));
    }
}

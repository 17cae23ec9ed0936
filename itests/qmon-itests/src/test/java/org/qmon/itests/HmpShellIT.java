package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/**
 * The human monitor in the Gogo shell, driven through Gogo's {@link CommandProcessor} service as the
 * console would: {@code hmp "line"}, one function per HMP word, the interactive {@code hmp:monitor}, and
 * the rule that a word another shell command already has gets no function of its own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HmpShellIT extends QmonTestSupport {

    @Inject
    private CommandProcessor processor;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Object shell(String command) throws Exception {
        return shell(command, "");
    }

    private Object shell(String command, String input) throws Exception {
        try (CommandSession s = processor.createSession(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8), System.err)) {
            return s.execute(command);
        }
    }

    private Bundle hmpBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.qmon.qmon-hmp".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("qmon-hmp is not installed");
    }

    /** Whether qmon-hmp offers a shell function of this name. */
    private boolean hmpFunction(String name) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(osgi.command.function=" + name + ")");
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    if (r.getBundle() == hmpBundle() && "hmp".equals(r.getProperty("osgi.command.scope"))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void hmpRunsAnyHumanLine() throws Exception {
        assertEquals("VM status: running", shell("hmp \"info status\""));
        assertEquals("VM status: running", shell("hmp info status"));
        assertEquals("unknown command: 'foo'", shell("hmp foo"));
        String help = (String) shell("hmp help");
        assertTrue(help, help.contains("info [subcommand] -- show various information about the system state"));
        assertEquals("info status  -- show the current VM status (running|paused)", shell("hmp help info status"));
    }

    @Test
    public void everyHmpWordIsAShellFunction() throws Exception {
        assertEquals("VM status: running", shell("hmp:info status"));
        assertNull("stop is silent", shell("hmp:stop"));
        assertEquals("VM status: paused", shell("hmp:info status"));
        assertNull(shell("hmp:c"));
        assertEquals("VM status: running", shell("hmp:info status"));
        assertEquals("status: extraneous characters at the end of line\nTry \"help info status\" for more information",
                shell("hmp:info status now"));
    }

    @Test
    public void theInteractiveMonitorPromptsUntilExit() throws Exception {
        shell("hmp:monitor", "info status\nfoo\nexit\ninfo status\n");
        // The container's logging writes to System.out, which the shell sends to the session's
        // output while the command runs: leave its lines out.
        String text = out.toString(StandardCharsets.UTF_8).replaceAll("\\S+ \\[[^\\]]+\\] (TRACE|DEBUG|INFO) : [^\n]*\n", "");
        assertTrue(text, text.contains("monitor - type 'help' for more information, 'exit' to leave\n(qemu) "));
        assertTrue(text, text.contains("(qemu) VM status: running\n(qemu) unknown command: 'foo'\n(qemu) \n"));
        assertEquals("one status only: the line after exit is not the monitor's", text.indexOf("VM status"),
                text.lastIndexOf("VM status"));
    }

    @Test
    public void aWordAFelixShellCommandHasGetsNoFunctionButHmpStillRunsIt() throws Exception {
        assertTrue(hmpFunction("cont"));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "felix");
        props.put("osgi.command.function", new String[] {"cont"});
        ServiceRegistration<?> other = context.registerService(Object.class.getName(), new Object(), props);
        try {
            awaitCondition(() -> !hmpFunction("cont"), "hmp:cont to step aside");
            assertTrue("its alias stays", hmpFunction("c"));
            assertNull(shell("hmp cont"));
        } finally {
            other.unregister();
        }
        awaitCondition(() -> hmpFunction("cont"), "hmp:cont to come back");
    }

    @Test
    public void aDefinitionFromAnotherBundleBringsItsFunctionAndTakesItAway() throws Exception {
        String name = register(Command.class, new Command<NoArguments, String>() {
            @Override
            public String execute(NoArguments a, CommandContext ctx) {
                return "hi from " + ctx.frontend();
            }
        }, "itest-hi");
        String word = name.replace('-', '_');
        HmpDefinition d = HmpDefinition.command(word).calls(name).formatter((r, a) -> (String) r).build();
        ServiceRegistration<HmpCommand> reg = context.registerService(HmpCommand.class, () -> d, null);
        try {
            awaitCondition(() -> hmpFunction(word), "hmp:" + word);
            assertEquals("hi from hmp", shell("hmp:" + word));
        } finally {
            reg.unregister();
        }
        awaitCondition(() -> !hmpFunction(word), "hmp:" + word + " to leave");
        assertFalse(hmpFunction(word));
    }
}

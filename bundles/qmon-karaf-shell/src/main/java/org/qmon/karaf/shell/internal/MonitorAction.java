package org.qmon.karaf.shell.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.qmon.api.CommandContext;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.Reply;

/**
 * {@code qmon:monitor}: an interactive human monitor in Karaf's shell, a {@code (qemu) } prompt per line
 * until {@code exit} or the end of input (Ctrl-D). qmon-hmp's {@code hmp:monitor} reads the shell
 * session's keyboard stream directly, which Karaf's own line reader keeps reading too, so keystrokes are
 * split between the two; this command reads its lines through Karaf's {@link Session#readLine} instead,
 * with Karaf's line editing and history (or, in a session without a terminal, straight from its input).
 *
 * <p>Each line runs through {@code human-monitor-command} in one dispatcher session for the whole
 * monitor, so lines run in order; leaving closes the session, which cancels what is still running.
 */
@Service
@Command(scope = "qmon", name = "monitor",
        description = "An interactive human monitor (HMP): (qemu) prompt until 'exit' or Ctrl-D")
public final class MonitorAction implements Action {

    /** The prompt, QEMU's. */
    static final String PROMPT = "(qemu) ";

    @Reference
    Dispatcher dispatcher;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        PrintStream out = session.getConsole();
        out.println("qmon human monitor - type 'help' for more information, 'exit' to leave");
        BufferedReader piped = null;
        try (DispatchSession ds = dispatcher.openSession(CommandContext.FRONTEND_LOCAL, Set.of())) {
            for (;;) {
                String line;
                if (piped == null) {
                    try {
                        line = session.readLine(PROMPT, null);
                    } catch (UnsupportedOperationException noTerminal) {
                        // A session without a terminal (input piped in, or a session made by code): no
                        // line reader competes for the input, so it is read directly.
                        piped = new BufferedReader(new InputStreamReader(session.getKeyboard(), StandardCharsets.UTF_8));
                        continue;
                    } catch (RuntimeException endOrInterrupt) {
                        // jline's EndOfFileException (Ctrl-D) or UserInterruptException (Ctrl-C).
                        line = null;
                    }
                } else {
                    out.print(PROMPT);
                    out.flush();
                    line = piped.readLine();
                }
                if (line == null || line.strip().equals("exit")) {
                    return null;
                }
                if (line.isBlank()) {
                    continue;
                }
                out.print(run(ds, line));
                out.flush();
            }
        }
    }

    /** Runs one line in the monitor's session; QMP-level errors are shown as HMP shows them. */
    private static String run(DispatchSession ds, String line) throws InterruptedException {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        ds.submit("human-monitor-command", Map.of("command-line", line), false, reply::complete);
        try {
            Reply r = reply.get();
            if (r.isError()) {
                return "Error: " + r.description() + "\n";
            }
            return String.valueOf(r.value()).replace("\r\n", "\n");
        } catch (ExecutionException e) {
            return "Error: " + e.getCause() + "\n";
        }
    }
}

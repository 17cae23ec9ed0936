package org.qmon.karaf.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.qmon.api.CommandContext;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.Reply;

/**
 * {@code qmon:hmp LINE}: runs one human monitor line and prints its output, as QMP's
 * {@code human-monitor-command} does. qmon-hmp's Gogo functions ({@code hmp:info status},
 * {@code hmp:hmp "info status"}) work in Karaf's interactive shell, but Karaf's non-interactive mode
 * ({@code ssh karaf@host 'cmd'}, {@code bin/client 'cmd'}) prints nothing of what Gogo-style functions
 * return; a Karaf action's output is printed there too, so scripts use this command.
 *
 * <p>The line runs in a dispatcher session of its own, closed when it answers; the shell's interrupt
 * (Ctrl-C) closes it at once, which cancels the command. The words are joined with blanks and quoted
 * in HMP's syntax where they contain blanks or quotes, so {@code qmon:hmp info status} and
 * {@code qmon:hmp "info status"} are the same line.
 */
@Service
@Command(scope = "qmon", name = "hmp", description = "Run a human monitor (HMP) command line, e.g. qmon:hmp info status")
public final class HmpAction implements Action {

    @Reference
    Dispatcher dispatcher;

    @Reference
    Session session;

    @Argument(index = 0, name = "line", required = true, multiValued = true,
            description = "The HMP command line, quoted or as words; 'help' lists the commands")
    List<String> words;

    @Override
    public Object execute() throws Exception {
        String output = run(dispatcher, line(words));
        if (!output.isEmpty()) {
            session.getConsole().print(output);
            session.getConsole().flush();
        }
        return null;
    }

    /**
     * Runs a line through {@code human-monitor-command}.
     *
     * @param dispatcher the dispatcher
     * @param line the HMP line
     * @return its output with {@code \n} line ends ({@code ""} for none)
     * @throws InterruptedException when the shell interrupts the command
     * @throws IllegalStateException with the QMP error's text when the line cannot run at all (e.g. no
     *         human monitor installed)
     */
    static String run(Dispatcher dispatcher, String line) throws InterruptedException {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        try (DispatchSession ds = dispatcher.openSession(CommandContext.FRONTEND_LOCAL, Set.of())) {
            ds.submit("human-monitor-command", Map.of("command-line", line), false, reply::complete);
            Reply r = reply.get();
            if (r.isError()) {
                throw new IllegalStateException(r.errorClass() + ": " + r.description());
            }
            return String.valueOf(r.value()).replace("\r\n", "\n");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Joins shell words into one HMP line, quoting a word that has blanks, quotes or backslashes (or is
     * empty) as an HMP string.
     *
     * @param words the words
     * @return the line
     */
    static String line(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (!w.isEmpty() && w.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\\')) {
                sb.append(w);
                continue;
            }
            sb.append('"');
            for (char c : w.toCharArray()) {
                switch (c) {
                    case '"', '\\' -> sb.append('\\').append(c);
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        }
        return sb.toString();
    }
}

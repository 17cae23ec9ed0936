package org.qmon.hmp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one human line, QEMU's {@code handle_hmp_command}: looks the command word up (and the
 * {@code info} sub-command), answers {@code help} and {@code info} from the tables, parses the
 * arguments with the definition's typed parameters, submits the QMP command to the caller's dispatcher
 * session (never calling a handler directly, so ordering, timeouts, cancellation and departure are the
 * dispatcher's), and shows the reply with the definition's formatter, or QMP's error as
 * {@code Error: <desc>}.
 *
 * <p>Output is text with {@code "\n"} line ends; each medium writes its own (CRLF on the socket and in
 * {@code human-monitor-command}). Stateless and thread-safe: one instance serves every monitor.
 */
final class HmpInterpreter {

    private static final Logger LOG = LoggerFactory.getLogger(HmpInterpreter.class);
    private static final Logger WIRE = LoggerFactory.getLogger("org.qmon.hmp.wire");

    /** Tokens {@code help} looks at, as QEMU's {@code MAX_ARGS}. */
    private static final int HELP_MAX_WORDS = 16;

    private final Supplier<HmpTables> tables;
    /**
     * Turns results into the neutral form QMP would send: absent (null) members omitted, as QMP does.
     * Built at the first command's result (a holder class): building it loads about 200 of Jackson's
     * classes, which the monitors' start need not wait for.
     */
    private static final class Neutral {
        static final ObjectMapper MAPPER = newMapper();

        private static ObjectMapper newMapper() {
            ObjectMapper m = new ObjectMapper();
            m.setSerializationInclusion(JsonInclude.Include.NON_NULL);
            m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
            return m;
        }
    }

    /**
     * Creates an interpreter.
     *
     * @param tables the command tables now (read once per line)
     */
    HmpInterpreter(Supplier<HmpTables> tables) {
        this.tables = tables;
    }

    /** @return the tables now */
    HmpTables tables() {
        return tables.get();
    }

    /**
     * Runs a line.
     *
     * @param line the line, without its line end
     * @param session the monitor's dispatcher session, which runs the QMP command
     * @param done receives the output exactly once (possibly on the calling thread, before this method
     *        returns), unless the session is closed first
     */
    void run(String line, DispatchSession session, Consumer<String> done) {
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("session {} <- {}", session.id(), line);
        }
        HmpTables t = tables.get();
        StringBuilder out = new StringBuilder();
        int p = skipSpaces(line, 0);
        if (p == line.length()) {
            done.accept("");
            return;
        }
        // QEMU's monitor_parse_command: the word, then info's sub-command word.
        boolean infoTable = false;
        HmpEntry entry;
        for (;;) {
            int end = p;
            while (end < line.length() && !HmpParser.isSpace(line.charAt(end)) && line.charAt(end) != '/') {
                end++;
            }
            entry = t.find(line.substring(p, end), infoTable);
            if (entry == null) {
                out.append("unknown command: '").append(line, 0, end).append("'\n");
                done.accept(out.toString());
                return;
            }
            p = skipSpaces(line, end);
            if (entry.kind() == HmpEntry.Kind.INFO && p < line.length()) {
                infoTable = true;
                continue;
            }
            break;
        }
        switch (entry.kind()) {
            case HELP -> {
                help(t, line.substring(p), out);
                done.accept(out.toString());
            }
            case INFO -> {
                help(t, "info", out);
                done.accept(out.toString());
            }
            default -> command(entry, line, p, session, done);
        }
    }

    private void command(HmpEntry entry, String line, int p, DispatchSession session, Consumer<String> done) {
        HmpDefinition d = entry.definition();
        HmpParser.Result r = HmpParser.parse(entry.displayName(), d.parameters(), line, p);
        if (r instanceof HmpParser.Failed f) {
            StringBuilder out = new StringBuilder();
            f.lines().forEach(l -> out.append(l).append('\n'));
            int words = p;
            while (words > 0 && HmpParser.isSpace(line.charAt(words - 1))) {
                words--;
            }
            out.append("Try \"help ").append(line, 0, words).append("\" for more information\n");
            done.accept(out.toString());
            return;
        }
        Map<String, Object> values = ((HmpParser.Parsed) r).values();
        Map<String, Object> arguments;
        try {
            String answer = d.answer(values);
            if (answer != null) {
                done.accept(answer.isEmpty() || answer.endsWith("\n") ? answer : answer + "\n");
                return;
            }
            arguments = d.qmpArguments(values);
        } catch (RuntimeException e) {
            if (!(e instanceof IllegalArgumentException)) {
                // An IllegalArgumentException is the definition refusing what the person typed: not a fault.
                LOG.warn("HMP command {}: its argument mapping or own answer failed", d, e);
            }
            done.accept("Error: " + message(e) + "\n");
            return;
        }
        session.submit(d.qmpCommand(), arguments, false, reply -> done.accept(show(d, values, reply)));
    }

    /** The text of a reply: the formatter's for a result, QEMU's {@code hmp_handle_error} for an error. */
    private String show(HmpDefinition d, Map<String, Object> values, Reply reply) {
        if (reply.isError()) {
            return "Error: " + reply.description() + "\n";
        }
        String text;
        try {
            Object v = reply.value();
            Object neutral = v == null ? Map.of() : Neutral.MAPPER.convertValue(v, Object.class);
            text = d.formatter().format(neutral, values);
        } catch (RuntimeException e) {
            LOG.warn("HMP command {}: its formatter failed", d, e);
            return "Error: cannot show the result of " + d.qmpCommand() + ": " + message(e) + "\n";
        }
        if (text == null || text.isEmpty()) {
            return "";
        }
        return text.endsWith("\n") ? text : text + "\n";
    }

    private static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * QEMU's {@code help_cmd}: the words after {@code help} select a row (through {@code info}'s table);
     * none lists the top level. More than {@value #HELP_MAX_WORDS} words, or a quoting error, print only
     * the quoting error (QEMU prints nothing).
     */
    private static void help(HmpTables t, String rest, StringBuilder out) {
        List<String> errors = new ArrayList<>(1);
        List<String> words = HmpParser.words(rest, HELP_MAX_WORDS, errors);
        if (words == null) {
            errors.forEach(l -> out.append(l).append('\n'));
            return;
        }
        dump(t, false, words, 0, out);
    }

    private static void dump(HmpTables t, boolean infoTable, List<String> words, int index, StringBuilder out) {
        List<HmpEntry> rows = infoTable ? t.info() : t.top();
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < Math.min(index, words.size()); i++) {
            prefix.append(words.get(i)).append(' ');
        }
        if (index >= words.size()) {
            for (HmpEntry e : rows) {
                out.append(e.helpLine(prefix.toString())).append('\n');
            }
            return;
        }
        HmpEntry e = t.find(words.get(index), infoTable);
        if (e == null) {
            out.append("unknown command: '").append(String.join(" ", words.subList(0, index + 1))).append("'\n");
            return;
        }
        if (e.kind() == HmpEntry.Kind.INFO) {
            dump(t, true, words, index + 1, out);
        } else {
            out.append(e.helpLine(prefix.toString())).append('\n');
        }
    }

    static int skipSpaces(String s, int p) {
        while (p < s.length() && HmpParser.isSpace(s.charAt(p))) {
            p++;
        }
        return p;
    }
}

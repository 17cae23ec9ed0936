package org.qmon.hmp.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.CommandContext;
import org.qmon.api.runtime.DispatchSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The human monitor in the Gogo shell (and in shells that run Gogo-style {@code osgi.command}
 * services): {@code hmp "any human line"} (or {@code hmp info status}), {@code hmp:monitor} for an
 * interactive {@code (qemu) } prompt until {@code exit}, and one shell function per HMP command word,
 * {@code hmp:info status}, {@code hmp:stop}, {@code hmp:screendump shot.png}, that come and go with the
 * definitions.
 *
 * <p>A word that one of the Felix shell's own commands (scope {@code felix}: {@code help}, {@code stop},
 * {@code start}, ...) already uses gets no function of its own: Gogo resolves an unscoped name by taking
 * the first scope it finds, so a {@code hmp:stop} function could turn a person's {@code stop 5} (stop
 * bundle 5) into the machine's {@code stop}, or {@code help} into HMP's help. Those words are reached
 * through {@code hmp stop} and {@code hmp help}. Words of other scopes are not avoided ({@code info} is
 * also {@code scr:info}): an unscoped {@code info} is then ambiguous, and {@code hmp:info} and
 * {@code scr:info} say which. The set is recomputed when definitions or shell commands come and go.
 *
 * <p>The component exists only where Gogo's {@link CommandProcessor} does (its mandatory reference), so
 * its class, which uses Gogo's types, is never loaded without a shell. Immediate, so that the per-word
 * functions exist before anyone has typed {@code hmp}.
 *
 * <p>Locking: {@code this} guards {@link #words}; {@link #refresh} runs with it held and registers
 * services from inside, whose events this class's own listener ignores (they are this bundle's).
 */
@Component(service = HmpShell.class, immediate = true)
@GogoCommand(scope = "hmp", function = {"hmp", "monitor"})
public final class HmpShell {

    private static final Logger LOG = LoggerFactory.getLogger(HmpShell.class);

    /** The scope of the Felix shell's basic commands, whose unscoped names an HMP word must not take. */
    static final String PROTECTED_SCOPE = "felix";

    /** Words Gogo can call as functions. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    private final HmpRuntime runtime;
    private final HmpRegistry registry;
    private final BundleContext context;
    private final String bannerLine;
    /** The per-word function services by the row's name; guarded by {@code this}. */
    private final Map<String, Registered> words = new HashMap<>();
    private final Runnable onTablesChanged = this::refresh;
    private final ServiceListener onShellChanged;
    private boolean closed;

    private record Registered(List<String> functions, ServiceRegistration<?> registration) {
    }

    /**
     * Creates the shell commands and registers one function per HMP word.
     *
     * @param runtime the HMP runtime (interpreter, dispatcher)
     * @param registry the definitions, watched for changes
     * @param processor Gogo's command processor: present only where there is a shell
     * @param context this bundle's context
     */
    @Activate
    public HmpShell(@Reference HmpRuntime runtime, @Reference HmpRegistry registry,
            @Reference CommandProcessor processor, BundleContext context) {
        this.runtime = runtime;
        this.registry = registry;
        this.context = context;
        String b = new String(runtime.banner(), StandardCharsets.UTF_8);
        this.bannerLine = b.substring(0, b.indexOf('\r'));
        this.onShellChanged = event -> {
            if (event.getServiceReference().getBundle() != context.getBundle()
                    && (event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.UNREGISTERING)) {
                refresh();
            }
        };
        try {
            context.addServiceListener(onShellChanged, "(" + GogoCommand.FUNCTION + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        registry.addListener(onTablesChanged);
        refresh();
    }

    @Deactivate
    void deactivate() {
        registry.removeListener(onTablesChanged);
        context.removeServiceListener(onShellChanged);
        synchronized (this) {
            closed = true;
            for (Registered r : words.values()) {
                unregister(r);
            }
            words.clear();
        }
    }

    /** Registers, replaces or removes per-word functions so that they match the tables. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<String, List<String>> wanted = new HashMap<>();
        for (HmpEntry e : registry.tables().top()) {
            List<String> functions = new ArrayList<>();
            for (String w : names(e)) {
                if (FUNCTION_NAME.matcher(w).matches() && !usedElsewhere(w)) {
                    functions.add(w);
                }
            }
            if (!functions.isEmpty()) {
                wanted.put(e.name(), functions);
            }
        }
        words.entrySet().removeIf(en -> {
            List<String> w = wanted.get(en.getKey());
            if (w != null && w.equals(en.getValue().functions())) {
                return false;
            }
            unregister(en.getValue());
            return true;
        });
        for (Map.Entry<String, List<String>> en : wanted.entrySet()) {
            if (!words.containsKey(en.getKey())) {
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(GogoCommand.SCOPE, "hmp");
                props.put(GogoCommand.FUNCTION, en.getValue().toArray(new String[0]));
                ServiceRegistration<?> r = context.registerService(Object.class.getName(), new Word(), props);
                words.put(en.getKey(), new Registered(en.getValue(), r));
            }
        }
        LOG.debug("Shell functions: {}", words.keySet());
    }

    private static List<String> names(HmpEntry e) {
        List<String> n = new ArrayList<>(e.aliases().size() + 1);
        n.add(e.name());
        n.addAll(e.aliases());
        return n;
    }

    /** Whether one of the Felix shell's own commands (another bundle's, scope {@code felix}) has this name. */
    private boolean usedElsewhere(String word) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                    "(&(" + GogoCommand.SCOPE + "=" + PROTECTED_SCOPE + ")(" + GogoCommand.FUNCTION + "=" + word + "))");
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    if (r.getBundle() != context.getBundle()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (InvalidSyntaxException e) {
            return true;
        }
    }

    private static void unregister(Registered r) {
        try {
            r.registration().unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
    }

    // ---- the shell functions ---------------------------------------------------------------------

    /**
     * Runs one human line: {@code hmp "info status"} or {@code hmp info status}.
     *
     * @param words the line as one argument, or its words
     * @return the output, or {@code null} when there is none
     * @throws InterruptedException when the shell interrupts the command (it is then cancelled)
     */
    @Descriptor("run a human monitor (HMP) command line, e.g. hmp \"info status\"; hmp help lists the commands")
    public String hmp(@Descriptor("the command line, quoted, or its words") Object... words) throws InterruptedException {
        return run(words.length == 1 ? String.valueOf(words[0]) : join(null, words));
    }

    /**
     * An interactive human monitor on the shell's console: a {@code (qemu) } prompt per line until
     * {@code exit} or the end of input. Its commands run in one dispatcher session, in order.
     *
     * @param session the shell session
     * @throws IOException when the console cannot be read
     */
    @Descriptor("an interactive human monitor: (qemu) prompt until 'exit'")
    public void monitor(CommandSession session) throws IOException {
        PrintStream out = session.getConsole();
        BufferedReader in = new BufferedReader(new InputStreamReader(session.getKeyboard(), StandardCharsets.UTF_8));
        out.println(bannerLine + ", 'exit' to leave");
        try (DispatchSession ds = runtime.dispatcher().openSession(CommandContext.FRONTEND_HMP, Set.of())) {
            for (;;) {
                out.print(HmpText.PROMPT);
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("exit")) {
                    out.println();
                    return;
                }
                String error = HmpText.check(line);
                if (error != null) {
                    out.println(error);
                    continue;
                }
                CompletableFuture<String> output = new CompletableFuture<>();
                runtime.interpreter().run(line, ds, output::complete);
                try {
                    out.print(output.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException e) {
                    out.println("Error: " + e.getCause());
                }
            }
        }
    }

    /** A per-word function object: Gogo calls {@code _main} with the function's name first. */
    public final class Word {
        /**
         * Runs {@code WORD ARGS...}.
         *
         * @param argv the function name (the HMP word), then its arguments
         * @return the output, or {@code null} when there is none
         * @throws InterruptedException when the shell interrupts the command
         */
        public String _main(Object... argv) throws InterruptedException {
            Object[] args = new Object[argv.length - 1];
            System.arraycopy(argv, 1, args, 0, args.length);
            return run(join(String.valueOf(argv[0]), args));
        }
    }

    /** Joins shell arguments into a line, quoting those with blanks or quotes in HMP's syntax. */
    static String join(String word, Object[] args) {
        StringBuilder sb = new StringBuilder(word == null ? "" : word);
        for (Object a : args) {
            String s = String.valueOf(a);
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (s.isEmpty() || s.chars().anyMatch(c -> HmpParser.isSpace((char) c) || c == '"' || c == '\\')) {
                sb.append('"');
                for (char c : s.toCharArray()) {
                    switch (c) {
                        case '"', '\\' -> sb.append('\\').append(c);
                        case '\n' -> sb.append("\\n");
                        case '\r' -> sb.append("\\r");
                        default -> sb.append(c);
                    }
                }
                sb.append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    /** Runs a line in a session of its own and waits; the shell's interrupt cancels it. */
    private String run(String line) throws InterruptedException {
        String error = HmpText.check(line);
        if (error != null) {
            return error;
        }
        CompletableFuture<String> output = new CompletableFuture<>();
        try (DispatchSession ds = runtime.dispatcher().openSession(CommandContext.FRONTEND_HMP, Set.of())) {
            runtime.interpreter().run(line, ds, output::complete);
            String text = output.get();
            if (text.isEmpty()) {
                return null;
            }
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (ExecutionException e) {
            return "Error: " + e.getCause();
        }
    }
}

package org.qmon.api.hmp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What one HMP command is: its word (or {@code info} sub-command) and aliases, its typed parameters,
 * its help text, the QMP command it calls with the arguments it derives from the parameters, and the
 * formatter that shows the result. Immutable; built with {@link #command(String)} or
 * {@link #info(String)}.
 *
 * <pre>
 * HmpDefinition.info("status")
 *         .help("show the current VM status (running|paused)")
 *         .calls("query-status")
 *         .formatter((r, a) -&gt; "VM status: " + (Boolean.TRUE.equals(((Map&lt;?, ?&gt;) r).get("running")) ? "running" : "paused"))
 *         .build();
 * </pre>
 */
public final class HmpDefinition {

    private final String name;
    private final List<String> aliases;
    private final boolean info;
    private final List<HmpParameter> parameters;
    private final String params;
    private final String help;
    private final String qmpCommand;
    private final Function<Map<String, Object>, Map<String, Object>> arguments;
    private final Function<Map<String, Object>, String> answer;
    private final HmpFormatter formatter;

    private HmpDefinition(Builder b) {
        this.name = b.name;
        this.aliases = List.copyOf(b.aliases);
        this.info = b.info;
        this.parameters = List.copyOf(b.parameters);
        this.params = b.params != null ? b.params : usage(b.parameters);
        this.help = b.help;
        this.qmpCommand = b.qmpCommand;
        this.arguments = b.arguments;
        this.answer = b.answer;
        this.formatter = b.formatter;
    }

    /**
     * Starts the definition of a top-level command word, e.g. {@code stop}.
     *
     * @param name the word people type
     * @return a builder
     */
    public static Builder command(String name) {
        return new Builder(name, false);
    }

    /**
     * Starts the definition of an {@code info} sub-command, e.g. {@code status} for {@code info status}.
     *
     * @param name the word typed after {@code info}
     * @return a builder
     */
    public static Builder info(String name) {
        return new Builder(name, true);
    }

    /**
     * The word people type (after {@code info} for an info sub-command).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Other words for the same command, e.g. {@code c} for {@code cont}.
     *
     * @return the aliases, possibly empty
     */
    public List<String> aliases() {
        return aliases;
    }

    /**
     * Whether this is an {@code info} sub-command.
     *
     * @return {@code true} for {@code info NAME}
     */
    public boolean isInfo() {
        return info;
    }

    /**
     * The parameters, in the order they are typed.
     *
     * @return the parameters
     */
    public List<HmpParameter> parameters() {
        return parameters;
    }

    /**
     * The usage text shown by {@code help}, e.g. {@code filename [device [head]]}; derived from the
     * parameters unless given.
     *
     * @return the usage text, possibly empty
     */
    public String params() {
        return params;
    }

    /**
     * One line of help.
     *
     * @return the help text
     */
    public String help() {
        return help;
    }

    /**
     * The QMP command this HMP command calls.
     *
     * @return the QMP command name
     */
    public String qmpCommand() {
        return qmpCommand;
    }

    /**
     * The QMP arguments for parsed HMP arguments: the definition's own mapping if it has one, else each
     * parameter's value under its {@link HmpParameter#argument()} name.
     *
     * @param parsed the parsed values by parameter name
     * @return the QMP arguments object in neutral form
     */
    public Map<String, Object> qmpArguments(Map<String, Object> parsed) {
        if (arguments != null) {
            return arguments.apply(parsed);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (HmpParameter p : parameters) {
            Object v = parsed.get(p.name());
            if (v != null && p.argument() != null) {
                out.put(p.argument(), v);
            }
        }
        return out;
    }

    /**
     * The monitor's own answer to parsed HMP arguments, when the definition gives one for them (see
     * {@link Builder#answers(Function)}): the text to show instead of calling the QMP command.
     *
     * @param parsed the parsed values by parameter name
     * @return the text to show, or {@code null} to call {@link #qmpCommand()} as usual
     * @since 1.1
     */
    public String answer(Map<String, Object> parsed) {
        return answer == null ? null : answer.apply(parsed);
    }

    /**
     * The formatter of the QMP command's result.
     *
     * @return the formatter; {@link HmpFormatter#SILENT} unless given
     */
    public HmpFormatter formatter() {
        return formatter;
    }

    @Override
    public String toString() {
        return (info ? "info " : "") + name + " -> " + qmpCommand;
    }

    private static String usage(List<HmpParameter> parameters) {
        StringBuilder sb = new StringBuilder();
        for (HmpParameter p : parameters) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            String word = switch (p.kind()) {
                case FLAG -> "-" + p.flag();
                case OPTION -> "-" + p.flag() + " " + p.name();
                default -> p.name();
            };
            sb.append(p.required() ? word : "[" + word + "]");
        }
        return sb.toString();
    }

    /** Builds an {@link HmpDefinition}; every value is checked by {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final boolean info;
        private final List<String> aliases = new ArrayList<>();
        private final List<HmpParameter> parameters = new ArrayList<>();
        private String params;
        private String help = "";
        private String qmpCommand;
        private Function<Map<String, Object>, Map<String, Object>> arguments;
        private Function<Map<String, Object>, String> answer;
        private HmpFormatter formatter = HmpFormatter.SILENT;

        private Builder(String name, boolean info) {
            this.name = Objects.requireNonNull(name, "name");
            this.info = info;
        }

        /**
         * Adds other words for the command ({@code q} for {@code quit}).
         *
         * @param words the aliases
         * @return this builder
         */
        public Builder aliases(String... words) {
            aliases.addAll(List.of(words));
            return this;
        }

        /**
         * Adds parameters, in the order they are typed.
         *
         * @param declared the parameters
         * @return this builder
         */
        public Builder parameters(HmpParameter... declared) {
            parameters.addAll(List.of(declared));
            return this;
        }

        /**
         * Sets the usage text {@code help} shows (QEMU's {@code .params}); derived from the parameters
         * when not set.
         *
         * @param usage e.g. {@code filename [device [head]]}
         * @return this builder
         */
        public Builder params(String usage) {
            this.params = Objects.requireNonNull(usage, "usage");
            return this;
        }

        /**
         * Sets the line of help (QEMU's {@code .help}).
         *
         * @param text the help text
         * @return this builder
         */
        public Builder help(String text) {
            this.help = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * Names the QMP command this HMP command calls (required).
         *
         * @param command the QMP command name
         * @return this builder
         */
        public Builder calls(String command) {
            this.qmpCommand = Objects.requireNonNull(command, "command");
            return this;
        }

        /**
         * Replaces the default argument mapping (each parameter to its {@link HmpParameter#argument()}).
         *
         * @param mapping from the parsed values by parameter name to the QMP arguments object (neutral
         *        form: maps, lists, strings, numbers, booleans); must not block. It may refuse the values
         *        with an {@link IllegalArgumentException}, whose message is shown as {@code Error: message}
         * @return this builder
         */
        public Builder arguments(Function<Map<String, Object>, Map<String, Object>> mapping) {
            this.arguments = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /**
         * Lets the command answer some lines itself, without calling its QMP command: the help forms
         * of QEMU's commands, which QEMU prints on the human monitor only (for example
         * {@code device_add help}, the list of device models, where QMP's {@code device_add} would
         * look for a model named {@code help}).
         *
         * @param local from the parsed values by parameter name to the text to show, or {@code null} to
         *        call the QMP command as usual; runs on the monitor's thread before any QMP command, so
         *        it must not block. It may refuse the values with an {@link IllegalArgumentException},
         *        whose message is shown as {@code Error: message}
         * @return this builder
         * @since 1.1
         */
        public Builder answers(Function<Map<String, Object>, String> local) {
            this.answer = Objects.requireNonNull(local, "local");
            return this;
        }

        /**
         * Sets how the result is shown; silent unless set.
         *
         * @param resultFormatter the formatter
         * @return this builder
         */
        public Builder formatter(HmpFormatter resultFormatter) {
            this.formatter = Objects.requireNonNull(resultFormatter, "resultFormatter");
            return this;
        }

        /**
         * Checks and builds the definition.
         *
         * @return the definition
         * @throws IllegalArgumentException when a word is empty or has a blank, {@code |} or {@code /}, a
         *         parameter name repeats, a rest-of-line parameter is not last, or no QMP command is named
         */
        public HmpDefinition build() {
            checkWord(name);
            aliases.forEach(Builder::checkWord);
            if (qmpCommand == null || qmpCommand.isBlank()) {
                throw new IllegalArgumentException("HMP command '" + name + "' names no QMP command (calls)");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < parameters.size(); i++) {
                HmpParameter p = parameters.get(i);
                if (!seen.add(p.name())) {
                    throw new IllegalArgumentException("HMP command '" + name + "': parameter '" + p.name() + "' twice");
                }
                if (p.kind() == HmpParameter.Kind.REST && i != parameters.size() - 1) {
                    throw new IllegalArgumentException("HMP command '" + name + "': the rest-of-line parameter must be last");
                }
            }
            return new HmpDefinition(this);
        }

        private static void checkWord(String w) {
            if (w.isEmpty() || w.chars().anyMatch(c -> c <= ' ' || c == '|' || c == '/' || c == 0x7f)) {
                throw new IllegalArgumentException("not an HMP command word: '" + w + "'");
            }
        }
    }
}

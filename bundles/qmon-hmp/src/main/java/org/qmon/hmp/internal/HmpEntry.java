package org.qmon.hmp.internal;

import java.util.List;

import org.qmon.api.hmp.HmpDefinition;

/**
 * One row of an HMP command table (QEMU's {@code HMPCommand}): a definition from a bundle, or one of the
 * two rows the frontend itself answers, {@code help|?} and {@code info}.
 *
 * @param name the word
 * @param aliases other words
 * @param params the usage text
 * @param help the help text
 * @param kind what answers it
 * @param definition the definition, for {@link Kind#COMMAND}
 */
record HmpEntry(String name, List<String> aliases, String params, String help, Kind kind, HmpDefinition definition) {

    /** What answers a row. */
    enum Kind {
        /** {@code help [cmd]}: the frontend, from the tables. */
        HELP,
        /** {@code info [subcommand]}: the frontend, through the info table. */
        INFO,
        /** A definition: its QMP command and formatter. */
        COMMAND
    }

    /** {@code help|? [cmd] -- show the help}, as in QEMU. */
    static final HmpEntry HELP_ENTRY = new HmpEntry("help", List.of("?"), "[cmd]", "show the help", Kind.HELP, null);

    /** {@code info [subcommand] -- show various information about the system state}, as in QEMU. */
    static final HmpEntry INFO_ENTRY = new HmpEntry("info", List.of(), "[subcommand]",
            "show various information about the system state", Kind.INFO, null);

    /**
     * A definition's row.
     *
     * @param d the definition
     * @return its row
     */
    static HmpEntry of(HmpDefinition d) {
        return new HmpEntry(d.name(), d.aliases(), d.params(), d.help(), Kind.COMMAND, d);
    }

    /**
     * The name as QEMU shows it in help and errors: the word and its aliases, joined with {@code |}.
     *
     * @return e.g. {@code cont|c}
     */
    String displayName() {
        return aliases.isEmpty() ? name : name + "|" + String.join("|", aliases);
    }

    /**
     * Whether a typed word names this row (QEMU's {@code hmp_compare_cmd}: exact, case-sensitive).
     *
     * @param word the word
     * @return {@code true} for the name or an alias
     */
    boolean matches(String word) {
        return name.equals(word) || aliases.contains(word);
    }

    /**
     * The row's help line, QEMU's {@code help_cmd_dump_one}: {@code NAME PARAMS -- HELP}.
     *
     * @param prefix the words typed before it (e.g. {@code info }), each followed by a blank
     * @return the line, without line end
     */
    String helpLine(String prefix) {
        return prefix + displayName() + " " + params + " -- " + help;
    }
}

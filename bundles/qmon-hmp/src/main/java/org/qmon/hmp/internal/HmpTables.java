package org.qmon.hmp.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of the two HMP command tables: the top level (with {@code help} and
 * {@code info}) and {@code info}'s sub-commands, each sorted by QEMU's rule (by the name with its
 * aliases, in code-point order), with a map from every word to its row for the look-up of each line.
 */
final class HmpTables {

    private final List<HmpEntry> top;
    private final List<HmpEntry> info;
    private final Map<String, HmpEntry> topWords;
    private final Map<String, HmpEntry> infoWords;

    /**
     * Builds the tables.
     *
     * @param commands the top-level rows besides {@code help} and {@code info}
     * @param infoCommands the {@code info} sub-commands
     */
    HmpTables(List<HmpEntry> commands, List<HmpEntry> infoCommands) {
        List<HmpEntry> t = new ArrayList<>(commands);
        t.add(HmpEntry.HELP_ENTRY);
        t.add(HmpEntry.INFO_ENTRY);
        this.top = sorted(t);
        this.info = sorted(infoCommands);
        this.topWords = words(top);
        this.infoWords = words(info);
    }

    /** Tables with no definitions: only {@code help} and {@code info}. */
    static final HmpTables EMPTY = new HmpTables(List.of(), List.of());

    private static List<HmpEntry> sorted(List<HmpEntry> rows) {
        List<HmpEntry> out = new ArrayList<>(rows);
        out.sort(Comparator.comparing(HmpEntry::displayName));
        return List.copyOf(out);
    }

    /** Names win over aliases of other rows; the first row in table order wins a clash of aliases. */
    private static Map<String, HmpEntry> words(List<HmpEntry> rows) {
        Map<String, HmpEntry> m = new HashMap<>();
        for (HmpEntry e : rows) {
            m.put(e.name(), e);
        }
        for (HmpEntry e : rows) {
            for (String a : e.aliases()) {
                m.putIfAbsent(a, e);
            }
        }
        return Map.copyOf(m);
    }

    /** @return the top-level rows, sorted */
    List<HmpEntry> top() {
        return top;
    }

    /** @return the info sub-commands, sorted */
    List<HmpEntry> info() {
        return info;
    }

    /**
     * Looks a word up.
     *
     * @param word the typed word
     * @param infoTable {@code true} for the info sub-commands
     * @return the row or {@code null}
     */
    HmpEntry find(String word, boolean infoTable) {
        return (infoTable ? infoWords : topWords).get(word);
    }
}

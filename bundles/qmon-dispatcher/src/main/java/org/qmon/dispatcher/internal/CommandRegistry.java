package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.qmon.api.runtime.HandlerStatus;

/**
 * The copy-on-write command registry. {@link #add} and {@link #remove} are {@code synchronized} and
 * publish a new immutable name-to-winner map through a {@code volatile} field; {@link #lookup} reads
 * one snapshot without locking (the dispatch path).
 *
 * <p>Name clashes are resolved by ranking, then by the lower service id. Shadowed handlers are kept,
 * sorted, and promoted when the winner leaves. Invalid arrivals are kept in a failure list for
 * reporting.
 */
final class CommandRegistry {

    /** Winner per name; replaced whole, never mutated. */
    private volatile Map<String, CommandInfo> active = Map.of();

    /** Every valid arrival per name, best first. Guarded by {@code this}. */
    private final Map<String, List<CommandInfo>> byName = new HashMap<>();

    /** Arrivals that cannot be dispatched. Guarded by {@code this}. */
    private final List<CommandInfo> failed = new ArrayList<>();

    /**
     * Adds an arrival.
     *
     * @param info the snapshot
     * @return {@code true} if it became the active handler of its name
     */
    synchronized boolean add(CommandInfo info) {
        if (!info.isValid()) {
            failed.add(info);
            return false;
        }
        List<CommandInfo> list = byName.computeIfAbsent(info.name(), k -> new ArrayList<>());
        list.add(info);
        Collections.sort(list);
        boolean winner = list.get(0) == info;
        if (winner) {
            publish();
        }
        return winner;
    }

    /**
     * Removes a departing service.
     *
     * @param serviceId its service id
     * @return the removed snapshot, or {@code null} if unknown
     */
    synchronized CommandInfo remove(long serviceId) {
        failed.removeIf(i -> i.serviceId() == serviceId);
        for (var it = byName.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            List<CommandInfo> list = e.getValue();
            for (int i = 0; i < list.size(); i++) {
                CommandInfo info = list.get(i);
                if (info.serviceId() == serviceId) {
                    list.remove(i);
                    if (list.isEmpty()) {
                        it.remove();
                    }
                    if (i == 0) {
                        publish();
                    }
                    return info;
                }
            }
        }
        return null;
    }

    private void publish() {
        Map<String, CommandInfo> next = new HashMap<>();
        byName.forEach((name, list) -> next.put(name, list.get(0)));
        active = Map.copyOf(next);
    }

    /**
     * The active handler of a name.
     *
     * @param name the command name
     * @return the winner or {@code null}
     */
    CommandInfo lookup(String name) {
        return active.get(name);
    }

    /** @return the active handlers, one per name */
    Map<String, CommandInfo> active() {
        return active;
    }

    /**
     * Every handler, for reporting: per name the winner, then the ones it shadows in the order they
     * would take over; then the refused arrivals.
     */
    synchronized List<HandlerStatus> report() {
        List<HandlerStatus> out = new ArrayList<>();
        new TreeMap<>(byName).forEach((name, list) -> {
            CommandInfo winner = list.get(0);
            out.add(new HandlerStatus(winner.descriptor(), HandlerStatus.State.ACTIVE, null));
            for (CommandInfo loser : list.subList(1, list.size())) {
                out.add(new HandlerStatus(loser.descriptor(), HandlerStatus.State.SHADOWED,
                        "shadowed by service " + winner.serviceId() + " of " + winner.descriptor().bundleSymbolicName()
                                + " (ranking " + winner.descriptor().ranking() + ")"));
            }
        });
        for (CommandInfo f : failed) {
            out.add(new HandlerStatus(f.descriptor(), HandlerStatus.State.REFUSED, f.failure()));
        }
        return List.copyOf(out);
    }
}

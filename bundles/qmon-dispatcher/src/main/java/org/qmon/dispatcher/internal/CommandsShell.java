package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.runtime.CommandDescriptor;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.HandlerStatus;

/**
 * {@code qmon:commands [NAME]}: what the command registry holds, for a person at the Gogo or Karaf
 * shell: every handler with its name, state, bundle, service id, ranking, kind (sync or async) and
 * declared traits, the handlers a winner shadows, and the ones that were refused with the reason (the
 * role {@code scr:info} plays for components). The data comes from {@link Dispatcher#handlers()}; this
 * class only lays it out.
 */
@Component(service = CommandsShell.class)
@GogoCommand(scope = "qmon", function = "commands")
public final class CommandsShell {

    private final Dispatcher dispatcher;

    /**
     * Creates the shell command.
     *
     * @param dispatcher the dispatcher whose registry it shows
     */
    @Activate
    public CommandsShell(@Reference Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * Lists every handler.
     *
     * @return a table, one handler per line
     */
    public String commands() {
        return table(dispatcher.handlers());
    }

    /**
     * Lists the handlers of one command name (active first, then shadowed).
     *
     * @param name the command name
     * @return a table, one handler per line
     */
    public String commands(String name) {
        return table(dispatcher.handlers().stream().filter(h -> name.equals(h.descriptor().name())).toList());
    }

    static String table(List<HandlerStatus> handlers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "KIND", "TRAITS", "BUNDLE", "SERVICE", "RANKING", "REASON"});
        for (HandlerStatus h : handlers) {
            CommandDescriptor d = h.descriptor();
            rows.add(new String[] {d.name() == null ? "-" : d.name(), h.state().name().toLowerCase(java.util.Locale.ROOT),
                d.async() ? "async" : "sync", traits(d), d.bundleSymbolicName(),
                d.serviceId() < 0 ? "-" : Long.toString(d.serviceId()), Integer.toString(d.ranking()),
                h.reason() == null ? "" : h.reason()});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(r[i]);
                if (i < r.length - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.setLength(sb.toString().stripTrailing().length());
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String traits(CommandDescriptor d) {
        List<String> t = new ArrayList<>();
        if (d.allowOob()) {
            t.add("allowOob");
        }
        if (d.nonBlocking()) {
            t.add("nonBlocking");
        }
        if (d.allowBeforeNegotiation()) {
            t.add("allowBeforeNegotiation");
        }
        return t.isEmpty() ? "-" : String.join(",", t);
    }
}

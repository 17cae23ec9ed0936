package org.qmon.dispatcher.internal;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.runtime.Dispatcher;

/**
 * {@code qmon:schema [COMMAND]}: the commands' arguments and results as a person reads them, from the
 * same type model as {@code query-qmp-schema} and argument binding. Without a name, one line per
 * command; with one, its arguments and result with every member, optional ones marked {@code ?}.
 */
@Component(service = SchemaShell.class)
@GogoCommand(scope = "qmon", function = "schema")
public final class SchemaShell {

    private final DispatcherImpl dispatcher;

    /**
     * Creates the shell command.
     *
     * @param dispatcher the dispatcher (this bundle's own implementation: the type model is private)
     */
    @Activate
    public SchemaShell(@Reference Dispatcher dispatcher) {
        this.dispatcher = (DispatcherImpl) dispatcher;
    }

    /**
     * Every registered command with its argument and result types.
     *
     * @return one line per command
     */
    public String schema() {
        StringBuilder sb = new StringBuilder();
        for (CommandInfo c : new java.util.TreeMap<>(dispatcher.registry().active()).values()) {
            sb.append(c.name()).append(": ").append(brief(dispatcher.model().of(c.argumentType())))
                    .append(" -> ").append(brief(dispatcher.model().of(c.resultType()))).append('\n');
        }
        return sb.toString();
    }

    /**
     * One command in full.
     *
     * @param name the command name
     * @return its arguments and result, member by member, or why there is nothing to show
     */
    public String schema(String name) {
        CommandInfo c = dispatcher.registry().lookup(name);
        if (c == null) {
            return "no command '" + name + "'\n";
        }
        TypeModel m = dispatcher.model();
        return name + (c.description().isEmpty() ? "" : " - " + c.description()) + "\n"
                + "  arguments: " + full(m.of(c.argumentType()), new IdentityHashMap<>()) + "\n"
                + "  returns:   " + full(m.of(c.resultType()), new IdentityHashMap<>()) + "\n";
    }

    /** A type by name only. */
    static String brief(QType t) {
        if (t instanceof QType.Builtin b) {
            return b.name;
        }
        if (t instanceof QType.Array a) {
            return "[" + brief(a.element) + "]";
        }
        if (t instanceof QType.Obj o) {
            return o.members.isEmpty() && !o.open() ? "{}" : o.javaType.getSimpleName();
        }
        return ((QType.Enumeration) t).javaType.getSimpleName();
    }

    /** A type with its members, each object expanded once (a recursive one is named where it recurs). */
    static String full(QType t, Map<QType, Boolean> seen) {
        if (t instanceof QType.Array a) {
            return "[" + full(a.element, seen) + "]";
        }
        if (t instanceof QType.Enumeration e) {
            return e.javaType.getSimpleName() + " (" + String.join("|", e.values) + ")";
        }
        if (t instanceof QType.Obj o && !(o.members.isEmpty() && !o.open()) && seen.put(t, Boolean.TRUE) == null) {
            String members = o.members.stream()
                    .map(mb -> mb.wireName() + (mb.optional() ? "?" : "") + ": " + full(mb.type(), seen))
                    .collect(Collectors.joining(", "));
            return o.javaType.getSimpleName() + " {" + members + (o.open() ? (members.isEmpty() ? "" : ", ") + "..." : "") + "}";
        }
        return brief(t);
    }
}

package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.qmon.api.event.EventType;

/**
 * Builds {@code query-qmp-schema}'s result, QEMU's {@code [SchemaInfo]}, from the type model: one
 * entry per command and event, then one per type they reference. Type names are opaque and numbered
 * in the order the types are first met ({@code "0"} is always the empty object, arrays are
 * {@code "[N]"}, builtins keep their names), so they are stable for as long as the registry does not
 * change. Entries are neutral maps, serialised as QEMU orders them: {@code name}, then
 * {@code meta-type}, then the rest.
 *
 * <p>Not thread-safe: one builder per build.
 */
final class SchemaBuilder {

    private final TypeModel model;
    private final Map<QType, String> names = new IdentityHashMap<>();
    /** Type entries by first use; "0" first. */
    private final List<Map<String, Object>> types = new ArrayList<>();
    /** Names of builtin and array entries already added (several model types may share one). */
    private final java.util.Set<String> emitted = new java.util.HashSet<>();
    private int next = 1;

    SchemaBuilder(TypeModel model) {
        this.model = model;
        Map<String, Object> empty = entry("0", "object");
        empty.put("members", List.of());
        types.add(empty);
    }

    /**
     * Builds the schema.
     *
     * @param commands the commands, sorted by name
     * @param events the declared events, sorted by name
     * @return the entries: commands, events, then types
     */
    List<Map<String, Object>> build(List<CommandInfo> commands, List<EventType> events) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CommandInfo c : commands) {
            Map<String, Object> e = entry(c.name(), "command");
            e.put("arg-type", name(model.of(c.argumentType())));
            e.put("ret-type", name(model.of(c.resultType())));
            if (c.allowOob()) {
                e.put("allow-oob", true);
            }
            if (!c.features().isEmpty()) {
                e.put("features", c.features());
            }
            out.add(e);
        }
        for (EventType ev : events) {
            Map<String, Object> e = entry(ev.name(), "event");
            e.put("arg-type", ev.data() == null ? "0" : name(model.of(ev.data())));
            out.add(e);
        }
        out.addAll(types);
        return out;
    }

    private static Map<String, Object> entry(String name, String metaType) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("meta-type", metaType);
        return e;
    }

    /** The schema name of a type, adding its entry (and those of the types it refers to) on first use. */
    private String name(QType t) {
        String known = names.get(t);
        if (known != null) {
            return known;
        }
        if (t instanceof QType.Builtin b) {
            names.put(t, b.name);
            if (emitted.add(b.name)) {
                Map<String, Object> e = entry(b.name, "builtin");
                e.put("json-type", b.jsonType);
                types.add(e);
            }
            return b.name;
        }
        if (t instanceof QType.Array a) {
            String element = name(a.element);
            String n = "[" + element + "]";
            names.put(t, n);
            if (emitted.add(n)) {
                Map<String, Object> e = entry(n, "array");
                e.put("element-type", element);
                types.add(e);
            }
            return n;
        }
        if (t instanceof QType.Obj o && o.members.isEmpty() && !o.open()) {
            names.put(t, "0");
            return "0";
        }
        String n = Integer.toString(next++);
        names.put(t, n); // before the members: a recursive type refers to itself by this name
        if (t instanceof QType.Obj o) {
            Map<String, Object> e = entry(n, "object");
            types.add(e);
            List<Map<String, Object>> members = new ArrayList<>();
            for (QType.Member m : o.members) {
                Map<String, Object> me = new LinkedHashMap<>();
                me.put("name", m.wireName());
                me.put("type", name(m.type()));
                if (m.optional()) {
                    me.put("default", null); // QEMU: present with value null means "optional"
                }
                if (m.deprecated()) {
                    me.put("features", List.of("deprecated"));
                }
                members.add(me);
            }
            e.put("members", members);
            if (o.deprecated) {
                e.put("features", List.of("deprecated"));
            }
        } else if (t instanceof QType.Enumeration en) {
            Map<String, Object> e = entry(n, "enum");
            List<Map<String, Object>> members = new ArrayList<>();
            for (String v : en.values) {
                Map<String, Object> me = new LinkedHashMap<>();
                me.put("name", v);
                if (en.deprecated.contains(v)) {
                    me.put("features", List.of("deprecated"));
                }
                members.add(me);
            }
            e.put("members", members);
            e.put("values", en.values);
            types.add(e);
        }
        return n;
    }
}

package org.qmon.itests;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The path queries libvirt asks of {@code query-qmp-schema} ({@code virQEMUQAPISchemaPathGet} in
 * libvirt's {@code src/qemu/qemu_qapi.c}), for the features qmon can have: {@code command/arg-type|ret-type/
 * member/...}, {@code *member} (the member must be optional), {@code ^value} (an enum has the value),
 * {@code !json-type} (a builtin of that JSON type), {@code $feature}; arrays are looked through.
 */
public final class SchemaPaths {

    private final Map<String, JsonNode> byName = new HashMap<>();

    /**
     * Indexes a schema.
     *
     * @param schema the {@code return} of {@code query-qmp-schema}
     */
    public SchemaPaths(JsonNode schema) {
        for (JsonNode e : schema) {
            if (byName.put(e.get("name").asText(), e) != null) {
                throw new AssertionError("two schema entries named " + e.get("name"));
            }
        }
    }

    /**
     * Answers a query the way libvirt does.
     *
     * @param path e.g. {@code query-status/ret-type/status/^paused}
     * @return whether the schema has it
     */
    public boolean has(String path) {
        String[] parts = path.split("/");
        JsonNode cur = byName.get(parts[0]);
        if (cur == null || !(cur.path("meta-type").asText().equals("command") || cur.path("meta-type").asText().equals("event"))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            cur = flatten(cur);
            if (cur == null) {
                return false;
            }
            if (p.equals("arg-type") || p.equals("ret-type")) {
                cur = byName.get(cur.path(p).asText());
            } else if (p.startsWith("^")) {
                return cur.path("meta-type").asText().equals("enum") && contains(cur.path("values"), p.substring(1));
            } else if (p.startsWith("!")) {
                return cur.path("meta-type").asText().equals("builtin") && cur.path("json-type").asText().equals(p.substring(1));
            } else if (p.startsWith("$")) {
                return contains(cur.path("features"), p.substring(1));
            } else {
                boolean optional = p.startsWith("*");
                String name = optional ? p.substring(1) : p;
                JsonNode member = null;
                for (JsonNode m : cur.path("members")) {
                    if (name.equals(m.path("name").asText())) {
                        member = m;
                    }
                }
                if (member == null || (optional && !member.has("default"))) {
                    return false;
                }
                cur = byName.get(member.path("type").asText());
            }
        }
        return cur != null;
    }

    private JsonNode flatten(JsonNode t) {
        while (t != null && t.path("meta-type").asText().equals("array")) {
            t = byName.get(t.path("element-type").asText());
        }
        return t;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** @return the number of entries */
    public int size() {
        return byName.size();
    }

    /**
     * An entry by name.
     *
     * @param name the name
     * @return the entry or {@code null}
     */
    public JsonNode entry(String name) {
        return byName.get(name);
    }
}

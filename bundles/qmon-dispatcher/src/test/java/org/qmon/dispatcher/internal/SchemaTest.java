package org.qmon.dispatcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.event.EventType;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;

/**
 * The one type model: Java types to QEMU's {@code SchemaInfo}, and the same model binding requests.
 * Each test asserts both sides where both apply.
 */
class SchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DispatcherImpl dispatcher = new DispatcherImpl();
    private final AtomicLong ids = new AtomicLong(100);

    @AfterEach
    void tearDown() {
        dispatcher.deactivate();
    }

    enum Format { ppm, png, @JsonProperty("finish-migrate") FINISH_MIGRATE, @Deprecated old }

    record Inner(int integer, String string) { }

    record Args(String name, Optional<Integer> count, Optional<Format> format, Optional<List<Inner>> items,
            @JsonProperty("dash-name") Optional<Boolean> dashName, @Deprecated Optional<Long> legacy) { }

    record Result(String text, @JsonInclude(JsonInclude.Include.NON_NULL) String maybe, List<String> tags,
            Map<String, Object> extra, JsonNode raw, double ratio) { }

    /** A record that refers to itself. */
    record Tree(String label, Optional<List<Tree>> children) { }

    /** Open arguments: the declared members plus any others (like QEMU's device_add). */
    record Open(String driver, Optional<String> id, @JsonAnySetter Map<String, Object> properties) { }

    static final class Echo implements Command<Args, Result> {
        @Override
        public Result execute(Args a, CommandContext c) {
            return new Result(a.name(), null, List.of(), Map.of(), null, 1.0);
        }
    }

    static final class Grow implements Command<Tree, Tree> {
        @Override
        public Tree execute(Tree t, CommandContext c) {
            return t;
        }
    }

    static final class Add implements Command<Open, Open> {
        @Override
        public Open execute(Open o, CommandContext c) {
            return o;
        }
    }

    static final class Nothing implements Command<NoArguments, Void> {
        @Override
        public Void execute(NoArguments a, CommandContext c) {
            return null;
        }
    }

    /** Two records of the same simple name from different places: the schema must keep them apart. */
    static final class One {
        record Same(String a) { }

        static final class Cmd implements Command<Same, Void> {
            @Override
            public Void execute(Same s, CommandContext c) {
                return null;
            }
        }
    }

    static final class Two {
        record Same(int b) { }

        static final class Cmd implements Command<Same, Void> {
            @Override
            public Void execute(Same s, CommandContext c) {
                return null;
            }
        }
    }

    @Deprecated
    static final class Old implements AsyncCommand<NoArguments, String> {
        @Override
        public void execute(NoArguments a, Completion<String> c, CommandContext ctx) {
            c.complete("old");
        }
    }

    private long register(String name, Object handler, Map<String, Object> extra) {
        long id = ids.incrementAndGet();
        Map<String, Object> props = new LinkedHashMap<>(Map.of(QmpCommand.NAME, name, "service.id", id, "service.ranking", 0));
        props.putAll(extra);
        dispatcher.add(handler, props, "test");
        return id;
    }

    private long register(String name, Object handler) {
        return register(name, handler, Map.of());
    }

    private List<Map<String, Object>> schema() {
        return dispatcher.schema(Map.of());
    }

    private static Map<String, Object> entry(List<Map<String, Object>> schema, String name) {
        return schema.stream().filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + name + " in " + schema));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> members(Map<String, Object> object) {
        return (List<Map<String, Object>>) object.get("members");
    }

    private static Map<String, Object> member(List<Map<String, Object>> schema, Map<String, Object> object, String name) {
        return members(object).stream().filter(m -> name.equals(m.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no member " + name + " in " + object));
    }

    private static Map<String, Object> type(List<Map<String, Object>> schema, Object name) {
        return entry(schema, (String) name);
    }

    @Test
    void recordsOptionalsEnumsListsAndNestedRecordsBecomeQemuSchemaInfo() {
        register("echo", new Echo());
        List<Map<String, Object>> s = schema();
        Map<String, Object> cmd = entry(s, "echo");
        assertEquals("command", cmd.get("meta-type"));
        Map<String, Object> args = type(s, cmd.get("arg-type"));
        assertEquals("object", args.get("meta-type"));
        assertEquals(List.of("name", "count", "format", "items", "dash-name", "legacy"),
                members(args).stream().map(m -> m.get("name")).toList(), "declaration order, wire names");
        assertEquals("str", member(s, args, "name").get("type"));
        assertTrue(!member(s, args, "name").containsKey("default"), "required: no default member");
        Map<String, Object> count = member(s, args, "count");
        assertEquals("int", count.get("type"));
        assertTrue(count.containsKey("default") && count.get("default") == null, "optional: \"default\": null, as QEMU");
        Map<String, Object> format = type(s, member(s, args, "format").get("type"));
        assertEquals("enum", format.get("meta-type"));
        assertEquals(List.of("ppm", "png", "finish-migrate", "old"), format.get("values"));
        assertEquals(List.of(Map.of("name", "ppm"), Map.of("name", "png"), Map.of("name", "finish-migrate"),
                Map.of("name", "old", "features", List.of("deprecated"))), format.get("members"));
        Map<String, Object> items = type(s, member(s, args, "items").get("type"));
        assertEquals("array", items.get("meta-type"));
        assertEquals("[" + items.get("element-type") + "]", items.get("name"));
        Map<String, Object> inner = type(s, items.get("element-type"));
        assertEquals(List.of(Map.of("name", "integer", "type", "int"), Map.of("name", "string", "type", "str")),
                inner.get("members"));
        assertEquals(List.of("deprecated"), member(s, args, "legacy").get("features"));
        assertEquals("bool", member(s, args, "dash-name").get("type"));
        assertEquals(Map.of("name", "bool", "meta-type", "builtin", "json-type", "boolean"), entry(s, "bool"));
    }

    @Test
    void resultsDescribeWhatJacksonWritesAndMapsAndOtherClassesAreAny() {
        register("echo", new Echo());
        List<Map<String, Object>> s = schema();
        Map<String, Object> result = type(s, entry(s, "echo").get("ret-type"));
        assertTrue(member(s, result, "maybe").containsKey("default"), "@JsonInclude(NON_NULL) is optional in results");
        assertTrue(!member(s, result, "text").containsKey("default"));
        assertEquals("[str]", member(s, result, "tags").get("type"));
        assertEquals("any", member(s, result, "extra").get("type"));
        assertEquals("any", member(s, result, "raw").get("type"));
        assertEquals("number", member(s, result, "ratio").get("type"));
        assertEquals(Map.of("name", "any", "meta-type", "builtin", "json-type", "value"), entry(s, "any"));
    }

    @Test
    void commandsWithoutArgumentsOrResultUseTheEmptyObjectZero() {
        register("nothing", new Nothing());
        List<Map<String, Object>> s = schema();
        assertEquals(Map.of("name", "nothing", "meta-type", "command", "arg-type", "0", "ret-type", "0"), entry(s, "nothing"));
        assertEquals(Map.of("name", "0", "meta-type", "object", "members", List.of()), entry(s, "0"));
        Map<String, Object> list = type(s, entry(s, "query-commands").get("ret-type"));
        assertEquals("array", list.get("meta-type"), "query-commands returns QEMU's [CommandInfo]");
        assertEquals(List.of(Map.of("name", "name", "type", "str")), type(s, list.get("element-type")).get("members"));
    }

    @Test
    void traitsAndFeaturesAreListedTheWayQemuListsThem() {
        register("fast", new Nothing(), Map.of(QmpCommand.ALLOW_OOB, true, QmpCommand.FEATURES, new String[] {"unstable"}));
        register("old", new Old());
        List<Map<String, Object>> s = schema();
        assertEquals(true, entry(s, "fast").get("allow-oob"));
        assertEquals(List.of("unstable"), entry(s, "fast").get("features"));
        assertEquals(List.of("deprecated"), entry(s, "old").get("features"), "a @Deprecated handler class");
        assertTrue(!entry(s, "old").containsKey("allow-oob"), "allow-oob only where true");
        assertEquals("str", entry(s, "old").get("ret-type"));
    }

    @Test
    void aRecursiveRecordRefersToItselfByName() throws Exception {
        register("grow", new Grow());
        List<Map<String, Object>> s = schema();
        Map<String, Object> tree = type(s, entry(s, "grow").get("arg-type"));
        Map<String, Object> children = type(s, member(s, tree, "children").get("type"));
        assertEquals(tree.get("name"), children.get("element-type"));
        assertEquals(entry(s, "grow").get("arg-type"), entry(s, "grow").get("ret-type"));
        Reply r = call("grow", "{\"label\": \"a\", \"children\": [{\"label\": \"b\", \"children\": [{\"label\": 3}]}]}");
        assertEquals("Invalid parameter type for 'children[0].children[0].label', expected: string", r.description());
    }

    @Test
    void recordsOfTheSameNameFromDifferentPlacesStayApart() {
        register("one", new One.Cmd());
        register("two", new Two.Cmd());
        List<Map<String, Object>> s = schema();
        Object a = entry(s, "one").get("arg-type");
        Object b = entry(s, "two").get("arg-type");
        assertNotEquals(a, b);
        assertEquals("str", members(type(s, a)).get(0).get("type"));
        assertEquals("int", members(type(s, b)).get(0).get("type"));
        Set<Object> names = new HashSet<>();
        for (Map<String, Object> e : s) {
            assertTrue(names.add(e.get("name")), () -> "names are unique across meta-types: " + e.get("name"));
        }
    }

    @Test
    void openArgumentsListTheirDeclaredMembersAndBindTheRest() throws Exception {
        register("add", new Add());
        List<Map<String, Object>> s = schema();
        Map<String, Object> args = type(s, entry(s, "add").get("arg-type"));
        assertEquals(List.of("driver", "id"), members(args).stream().map(m -> m.get("name")).toList());
        Open o = (Open) call("add", "{\"driver\": \"d\", \"width\": 640, \"id\": \"x\", \"mode\": \"m\"}").value();
        assertEquals(new Open("d", Optional.of("x"), Map.of("width", 640, "mode", "m")), o);
        assertEquals(Map.of(), ((Open) call("add", "{\"driver\": \"d\"}").value()).properties());
        assertEquals("Parameter 'driver' is missing", call("add", "{\"width\": 1}").description());
    }

    @Test
    void declaredEventsAreListedWithTheirDataType() {
        record ShutdownInfo(boolean guest, String reason) { }
        dispatcher.bindEventType(new EventType("SHUTDOWN", ShutdownInfo.class));
        dispatcher.bindEventType(new EventType("STOP", null));
        List<Map<String, Object>> s = schema();
        assertEquals(Map.of("name", "STOP", "meta-type", "event", "arg-type", "0"), entry(s, "STOP"));
        Map<String, Object> data = type(s, entry(s, "SHUTDOWN").get("arg-type"));
        assertEquals(List.of(Map.of("name", "guest", "type", "bool"), Map.of("name", "reason", "type", "str")), data.get("members"));
        dispatcher.unbindEventType(new EventType("STOP", null));
        assertTrue(schema().stream().noneMatch(e -> "STOP".equals(e.get("name"))));
    }

    @Test
    void theSchemaIsCachedAndRebuiltWhenTheRegistryChangesWithoutStaleTypes() {
        List<Map<String, Object>> before = schema();
        assertSame(before, schema(), "a repeated call costs a look-up");
        long id = register("echo", new Echo());
        List<Map<String, Object>> with = schema();
        assertTrue(with.size() > before.size() + 3, "echo and its types");
        dispatcher.remove(id);
        List<Map<String, Object>> after = schema();
        assertEquals(before, after, "no stale types once the command is gone");
    }

    @Test
    void theSchemaAndTheBinderAgreeOnEveryArgumentError() throws Exception {
        register("echo", new Echo());
        List<Map<String, Object>> s = schema();
        Map<String, Object> args = type(s, entry(s, "echo").get("arg-type"));
        // A required member left out: the error names it, and the schema has it without a default.
        String missing = call("echo", "{}").description();
        assertEquals("Parameter 'name' is missing", missing);
        assertTrue(!member(s, args, "name").containsKey("default"));
        // A wrong type for each member: the error names a member the schema has.
        for (Map<String, Object> m : members(args)) {
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("name", "x");
            req.put((String) m.get("name"), m.get("type").equals("str") ? List.of() : "not-it");
            String desc = call("echo", JSON.writeValueAsString(req)).description();
            assertNotNull(desc, () -> "a wrong type for " + m + " is refused");
            assertTrue(desc.contains("'" + m.get("name") + "'") || desc.contains("'null'"), desc);
        }
        assertEquals("Parameter 'nope' is unexpected", call("echo", "{\"name\": \"x\", \"nope\": 1}").description());
    }

    @Test
    void argumentTypesTheModelCannotBindAreRefusedAtRegistration() {
        record Bad(Object ok, java.util.Set<String> notAList) { }
        final class UsesBad implements Command<Bad, Void> {
            @Override
            public Void execute(Bad b, CommandContext c) {
                return null;
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dispatcher.model().check(Bad.class));
        assertTrue(e.getMessage().contains("java.util.Set<java.lang.String>"), e.getMessage());
        register("bad", new UsesBad());
        assertTrue(dispatcher.command("bad").isEmpty());
        assertTrue(schema().stream().noneMatch(x -> "bad".equals(x.get("name"))), "a refused handler is not in the schema");
    }

    @Test
    void integersAreIntInTheSchemaAndTheirJavaRangeIsCheckedWhenBinding() throws CommandException {
        record Sizes(byte b, short s, int i, long l, java.math.BigInteger big, float f) { }
        TypeModel m = dispatcher.model();
        m.check(Sizes.class);
        Map<String, Object> args = new LinkedHashMap<>(Map.of("b", 1, "s", 2, "i", 3, "l", 4L, "big", 5, "f", 1.5));
        assertEquals(new Sizes((byte) 1, (short) 2, 3, 4L, java.math.BigInteger.valueOf(5), 1.5f), m.bind(Sizes.class, args));
        args.put("b", 300);
        assertEquals("Parameter 'b' expects int8_t", assertThrows(CommandException.class, () -> m.bind(Sizes.class, args)).description());
        // Beyond int64 QEMU's input visitor fails before any range check (QEMU 7.2, cpu-index 2^64-1).
        args.put("b", 1);
        args.put("l", new java.math.BigInteger("18446744073709551615"));
        assertEquals("Invalid parameter type for 'l', expected: integer",
                assertThrows(CommandException.class, () -> m.bind(Sizes.class, args)).description());
        args.put("l", 4L);
        List<Map<String, Object>> s = new SchemaBuilder(m).build(List.of(), List.of(new EventType("E", Sizes.class)));
        Map<String, Object> data = type(s, entry(s, "E").get("arg-type"));
        members(data).forEach(x -> assertTrue(Set.of("int", "number").contains(x.get("type")), x::toString));
    }

    private Reply call(String command, String json) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> args = json == null ? null : JSON.readValue(json, Map.class);
        DispatchSession session = dispatcher.openSession("local", Set.of());
        CompletableFuture<Reply> f = new CompletableFuture<>();
        session.submit(command, args, false, f::complete);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } finally {
            session.close();
        }
    }

    @Test
    void theShellShowsACommandsArgumentsAndResultForPeople() {
        register("echo", new Echo());
        register("grow", new Grow());
        SchemaShell shell = new SchemaShell(dispatcher);
        assertTrue(shell.schema().lines().anyMatch(l -> l.equals("echo: Args -> Result")), shell.schema());
        assertTrue(shell.schema().lines().anyMatch(l -> l.equals("query-commands: {} -> [CommandInfo]")), shell.schema());
        String echo = shell.schema("echo");
        assertTrue(echo.contains("arguments: Args {name: str, count?: int, format?: Format (ppm|png|finish-migrate|old), "
                + "items?: [Inner {integer: int, string: str}], dash-name?: bool, legacy?: int}"), echo);
        assertTrue(shell.schema("grow").contains("Tree {label: str, children?: [Tree]}"), shell.schema("grow"));
        assertEquals("no command 'nope'\n", shell.schema("nope"));
    }

    @Test
    void aSessionsOwnCommandsAreInItsSchemaOnly() throws Exception {
        org.qmon.api.runtime.LocalCommand local = new org.qmon.api.runtime.LocalCommand(new Nothing(),
                Map.of(QmpCommand.NAME, "mine", QmpCommand.ALLOW_BEFORE_NEGOTIATION, true));
        DispatchSession session = dispatcher.openSession("qmp", Set.of(), List.of(local));
        CompletableFuture<Reply> f = new CompletableFuture<>();
        session.submit("query-qmp-schema", null, false, f::complete);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> s = (List<Map<String, Object>>) f.get(10, TimeUnit.SECONDS).value();
        assertEquals("command", entry(s, "mine").get("meta-type"));
        assertTrue(schema().stream().noneMatch(e -> "mine".equals(e.get("name"))), "not in another session's schema");
        session.close();
    }
}

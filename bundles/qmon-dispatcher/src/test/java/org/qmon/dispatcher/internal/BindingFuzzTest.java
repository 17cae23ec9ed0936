package org.qmon.dispatcher.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.qmon.api.CommandException;

/**
 * Coverage-guided fuzzing (Jazzer) of argument binding: random JSON values (in the neutral form the
 * frontends submit) against records of the shapes the built-in commands use: strings, integers of each
 * width, booleans, numbers, enums with wire names, optional members, lists of enums, nested and
 * recursive records, an open record with {@code @JsonAnySetter}, and {@code Object}. Invariants: a value
 * either binds to an instance of the record or is refused with a {@link CommandException} whose text
 * is QEMU's form ({@code Parameter '...'} or {@code Invalid parameter type for '...'}) or a record's
 * own check; nothing else escapes.
 */
class BindingFuzzTest {

    enum Capability { oob, @JsonProperty("x-other") OTHER }

    /** qmp_capabilities. */
    record Caps(Optional<List<Capability>> enable) { }

    /** screendump. */
    record Shot(String filename, Optional<String> device, Optional<Long> head, Optional<Capability> format) { }

    /** human-monitor-command. */
    record Hmc(@JsonProperty("command-line") String commandLine, @JsonProperty("cpu-index") Optional<Integer> cpuIndex) { }

    /** device_add. */
    record Add(Optional<Object> driver, Optional<Object> id, @JsonAnySetter Map<String, Object> properties) { }

    /** Every width, and a recursive member. */
    record Wide(byte b, short s, int i, long l, double d, boolean z, Optional<List<Wide>> more) { }

    private static final List<Class<?>> RECORDS = List.of(Caps.class, Shot.class, Hmc.class, Add.class, Wide.class);
    private static final TypeModel MODEL = new TypeModel();

    static {
        RECORDS.forEach(MODEL::check);
    }

    private static Object value(FuzzedDataProvider data, int depth) {
        switch (data.consumeInt(0, depth > 4 ? 5 : 7)) {
            case 0:
                return null;
            case 1:
                return data.consumeBoolean();
            case 2:
                return data.consumeInt();
            case 3:
                return data.consumeLong();
            case 4:
                return data.consumeDouble();
            case 5:
                return data.pickValue(List.of("oob", "x-other", "OTHER", "png", "", "a b", data.consumeString(16)));
            case 6: {
                List<Object> l = new ArrayList<>();
                for (int i = data.consumeInt(0, 4); i > 0; i--) {
                    l.add(value(data, depth + 1));
                }
                return l;
            }
            default:
                return object(data, depth + 1);
        }
    }

    private static Map<String, Object> object(FuzzedDataProvider data, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> names = List.of("enable", "filename", "device", "head", "format", "command-line", "cpu-index",
                "driver", "id", "b", "s", "i", "l", "d", "z", "more", "x");
        for (int i = data.consumeInt(0, 6); i > 0; i--) {
            m.put(data.pickValue(names), value(data, depth));
        }
        return m;
    }

    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void anyJsonAgainstTheBuiltInShapes(FuzzedDataProvider data) {
        Class<?> type = data.pickValue(RECORDS);
        Map<String, Object> args = data.consumeBoolean() ? null : object(data, 0);
        try {
            Object bound = MODEL.bind(type, args);
            assertNotNull(bound);
            assertTrue(type.isInstance(bound));
        } catch (CommandException e) {
            String d = e.description();
            assertTrue(d.startsWith("Parameter '") || d.startsWith("Invalid parameter type for '"), d);
        }
    }
}

package org.qmon.hmp.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import org.qmon.api.hmp.HmpParameter;

/**
 * Coverage-guided fuzzing (Jazzer) of the HMP line parser: any line against any declaration of every
 * parameter kind. Invariants: no exception escapes; the outcome is either values of the declared kinds
 * (only declared names, every required one present) or error lines for the person. Without
 * {@code JAZZER_FUZZ=1} the committed corpus runs as regression tests.
 */
class HmpParserFuzzTest {

    private static final List<HmpParameter> KINDS = List.of(HmpParameter.string("s"), HmpParameter.filename("f"),
            HmpParameter.integer("i"), HmpParameter.longInteger("l"), HmpParameter.size("z"),
            HmpParameter.flag("force", 'f'), HmpParameter.option("format", 'o'), HmpParameter.rest("r"));

    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void anyLineAgainstAnyDeclaration(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 5);
        List<HmpParameter> declared = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HmpParameter p = data.pickValue(KINDS);
            if (declared.stream().anyMatch(d -> d.name().equals(p.name()))) {
                continue;
            }
            if (p.kind() == HmpParameter.Kind.REST && i < n - 1) {
                continue; // rest of line comes last
            }
            declared.add(data.consumeBoolean() ? p.optional() : p);
        }
        String line = data.consumeRemainingAsString();
        HmpParser.Result r = HmpParser.parse("cmd", declared, line, 0);
        assertNotNull(r);
        if (r instanceof HmpParser.Parsed parsed) {
            Map<String, Object> values = parsed.values();
            for (String name : values.keySet()) {
                assertTrue(declared.stream().anyMatch(d -> d.name().equals(name)), name);
            }
            for (HmpParameter d : declared) {
                if (d.required() && d.kind() != HmpParameter.Kind.FLAG) {
                    assertTrue(values.containsKey(d.name()), () -> "required " + d.name() + " missing from " + values);
                }
            }
        } else {
            List<String> lines = ((HmpParser.Failed) r).lines();
            assertFalse(lines.isEmpty(), "a failure says why");
            lines.forEach(l -> assertFalse(l.contains("\n"), "one message per line"));
        }
        List<String> errors = new ArrayList<>();
        HmpParser.words(line, 64, errors);
    }
}

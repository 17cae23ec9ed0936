package org.qmon.karaf.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How shell words become one HMP line (the command itself is tested in Karaf: KarafFeaturesIT). */
class HmpActionTest {

    @Test
    void oneArgumentIsTheLineAsTyped() {
        assertEquals("info status", HmpAction.line(List.of("info status")));
    }

    @Test
    void wordsAreJoinedAndQuotedWhereNeeded() {
        assertEquals("info status", HmpAction.line(List.of("info", "status")));
        assertEquals("example_checksum \"a b\" \"say \\\"hi\\\"\" \"\"",
                HmpAction.line(List.of("example_checksum", "a b", "say \"hi\"", "")));
        assertEquals("x \"back\\\\slash\" \"two\\nlines\"", HmpAction.line(List.of("x", "back\\slash", "two\nlines")));
    }
}

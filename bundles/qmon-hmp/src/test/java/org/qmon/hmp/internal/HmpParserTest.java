package org.qmon.hmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.qmon.api.hmp.HmpParameter;

/** The typed parameter parser against QEMU's rules and texts (monitor/hmp.c, util/cutils.c). */
class HmpParserTest {

    private static Map<String, Object> ok(String line, HmpParameter... params) {
        HmpParser.Result r = HmpParser.parse("cmd", List.of(params), line, 0);
        if (r instanceof HmpParser.Failed f) {
            throw new AssertionError("failed: " + f.lines());
        }
        return ((HmpParser.Parsed) r).values();
    }

    private static List<String> fails(String line, HmpParameter... params) {
        HmpParser.Result r = HmpParser.parse("cmd", List.of(params), line, 0);
        if (r instanceof HmpParser.Parsed p) {
            throw new AssertionError("parsed: " + p.values());
        }
        return ((HmpParser.Failed) r).lines();
    }

    @Test
    void stringsAreWordsOrQuotedWithQemusEscapes() {
        assertEquals(Map.of("a", "x", "b", "y z\n\"\\'"), ok("  x  \"y z\\n\\\"\\\\\\'\" ",
                HmpParameter.string("a"), HmpParameter.string("b")));
        assertEquals("a\"b", ok("a\"b", HmpParameter.string("a")).get("a"), "a quote inside a word is kept");
        assertEquals("", ok("\"\"", HmpParameter.string("a")).get("a"));
    }

    @Test
    void missingAndBadlyQuotedStringsGiveQemusMessages() {
        assertEquals(List.of("cmd: string expected"), fails("", HmpParameter.string("a")));
        assertEquals(List.of("cmd: filename expected"), fails("   ", HmpParameter.filename("f")));
        assertEquals(List.of("unterminated string", "cmd: filename expected"), fails("\"abc", HmpParameter.filename("f")));
        assertEquals(List.of("unterminated string", "cmd: string expected"), fails("\"abc\\", HmpParameter.string("s")));
        assertEquals(List.of("unsupported escape code: '\\t'", "cmd: string expected"),
                fails("\"a\\tb\"", HmpParameter.string("s")));
    }

    @Test
    void aBlankEchoedInAMessageIsEscapedSoEveryMessageIsOneLine() {
        // human-monitor-command's command-line may hold a newline; found by HmpParserFuzzTest
        assertEquals(List.of("cmd: unsupported option -\\n"), fails("-\n", HmpParameter.flag("force", 'f')));
        assertEquals(List.of("cmd: value expected for -o"), fails("-o", HmpParameter.option("format", 'o')));
        assertEquals(List.of("invalid char '\\x01' in expression"), fails("\u0001", HmpParameter.integer("i")));
        assertEquals(List.of("unsupported escape code: '\\\\x01'", "cmd: string expected"),
                fails("\"\\\u0001\"", HmpParameter.string("s")));
    }

    @Test
    void optionalParametersMayBeLeftOut() {
        assertEquals(Map.of("f", "x.ppm"), ok("x.ppm", HmpParameter.filename("f"), HmpParameter.string("device").optional(),
                HmpParameter.integer("head").optional()));
        assertEquals(Map.of("f", "x.ppm", "device", "vga", "head", 1L), ok("x.ppm vga 1", HmpParameter.filename("f"),
                HmpParameter.string("device").optional(), HmpParameter.integer("head").optional()));
    }

    @Test
    void integersAreCExpressions() {
        HmpParameter n = HmpParameter.longInteger("n");
        assertEquals(14L, ok("2+3*4", n).get("n"));
        assertEquals(20L, ok("(2 + 3) * 4", n).get("n"));
        assertEquals(31L, ok("0x1f", n).get("n"));
        assertEquals(15L, ok("017", n).get("n"));
        assertEquals(65L, ok("'A'", n).get("n"));
        assertEquals(-1L, ok("-1", n).get("n"));
        assertEquals(~5L, ok("~5", n).get("n"));
        assertEquals(6L, ok("7 & 14", n).get("n"));
        assertEquals(1L, ok("7 % 3", n).get("n"));
        assertEquals(-1L, ok("18446744073709551615", n).get("n"), "wraps to 64 bits like strtoull");
    }

    @Test
    void badIntegersGiveQemusMessages() {
        HmpParameter i = HmpParameter.integer("index");
        assertEquals(List.of("invalid char 'a' in expression"), fails("abc", i));
        assertEquals(List.of("unexpected end of expression"), fails("", i));
        assertEquals(List.of("unexpected end of expression"), fails("1+", i));
        assertEquals(List.of("division by zero"), fails("1/0", i));
        assertEquals(List.of("')' expected"), fails("(1", i));
        assertEquals(List.of("number too large"), fails("18446744073709551616", i));
        assertEquals(List.of("'cmd' has failed: integer is for 32-bit values"), fails("99999999999", i));
        assertEquals(List.of("'cmd' has failed: integer is for 32-bit values"), fails("-1", i),
                "QEMU's 32-bit check refuses negative values too");
        assertEquals(List.of("unknown register"), fails("$pc", i));
        assertEquals(List.of("cmd: extraneous characters at the end of line"), fails("1x", i));
        assertEquals(4294967295L, ok("0xffffffff", i).get("index"));
    }

    @Test
    void sizesDefaultToMebibytesAndTakeSuffixes() {
        HmpParameter s = HmpParameter.size("size");
        assertEquals(1L << 20, ok("1", s).get("size"));
        assertEquals(512L, ok("512B", s).get("size"));
        assertEquals(2048L, ok("2k", s).get("size"));
        assertEquals(3L << 29, ok("1.5G", s).get("size"));
        assertEquals(16L << 20, ok("0x10", s).get("size"));
        assertEquals(List.of("invalid size"), fails("abc", s));
        assertEquals(List.of("invalid size"), fails("1.5B", s), "a fraction of a byte");
        assertEquals(List.of("invalid size"), fails("0x10K", s), "hexadecimal takes no suffix");
        assertEquals(List.of("invalid size"), fails("8E", s), "beyond 63 bits");
        assertEquals(List.of("cmd: extraneous characters at the end of line"), fails("1x", s));
    }

    @Test
    void flagsAreTakenWhereDeclared() {
        HmpParameter force = HmpParameter.flag("force", 'f');
        HmpParameter dev = HmpParameter.string("device");
        assertEquals(Map.of("force", true, "device", "d"), ok("-f d", force, dev));
        assertEquals(Map.of("device", "d"), ok("d", force, dev));
        assertEquals(List.of("cmd: unsupported option -x"), fails("-x d", force, dev));
        HmpParameter format = HmpParameter.option("format", 'f');
        assertEquals(Map.of("file", "a.png", "format", "png"), ok("a.png -f png", HmpParameter.filename("file"), format));
        assertEquals(List.of("cmd: value expected for -f"), fails("a.png -f", HmpParameter.filename("file"), format));
        // A flag that belongs to a later parameter leaves this one unset.
        assertEquals(Map.of("b", true), ok("-b", HmpParameter.flag("a", 'a'), HmpParameter.flag("b", 'b')));
    }

    @Test
    void restOfLineIsTakenAsTyped() {
        assertEquals(Map.of("cmd", "info   status \"x\" "), ok("  info   status \"x\" ", HmpParameter.rest("cmd")));
        assertEquals(Map.of(), ok("  ", HmpParameter.rest("cmd").optional()));
        assertEquals(List.of("cmd: string expected"), fails("", HmpParameter.rest("cmd")));
    }

    @Test
    void anythingLeftOverIsRefused() {
        assertEquals(List.of("cmd: extraneous characters at the end of line"), fails("x y", HmpParameter.string("a")));
        assertEquals(List.of("cmd: extraneous characters at the end of line"), fails("x"));
        assertEquals(Map.of(), ok(" \t "));
    }

    @Test
    void wordsSplitsLikeQemusParseCmdline() {
        List<String> errors = new java.util.ArrayList<>();
        assertEquals(List.of("info", "a b", "c"), HmpParser.words(" info \"a b\" c ", 16, errors));
        assertNull(HmpParser.words("\"x", 16, errors));
        assertEquals(List.of("unterminated string"), errors);
        assertNull(HmpParser.words("a b c", 2, new java.util.ArrayList<>()));
    }

    @Test
    void declarationsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new HmpParameter("f", HmpParameter.Kind.FLAG, false, (char) 0, "f"));
        assertThrows(IllegalArgumentException.class, () -> new HmpParameter("s", HmpParameter.Kind.STRING, true, 'x', "s"));
        assertThrows(IllegalArgumentException.class, () -> org.qmon.api.hmp.HmpDefinition.command("a b").calls("x").build());
        assertThrows(IllegalArgumentException.class, () -> org.qmon.api.hmp.HmpDefinition.command("a").build());
        assertThrows(IllegalArgumentException.class, () -> org.qmon.api.hmp.HmpDefinition.command("a").calls("x")
                .parameters(HmpParameter.rest("r"), HmpParameter.string("s")).build());
        assertEquals("filename [-f format] [device] [-v]", org.qmon.api.hmp.HmpDefinition.command("a").calls("x")
                .parameters(HmpParameter.filename("filename"), HmpParameter.option("format", 'f'),
                        HmpParameter.string("device").optional(), HmpParameter.flag("verbose", 'v')).build().params());
    }
}

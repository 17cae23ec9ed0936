package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.qmp.internal.json.StreamerTestSupport.all;
import static org.qmon.qmp.internal.json.StreamerTestSupport.raw;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * String decoding and re-encoding, ported from QEMU's tests/unit/check-qjson.c
 * (escaped_string, utf8_string). Inputs are raw byte strings: each char is one byte.
 */
class JsonStringsTest {

    private static final String INVALID_UTF8 = "JSON parse error, invalid UTF-8 sequence in string";
    private static final String INVALID_ESCAPE = "JSON parse error, invalid escape sequence in string";

    /** Parses {@code content} quoted with " (single=false) or ' and returns the one message. */
    private static JsonMessage parseQuoted(String content, boolean single) {
        char q = single ? '\'' : '"';
        List<JsonMessage> ms = all(raw(q + content + q));
        assertEquals(1, ms.size(), () -> "messages: " + ms);
        return ms.get(0);
    }

    /** The JSON string body the writer produces for {@code s}. */
    private static String unparse(String s) {
        String json = QmpJsonWriter.toJson(com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
        return json.substring(1, json.length() - 1);
    }

    static Stream<Arguments> escapedStrings() {
        // json_in, expected string, whether unparse(expected) == json_in
        return Stream.of(
                Arguments.of("\\b\\f\\n\\r\\t\\\\\\\"", "\b\f\n\r\t\\\"", true),
                Arguments.of("\\/\\'", "/'", false),
                Arguments.of("single byte utf-8 \\u0020", "single byte utf-8  ", false),
                Arguments.of("double byte utf-8 \\u00A2", "double byte utf-8 \u00a2", true),
                Arguments.of("triple byte utf-8 \\u20AC", "triple byte utf-8 \u20ac", true),
                Arguments.of("quadruple byte utf-8 \\uD834\\uDD1E", "quadruple byte utf-8 \ud834\udd1e", true),
                Arguments.of("\\u12345", "\u12345", false),
                Arguments.of("\\u0000x", "\u0000x", true),
                Arguments.of("\\uabcd", "\uabcd", false),
                Arguments.of("\\ud83d\\ude00", "\ud83d\ude00", false));
    }

    @ParameterizedTest
    @MethodSource("escapedStrings")
    void escapedString(String jsonIn, String expected, boolean roundTrip) {
        for (boolean single : new boolean[] {false, true}) {
            JsonMessage m = parseQuoted(jsonIn, single);
            assertFalse(m.isError(), m::error);
            assertEquals(expected, m.value().textValue());
        }
        if (roundTrip) {
            assertEquals(jsonIn, unparse(expected));
        }
    }

    static Stream<Arguments> badEscapes() {
        // json_in, error after "JSON parse error, " for "..." (%c stands for the quote)
        return Stream.of(
                Arguments.of("\\z", "invalid escape sequence in string"),
                Arguments.of("\\a", "invalid escape sequence in string"),
                Arguments.of("\\\u00c3\u00a9", "invalid escape sequence in string"),
                Arguments.of("\\ux", "\\ux%c is not a valid Unicode character"),
                Arguments.of("\\u1x", "\\u1x%c is not a valid Unicode character"),
                Arguments.of("\\u12x", "\\u12x%c is not a valid Unicode character"),
                Arguments.of("\\u123x", "\\u123x is not a valid Unicode character"),
                Arguments.of("\\u12", "\\u12%c is not a valid Unicode character"),
                Arguments.of("\\u", "\\u%c is not a valid Unicode character"),
                Arguments.of("unpaired leading surrogate \\uD800", "\\uD800 is not a valid Unicode character"),
                Arguments.of("unpaired leading surrogate \\uD800\\uCAFE", "\\uD800 is not a valid Unicode character"),
                Arguments.of("unpaired leading surrogate \\uD800\\uD801\\uDC02",
                        "\\uD800 is not a valid Unicode character"),
                Arguments.of("unpaired trailing surrogate \\uDC00", "\\uDC00 is not a valid Unicode character"),
                Arguments.of("backward surrogate pair \\uDC00\\uD800", "\\uDC00 is not a valid Unicode character"),
                Arguments.of("noncharacter U+FDD0 \\uFDD0", "\\uFDD0 is not a valid Unicode character"),
                Arguments.of("noncharacter U+FDEF \\uFDEF", "\\uFDEF is not a valid Unicode character"),
                Arguments.of("noncharacter U+FFFE \\uFFFE", "\\uFFFE is not a valid Unicode character"),
                Arguments.of("noncharacter U+1FFFE \\uD87F\\uDFFE",
                        "\\uD87F\\uDFFE is not a valid Unicode character"),
                Arguments.of("noncharacter U+10FFFF \\uDBFF\\uDFFF",
                        "\\uDBFF\\uDFFF is not a valid Unicode character"),
                Arguments.of("noncharacter U+10FFFF \\uDC3F\\uDFFF", "\\uDC3F is not a valid Unicode character"),
                Arguments.of("first error wins \\z \\uDC00", "invalid escape sequence in string"));
    }

    @ParameterizedTest
    @MethodSource("badEscapes")
    void badEscape(String jsonIn, String error) {
        for (boolean single : new boolean[] {false, true}) {
            JsonMessage m = parseQuoted(jsonIn, single);
            assertTrue(m.isError());
            assertEquals("JSON parse error, " + error.replace("%c", single ? "'" : "\""), m.error());
        }
    }

    @ParameterizedTest
    @MethodSource("utf8Strings")
    void utf8String(String jsonIn, String expected, String jsonOut) {
        for (boolean single : new boolean[] {false, true}) {
            JsonMessage m = parseQuoted(jsonIn, single);
            if (expected == null) {
                assertTrue(m.isError(), () -> "expected an error for " + jsonIn);
                assertEquals(INVALID_UTF8, m.error());
            } else {
                assertFalse(m.isError(), m::error);
                assertEquals(expected, m.value().textValue());
                assertEquals(jsonOut, unparse(expected));
                // parse the output right back
                assertEquals(expected, parseQuoted(jsonOut, single).value().textValue());
            }
        }
    }

    static Stream<Arguments> utf8Strings() {
        // check-qjson.c utf8_string; json_in as raw bytes, expected as Java string (null: error)
        return Stream.of(
                // 1  Some correct UTF-8 text
                Arguments.of("Falsches \u00c3\u009cben von Xylophonmusik qu\u00c3\u00a4lt"
                        + " jeden gr\u00c3\u00b6\u00c3\u009feren Zwerg.",
                        "Falsches \u00dcben von Xylophonmusik qu\u00e4lt jeden gr\u00f6\u00dferen Zwerg.",
                        "Falsches \\u00DCben von Xylophonmusik qu\\u00E4lt jeden gr\\u00F6\\u00DFeren Zwerg."),
                Arguments.of("\u00ce\u00ba\u00e1\u00bd\u00b9\u00cf\u0083\u00ce\u00bc\u00ce\u00b5",
                        "\u03ba\u1f79\u03c3\u03bc\u03b5", "\\u03BA\\u1F79\\u03C3\\u03BC\\u03B5"),
                Arguments.of("100%", "100%", "100%"),
                // 2.1  First possible sequence of a certain length
                Arguments.of(" ", " ", " "),
                Arguments.of("\u00c2\u0080", "\u0080", "\\u0080"),
                Arguments.of("\u00e0\u00a0\u0080", "\u0800", "\\u0800"),
                Arguments.of("\u00f0\u0090\u0080\u0080", "\ud800\udc00", "\\uD800\\uDC00"),
                Arguments.of("\u00f8\u0088\u0080\u0080\u0080", null, null),
                Arguments.of("\u00fc\u0084\u0080\u0080\u0080\u0080", null, null),
                // 2.2  Last possible sequence of a certain length
                Arguments.of("\u007f", "\u007f", "\\u007F"),
                Arguments.of("\u00df\u00bf", "\u07ff", "\\u07FF"),
                Arguments.of("\u00ef\u00bf\u00bc", "\ufffc", "\\uFFFC"),
                Arguments.of("\u00f7\u00bf\u00bf\u00bf", null, null),
                Arguments.of("\u00fb\u00bf\u00bf\u00bf\u00bf", null, null),
                Arguments.of("\u00fd\u00bf\u00bf\u00bf\u00bf\u00bf", null, null),
                // 2.3  Other boundary conditions
                Arguments.of("\u00ed\u009f\u00bf", "\ud7ff", "\\uD7FF"),
                Arguments.of("\u00ee\u0080\u0080", "\ue000", "\\uE000"),
                Arguments.of("\u00ef\u00bf\u00bd", "\ufffd", "\\uFFFD"),
                Arguments.of("\u00f4\u008f\u00bf\u00bd", "\udbff\udffd", "\\uDBFF\\uDFFD"),
                Arguments.of("\u00f4\u0090\u0080\u0080", null, null),
                // 3.1  Unexpected continuation bytes
                Arguments.of("\u0080", null, null),
                Arguments.of("\u00bf", null, null),
                Arguments.of("\u0080\u00bf\u0080\u00bf", null, null),
                // 3.2  Lonely start characters
                Arguments.of("\u00c0 ", null, null),
                Arguments.of("\u00e0 ", null, null),
                Arguments.of("\u00f0 ", null, null),
                Arguments.of("\u00f8 ", null, null),
                Arguments.of("\u00fc \u00fd ", null, null),
                // 3.3  Sequences with last continuation byte missing
                Arguments.of("\u00c0", null, null),
                Arguments.of("\u00e0\u0080", null, null),
                Arguments.of("\u00f0\u0080\u0080", null, null),
                Arguments.of("\u00df", null, null),
                Arguments.of("\u00ef\u00bf", null, null),
                Arguments.of("\u00f7\u00bf\u00bf", null, null),
                Arguments.of("\u00fd\u00bf\u00bf\u00bf\u00bf", null, null),
                // 4.1  Overlong '/'
                Arguments.of("\u00c0\u00af", null, null),
                Arguments.of("\u00e0\u0080\u00af", null, null),
                Arguments.of("\u00f0\u0080\u0080\u00af", null, null),
                Arguments.of("\u00f8\u0080\u0080\u0080\u00af", null, null),
                Arguments.of("\u00fc\u0080\u0080\u0080\u0080\u00af", null, null),
                // 4.2  Maximum overlong sequences
                Arguments.of("\u00c1\u00bf", null, null),
                Arguments.of("\u00e0\u009f\u00bf", null, null),
                Arguments.of("\u00f0\u008f\u00bf\u00bc", null, null),
                // 4.3  Overlong NUL: only C0 80 (modified UTF-8) is accepted
                Arguments.of("\u00c0\u0080", "\u0000", "\\u0000"),
                Arguments.of("\u00e0\u0080\u0080", null, null),
                Arguments.of("\u00f0\u0080\u0080\u0080", null, null),
                // 5.1  Single UTF-16 surrogates (CESU-8)
                Arguments.of("\u00ed\u00a0\u0080", null, null),
                Arguments.of("\u00ed\u00bf\u00bf", null, null),
                // 5.2  Paired UTF-16 surrogates
                Arguments.of("\u00ed\u00a0\u0080\u00ed\u00b0\u0080", null, null),
                // 5.3  Noncharacters
                Arguments.of("\u00ef\u00bf\u00be", null, null),
                Arguments.of("\u00ef\u00bf\u00bf", null, null),
                Arguments.of("\u00ef\u00b7\u0090", null, null),
                Arguments.of("\u00ef\u00b7\u00af", null, null),
                Arguments.of("\u00f0\u009f\u00bf\u00be", null, null),
                Arguments.of("\u00f4\u008f\u00bf\u00bf", null, null));
    }

    @ParameterizedTest
    @MethodSource("lexicallyInvalid")
    void bytesTheLexerRejects(String jsonIn, String stray) {
        // Control characters and 0xFE/0xFF never reach the string decoder (json-lexer.c).
        JsonMessage m = parseQuoted(jsonIn, false);
        assertEquals("JSON parse error, stray '" + stray + "'", m.error());
    }

    static Stream<Arguments> lexicallyInvalid() {
        return Stream.of(
                Arguments.of("a\u0001b", "\"a\u0001"),
                Arguments.of("\u001f", "\"\u001f"),
                Arguments.of("x\u00fe", "\"x\ufffd"),
                Arguments.of("\u00ffx", "\"\ufffd"),
                Arguments.of("\\\u0001", "\"\\\u0001"));
    }

    @ParameterizedTest
    @MethodSource("writerReplacements")
    void writerReplacesInvalidCodePoints(String in, String jsonOut) {
        // json-writer.c prints what mod_utf8_codepoint() rejects as \uFFFD
        assertEquals(jsonOut, unparse(in));
    }

    static Stream<Arguments> writerReplacements() {
        return Stream.of(
                Arguments.of("\ud800", "\\uFFFD"),
                Arguments.of("\udfff", "\\uFFFD"),
                Arguments.of("a\udc00\ud800b", "a\\uFFFD\\uFFFDb"),
                Arguments.of("\ufffe\uffff", "\\uFFFD\\uFFFD"),
                Arguments.of("\ufdd0\ufdef\ufdcf\ufdf0", "\\uFFFD\\uFFFD\\uFDCF\\uFDF0"),
                Arguments.of("\ud83f\udffe", "\\uFFFD"),
                Arguments.of("\udbff\udfff", "\\uFFFD"),
                Arguments.of("\ud83d\ude00", "\\uD83D\\uDE00"));
    }
}

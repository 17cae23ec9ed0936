package org.qmon.hmp.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.qmon.api.hmp.HmpParameter;

/**
 * Parses a command's arguments from the rest of a human line with QEMU's rules
 * ({@code monitor/hmp.c}: {@code monitor_parse_arguments}, {@code get_str}, {@code get_expr}; and
 * {@code qemu_strtosz_MiB}), driven by typed {@link HmpParameter} declarations instead of QEMU's
 * {@code args_type} strings, and re-entrant: all state is in the instance, one per parse, and errors
 * are returned as lines, never printed.
 *
 * <p>Where QEMU prints a quoting error to its own standard output instead of the monitor
 * ({@code unterminated string}, {@code unsupported escape code}), this parser returns it as a line, so
 * the person who typed the line sees it.
 */
final class HmpParser {

    /** The outcome of a parse: the values by parameter name, or the error lines. */
    sealed interface Result permits Parsed, Failed {
    }

    /**
     * The parsed values.
     *
     * @param values by parameter name; a {@link String}, a {@link Long} or {@link Boolean#TRUE}
     */
    record Parsed(Map<String, Object> values) implements Result {
    }

    /**
     * A parse error.
     *
     * @param lines the error lines, without line ends
     */
    record Failed(List<String> lines) implements Result {
    }

    /** Thrown inside the parser to unwind to {@link #parse}; carries nothing, the lines are in {@link #errors}. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure() {
            super(null, null, false, false);
        }
    }

    private final String command;
    private final String s;
    private int p;
    private final List<String> errors = new ArrayList<>(2);

    private HmpParser(String command, String line, int start) {
        this.command = command;
        this.s = line;
        this.p = start;
    }

    /**
     * Parses the arguments.
     *
     * @param command the command's name as QEMU shows it in errors ({@code stop|s}, or {@code status}
     *        for {@code info status})
     * @param parameters the declarations
     * @param line the whole line
     * @param start where the arguments begin
     * @return the values, or the error lines
     */
    static Result parse(String command, List<HmpParameter> parameters, String line, int start) {
        HmpParser parser = new HmpParser(command, line, start);
        try {
            return new Parsed(parser.arguments(parameters));
        } catch (Failure f) {
            return new Failed(List.copyOf(parser.errors));
        }
    }

    /**
     * QEMU's {@code parse_cmdline}: the line split into words (quoted strings unquoted).
     *
     * @param line the text
     * @param max the most words accepted
     * @param errors receives the quoting error, if any
     * @return the words, or {@code null} when there are more than {@code max} or a quoting error
     */
    static List<String> words(String line, int max, List<String> errors) {
        HmpParser parser = new HmpParser("", line, 0);
        List<String> out = new ArrayList<>();
        for (;;) {
            parser.skipSpaces();
            if (parser.atEnd()) {
                return out;
            }
            if (out.size() == max) {
                return null;
            }
            String w = parser.word();
            if (w == null) {
                errors.addAll(parser.errors);
                return null;
            }
            out.add(w);
        }
    }

    /** QEMU's {@code qemu_isspace}: blank, tab, newline, vertical tab, form feed, carriage return. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private char at(int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private boolean atEnd() {
        return p >= s.length();
    }

    private void skipSpaces() {
        while (p < s.length() && isSpace(s.charAt(p))) {
            p++;
        }
    }

    private Failure fail(String line) {
        errors.add(line);
        return new Failure();
    }

    private Map<String, Object> arguments(List<HmpParameter> parameters) throws Failure {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            HmpParameter param = parameters.get(i);
            switch (param.kind()) {
                case STRING, FILENAME -> {
                    skipSpaces();
                    if (!param.required() && atEnd()) {
                        break;
                    }
                    String v = word();
                    if (v == null) {
                        throw fail(command + (param.kind() == HmpParameter.Kind.FILENAME ? ": filename expected"
                                : ": string expected"));
                    }
                    values.put(param.name(), v);
                }
                case INTEGER, LONG -> {
                    skipSpaces();
                    if (!param.required() && atEnd()) {
                        break;
                    }
                    long v = expression();
                    if (param.kind() == HmpParameter.Kind.INTEGER && (v >>> 32) != 0) {
                        throw fail("'" + command + "' has failed: integer is for 32-bit values");
                    }
                    values.put(param.name(), v);
                }
                case SIZE -> {
                    skipSpaces();
                    if (!param.required() && atEnd()) {
                        break;
                    }
                    values.put(param.name(), size());
                }
                case FLAG, OPTION -> flag(param, parameters.subList(i + 1, parameters.size()), values);
                case REST -> {
                    skipSpaces();
                    if (!param.required() && atEnd()) {
                        break;
                    }
                    if (atEnd()) {
                        throw fail(command + ": string expected");
                    }
                    values.put(param.name(), s.substring(p));
                    p = s.length();
                }
                default -> throw new IllegalStateException("unknown kind " + param.kind());
            }
        }
        skipSpaces();
        if (!atEnd()) {
            throw fail(command + ": extraneous characters at the end of line");
        }
        return values;
    }

    /**
     * A flag at this place: {@code -x} sets it; a {@code -y} that belongs to a later flag leaves it unset
     * and the input untouched; any other letter is an error, as in QEMU.
     */
    private void flag(HmpParameter param, List<HmpParameter> later, Map<String, Object> values) throws Failure {
        skipSpaces();
        if (at(p) != '-') {
            return;
        }
        char letter = at(p + 1);
        if (letter != param.flag()) {
            if (later.stream().anyMatch(l -> l.flag() != 0 && l.flag() == letter)) {
                return;
            }
            throw fail(command + ": unsupported option -" + (letter == '\0' ? "" : shown(letter)));
        }
        p += 2;
        if (param.kind() == HmpParameter.Kind.FLAG) {
            values.put(param.name(), Boolean.TRUE);
            return;
        }
        skipSpaces();
        String v = word();
        if (v == null) {
            throw fail(command + ": value expected for -" + shown(letter));
        }
        values.put(param.name(), v);
    }

    /**
     * A character of the line as an error message shows it: itself, or a C escape for the blanks a line
     * may hold ({@code \\t}, {@code \\n}, ...), so that every message stays one line (QEMU prints the raw
     * character, which splits its message when the line came from {@code human-monitor-command}).
     */
    static String shown(char c) {
        return switch (c) {
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case 0x0b -> "\\v";
            case '\f' -> "\\f";
            default -> c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
        };
    }

    /**
     * QEMU's {@code get_str}: a word up to the next blank, or a double-quoted string with the escapes
     * {@code \n \r \\ \' \"}.
     *
     * @return the value, or {@code null} when there is none (end of line, or a quoting error already in
     *         {@link #errors})
     */
    private String word() {
        skipSpaces();
        if (atEnd()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        if (s.charAt(p) == '"') {
            p++;
            while (!atEnd() && s.charAt(p) != '"') {
                char c = s.charAt(p++);
                if (c == '\\') {
                    if (atEnd()) {
                        errors.add("unterminated string");
                        return null;
                    }
                    char e = s.charAt(p++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case '\\', '\'', '"' -> out.append(e);
                        default -> {
                            errors.add("unsupported escape code: '\\" + shown(e) + "'");
                            return null;
                        }
                    }
                } else {
                    out.append(c);
                }
            }
            if (atEnd()) {
                errors.add("unterminated string");
                return null;
            }
            p++;
            return out.toString();
        }
        while (!atEnd() && !isSpace(s.charAt(p))) {
            out.append(s.charAt(p++));
        }
        return out.toString();
    }

    // ---- integer expressions (QEMU's get_expr: C precedence of + - over & | ^ over * / %) ------------

    private long expression() throws Failure {
        skipSpaces();
        return sum();
    }

    /** QEMU's {@code next()}: steps over an operator and the blanks after it. */
    private void next() {
        if (!atEnd()) {
            p++;
            skipSpaces();
        }
    }

    private long sum() throws Failure {
        long v = logic();
        for (;;) {
            char op = at(p);
            if (op != '+' && op != '-') {
                return v;
            }
            next();
            long w = logic();
            v = op == '+' ? v + w : v - w;
        }
    }

    private long logic() throws Failure {
        long v = product();
        for (;;) {
            char op = at(p);
            if (op != '&' && op != '|' && op != '^') {
                return v;
            }
            next();
            long w = product();
            v = switch (op) {
                case '&' -> v & w;
                case '|' -> v | w;
                default -> v ^ w;
            };
        }
    }

    private long product() throws Failure {
        long v = unary();
        for (;;) {
            char op = at(p);
            if (op != '*' && op != '/' && op != '%') {
                return v;
            }
            next();
            long w = unary();
            if (op == '*') {
                v *= w;
            } else if (w == 0) {
                throw fail("division by zero");
            } else {
                v = op == '/' ? v / w : v % w;
            }
        }
    }

    private long unary() throws Failure {
        char c = at(p);
        switch (c) {
            case '+':
                next();
                return unary();
            case '-':
                next();
                return -unary();
            case '~':
                next();
                return ~unary();
            case '(': {
                next();
                long v = sum();
                if (at(p) != ')') {
                    throw fail("')' expected");
                }
                next();
                return v;
            }
            case '\'': {
                p++;
                if (atEnd()) {
                    throw fail("character constant expected");
                }
                long v = s.charAt(p++);
                if (at(p) != '\'') {
                    throw fail("missing terminating ' character");
                }
                next();
                return v;
            }
            case '$': {
                // Registers: qmon has no CPU whose registers an expression could read.
                p++;
                while (!atEnd() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_' || s.charAt(p) == '.')) {
                    p++;
                }
                throw fail("unknown register");
            }
            case '\0':
                if (atEnd()) {
                    throw fail("unexpected end of expression");
                }
                throw fail("invalid char '\0' in expression");
            default:
                return number();
        }
    }

    /** C's {@code strtoull(p, &end, 0)}: hexadecimal after 0x, octal after 0, else decimal; wraps to 64 bits. */
    private long number() throws Failure {
        int start = p;
        int radix = 10;
        int i = p;
        if (at(i) == '0' && (at(i + 1) == 'x' || at(i + 1) == 'X') && Character.digit(at(i + 2), 16) >= 0) {
            radix = 16;
            i += 2;
        } else if (at(i) == '0') {
            radix = 8;
        }
        int digits = i;
        while (i < s.length() && Character.digit(s.charAt(i), radix) >= 0 && s.charAt(i) < 0x80) {
            i++;
        }
        if (i == digits) {
            throw fail("invalid char '" + shown(s.charAt(start)) + "' in expression");
        }
        BigInteger v = new BigInteger(s.substring(digits, i), radix);
        if (v.bitLength() > 64) {
            throw fail("number too large");
        }
        p = i;
        skipSpaces();
        return v.longValue();
    }

    // ---- sizes (qemu_strtosz_MiB) --------------------------------------------------------------------

    private static final String SUFFIXES = "BKMGTPE";

    /**
     * A size: decimal (with an optional fraction) or 0x hexadecimal (no fraction, no suffix), then an
     * optional suffix {@code B K M G T P E} in either case; no suffix means MiB. Leaves {@link #p} after
     * what it used; the caller finds anything left.
     */
    private long size() throws Failure {
        int i = p;
        int intStart = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == intStart) {
            throw fail("invalid size");
        }
        BigInteger whole;
        java.math.BigDecimal fraction = java.math.BigDecimal.ZERO;
        if (i - intStart == 1 && s.charAt(intStart) == '0' && (at(i) == 'x' || at(i) == 'X')) {
            int h = i + 1;
            while (h < s.length() && Character.digit(s.charAt(h), 16) >= 0 && s.charAt(h) < 0x80) {
                h++;
            }
            if (h == i + 1 || at(h) == '.' || SUFFIXES.indexOf(Character.toUpperCase(at(h))) >= 0) {
                throw fail("invalid size");
            }
            whole = new BigInteger(s.substring(i + 1, h), 16);
            i = h;
        } else {
            whole = new BigInteger(s.substring(intStart, i));
            if (at(i) == '.') {
                int f = i + 1;
                while (f < s.length() && s.charAt(f) >= '0' && s.charAt(f) <= '9') {
                    f++;
                }
                fraction = new java.math.BigDecimal("0." + (f == i + 1 ? "0" : s.substring(i + 1, f)));
                i = f;
            }
        }
        int suffix = i < s.length() ? SUFFIXES.indexOf(Character.toUpperCase(s.charAt(i))) : -1;
        if (suffix >= 0) {
            i++;
        } else {
            suffix = 2; // MiB
        }
        if (suffix == 0 && fraction.signum() != 0) {
            throw fail("invalid size"); // a fraction of a byte
        }
        BigInteger unit = BigInteger.ONE.shiftLeft(10 * suffix);
        java.math.BigDecimal value = new java.math.BigDecimal(whole).add(fraction).multiply(new java.math.BigDecimal(unit));
        BigInteger bytes = value.setScale(0, java.math.RoundingMode.FLOOR).toBigInteger();
        if (bytes.bitLength() > 63) {
            throw fail("invalid size");
        }
        p = i;
        return bytes.longValue();
    }
}

package org.qmon.api.hmp;

import java.util.Objects;

/**
 * One typed parameter of an HMP command: QEMU's {@code args_type} kinds as a declaration instead of a
 * string mini-language. What a person types keeps QEMU's syntax: words separated by blanks, strings in
 * double quotes with the escapes {@code \n \r \\ \' \"}, integers as C-style numbers or expressions
 * ({@code 0x10}, {@code 4*1024}), sizes with an optional suffix, flags as {@code -f}.
 *
 * <p>Parameters are parsed in declaration order. A parsed value is a {@link String}, a {@link Long} or
 * {@link Boolean#TRUE}; an optional parameter that was not typed has no value. Unless a definition maps
 * the arguments itself ({@link HmpDefinition.Builder#arguments}), each value becomes the QMP argument
 * named {@link #argument()}.
 *
 * @param name the parameter's name: the key of its parsed value, shown in error messages
 * @param kind how it is parsed
 * @param required whether it must be typed (flags never must)
 * @param flag the flag letter of a {@link Kind#FLAG} or {@link Kind#OPTION} ({@code 'f'} for {@code -f}),
 *        {@code 0} otherwise
 * @param argument the QMP argument its value becomes; {@code null} when it is not passed on
 */
public record HmpParameter(String name, Kind kind, boolean required, char flag, String argument) {

    /** How a parameter is parsed (QEMU's {@code args_type} letter in brackets). */
    public enum Kind {
        /** A word, or a double-quoted string with escapes [{@code s}]; missing: "{@code cmd: string expected}". */
        STRING,
        /** A file name, parsed like a string [{@code F}]; missing: "{@code cmd: filename expected}". */
        FILENAME,
        /**
         * A 32-bit integer expression [{@code i}]: C-style numbers ({@code 12}, {@code 0x1f}, {@code 017}),
         * {@code + - * / % & | ^ ~ ( )} and character constants; a value beyond 32 bits is refused with
         * "{@code 'cmd' has failed: integer is for 32-bit values}".
         */
        INTEGER,
        /** A 64-bit integer expression [{@code l}], the same syntax as {@link #INTEGER}. */
        LONG,
        /**
         * A size in bytes [{@code o}]: a number with an optional fraction and suffix {@code B K M G T P E}
         * (powers of 1024); without a suffix the number is in MiB, as in QEMU; otherwise "{@code invalid size}".
         */
        SIZE,
        /** A boolean flag [{@code -x}]: {@code true} when {@code -x} is typed at its place, absent otherwise. */
        FLAG,
        /** A flag with a string value [{@code -xs}], e.g. {@code -f png}; missing value: "{@code cmd: value expected for -f}". */
        OPTION,
        /** The rest of the line, as typed [{@code S}]; missing: "{@code cmd: string expected}". */
        REST
    }

    /**
     * Checks the declaration.
     *
     * @param name the name
     * @param kind the kind
     * @param required whether required
     * @param flag the flag letter
     * @param argument the QMP argument or {@code null}
     */
    public HmpParameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        boolean flagged = kind == Kind.FLAG || kind == Kind.OPTION;
        if (flagged != (flag != 0)) {
            throw new IllegalArgumentException(flagged ? "a flag needs its letter" : "only flags have a letter");
        }
        if (flagged && !Character.isLetterOrDigit(flag)) {
            throw new IllegalArgumentException("a flag letter must be a letter or a digit, not '" + flag + "'");
        }
        required = required && !flagged;
    }

    /**
     * A string word or quoted string.
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter string(String name) {
        return new HmpParameter(name, Kind.STRING, true, (char) 0, name);
    }

    /**
     * A file name.
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter filename(String name) {
        return new HmpParameter(name, Kind.FILENAME, true, (char) 0, name);
    }

    /**
     * A 32-bit integer expression.
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter integer(String name) {
        return new HmpParameter(name, Kind.INTEGER, true, (char) 0, name);
    }

    /**
     * A 64-bit integer expression.
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter longInteger(String name) {
        return new HmpParameter(name, Kind.LONG, true, (char) 0, name);
    }

    /**
     * A size (bytes; MiB without a suffix).
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter size(String name) {
        return new HmpParameter(name, Kind.SIZE, true, (char) 0, name);
    }

    /**
     * A boolean flag {@code -letter}.
     *
     * @param name the name, also the QMP argument
     * @param letter the flag letter
     * @return the parameter (flags are optional)
     */
    public static HmpParameter flag(String name, char letter) {
        return new HmpParameter(name, Kind.FLAG, false, letter, name);
    }

    /**
     * A flag with a string value, {@code -letter value}.
     *
     * @param name the name, also the QMP argument
     * @param letter the flag letter
     * @return the parameter (flags are optional)
     */
    public static HmpParameter option(String name, char letter) {
        return new HmpParameter(name, Kind.OPTION, false, letter, name);
    }

    /**
     * The rest of the line.
     *
     * @param name the name, also the QMP argument
     * @return the parameter, required
     */
    public static HmpParameter rest(String name) {
        return new HmpParameter(name, Kind.REST, true, (char) 0, name);
    }

    /**
     * This parameter, optional.
     *
     * @return a copy that may be left out
     */
    public HmpParameter optional() {
        return new HmpParameter(name, kind, false, flag, argument);
    }

    /**
     * This parameter, passed to the QMP command under another name.
     *
     * @param qmpArgument the QMP argument's name, or {@code null} to keep the value for the formatter only
     * @return a copy
     */
    public HmpParameter argument(String qmpArgument) {
        return new HmpParameter(name, kind, required, flag, qmpArgument);
    }
}

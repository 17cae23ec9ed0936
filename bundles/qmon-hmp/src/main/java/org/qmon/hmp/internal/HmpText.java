package org.qmon.hmp.internal;

/**
 * The limits and checks every human monitor applies to a line before it is run, and the line ends of
 * its output. One place, so that the socket, the shell and {@code human-monitor-command} agree.
 */
final class HmpText {

    /**
     * The longest line accepted, in bytes of UTF-8, on every route: the socket, the shell and
     * {@code human-monitor-command} (QEMU's readline buffer is 4096 bytes too, but it silently truncates
     * and runs what is left; qmon refuses the line).
     */
    static final int MAX_LINE = 4096;

    /** The prompt, QEMU's, so that expect-style scripts work unchanged. */
    static final String PROMPT = "(qemu) ";

    /** The message for a line over {@link #MAX_LINE}. */
    static final String TOO_LONG = "line too long (over " + MAX_LINE + " bytes): ignored";

    /** The message for a line that is not UTF-8. */
    static final String NOT_UTF8 = "invalid UTF-8 in line: ignored";

    private HmpText() {
    }

    /**
     * Checks a line's characters: blanks (QEMU's {@code isspace}) are allowed, other control
     * characters (NUL, escape sequences of cursor keys, DEL) are refused, since no command takes them
     * and a terminal that sends them expects line editing qmon does not do.
     *
     * @param line the decoded line
     * @return the error message, or {@code null} when the line may run
     */
    static String check(String line) {
        // A char is at most 3 bytes of UTF-8 (a surrogate pair, two chars, is 4): count only when it matters.
        if (line.length() > MAX_LINE || (line.length() > MAX_LINE / 3 && utf8Length(line) > MAX_LINE)) {
            return TOO_LONG;
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && !HmpParser.isSpace(c)) || c == 0x7f) {
                return String.format("control character 0x%02X in line: ignored", (int) c);
            }
        }
        return null;
    }

    /** The length of a string in UTF-8, without encoding it (a lone surrogate counts 3). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * The output with CRLF line ends, as QEMU's monitor writes every {@code \n}.
     *
     * @param text output with {@code \n} line ends
     * @return the same with {@code \r\n}
     */
    static String crlf(String text) {
        return text.indexOf('\n') < 0 ? text : text.replace("\n", "\r\n");
    }
}

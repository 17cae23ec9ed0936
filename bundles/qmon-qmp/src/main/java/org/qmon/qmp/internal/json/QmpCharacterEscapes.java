package org.qmon.qmp.internal.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;

/**
 * Jackson escapes matching json-writer.c {@code quoted_str()} for ASCII: the standard JSON
 * escapes ({@code \" \\ \b \f \n \r \t}, {@code \}{@code u00XX} for other control characters; no
 * escape for {@code /}) plus DEL (0x7F) as {@code \}{@code u007F}. Characters above 0x7F are
 * escaped by the generator's highest-non-escaped-char setting.
 */
final class QmpCharacterEscapes extends CharacterEscapes {

    private static final long serialVersionUID = 1L;

    static final QmpCharacterEscapes INSTANCE = new QmpCharacterEscapes();

    private static final int[] ASCII_ESCAPES = asciiEscapes();

    private QmpCharacterEscapes() {
    }

    private static int[] asciiEscapes() {
        int[] escapes = CharacterEscapes.standardAsciiEscapesForJSON();
        escapes[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
        return escapes;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ASCII_ESCAPES;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return null; // no custom sequences
    }
}

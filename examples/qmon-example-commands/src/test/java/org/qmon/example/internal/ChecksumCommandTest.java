package org.qmon.example.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;
import org.qmon.example.internal.ChecksumCommand.Algorithm;
import org.qmon.example.internal.ChecksumCommand.Arguments;
import org.qmon.example.internal.ChecksumCommand.Result;

/** The synchronous command alone: its results, its error, and its human form's formatting. */
class ChecksumCommandTest {

    private final ChecksumCommand command = new ChecksumCommand();

    @Test
    void crc32IsTheDefault() throws CommandException {
        Result r = command.execute(new Arguments("hello", Optional.empty()), TestContext.QMP);
        assertEquals(new Result(Algorithm.CRC32, 0x3610a686L, 5), r);
    }

    @Test
    void adler32WhenAskedAndUtf8Bytes() throws CommandException {
        Result r = command.execute(new Arguments("h\u00e9", Optional.of(Algorithm.ADLER32)), TestContext.QMP);
        // 'h' = 0x68, 'é' = 0xc3 0xa9: a = 1 + 0x68 + 0xc3 + 0xa9, b = the running sums of a.
        long a = 1 + 0x68 + 0xc3 + 0xa9;
        long b = (1 + 0x68) + (1 + 0x68 + 0xc3) + a;
        assertEquals(new Result(Algorithm.ADLER32, (b << 16) | a, 3), r);
    }

    @Test
    void emptyDataIsAGenericError() {
        CommandException e = assertThrows(CommandException.class,
                () -> command.execute(new Arguments("", Optional.empty()), TestContext.QMP));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("Parameter 'data' expects a non-empty string", e.description());
    }

    @Test
    void humanFormShowsHex() {
        assertEquals("crc32 0x3610a686 (5 bytes)",
                ChecksumHmp.format(Map.of("algorithm", "crc32", "value", 907060870L, "length", 5), Map.of()));
    }
}

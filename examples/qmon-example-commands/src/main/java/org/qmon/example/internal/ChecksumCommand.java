package org.qmon.example.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Checksum;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code example-checksum}: the CRC-32 or Adler-32 checksum of a text's UTF-8 bytes. A synchronous
 * command: it computes its answer at once and returns it.
 *
 * <pre>
 * -&gt; {"execute": "example-checksum", "arguments": {"data": "hello"}}
 * &lt;- {"return": {"algorithm": "crc32", "value": 907060870, "length": 5}}
 * </pre>
 *
 * <p>{@code nonBlocking}: it never waits for anything and a checksum over the largest request QMP
 * accepts takes about a millisecond, so it may run on the I/O thread that read the request.
 */
@Component(service = Command.class)
@QmpCommand(name = "example-checksum", nonBlocking = true,
        description = "The CRC-32 (default) or Adler-32 checksum of a text's UTF-8 bytes.")
public final class ChecksumCommand implements Command<ChecksumCommand.Arguments, ChecksumCommand.Result> {

    /** The checksum algorithms; their wire names are the {@link JsonProperty} values. */
    public enum Algorithm {
        /** CRC-32 (ISO 3309, as zip and PNG use it). */
        @JsonProperty("crc32") CRC32,
        /** Adler-32 (as zlib uses it). */
        @JsonProperty("adler32") ADLER32
    }

    /**
     * The arguments: {@code data} is required, {@code algorithm} is optional (an {@link Optional}).
     *
     * @param data the text, not empty
     * @param algorithm the algorithm, CRC-32 when absent
     */
    public record Arguments(String data, Optional<Algorithm> algorithm) {
    }

    /**
     * The result.
     *
     * @param algorithm the algorithm used
     * @param value the checksum, an unsigned 32-bit value
     * @param length the number of bytes summed
     */
    public record Result(Algorithm algorithm, long value, int length) {
    }

    @Override
    public Result execute(Arguments arguments, CommandContext context) throws CommandException {
        if (arguments.data().isEmpty()) {
            // QEMU's text for a parameter with a wrong value (QERR_INVALID_PARAMETER_VALUE).
            throw CommandException.generic("Parameter 'data' expects a non-empty string");
        }
        Algorithm algorithm = arguments.algorithm().orElse(Algorithm.CRC32);
        Checksum sum = algorithm == Algorithm.CRC32 ? new CRC32() : new Adler32();
        byte[] bytes = arguments.data().getBytes(StandardCharsets.UTF_8);
        sum.update(bytes, 0, bytes.length);
        return new Result(algorithm, sum.getValue(), bytes.length);
    }
}

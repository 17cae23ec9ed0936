package org.qmon.dispatcher.internal;

import java.util.Map;
import java.util.Optional;


import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.qmon.api.CommandException;
import org.qmon.api.NoArguments;
import org.qmon.bench.QmonBenchmark;
import org.qmon.bench.Requests;

/**
 * Strict argument binding: {@link TypeModel} turning a request's {@code arguments} object into
 * the handler's argument record, with QEMU's checks (missing, wrong type, out of range, unknown enum
 * value, unexpected member).
 *
 * <p>Why it matters: the dispatcher binds the arguments of every request before its handler runs,
 * on the session's worker (or on the I/O thread for out-of-band requests), so this is a fixed cost
 * of every command that takes arguments, and of every command that takes none (binding
 * {@link NoArguments} still checks that nothing unexpected was sent).
 *
 * <p>The binder's per-type plan is built in the set-up (as at registration, {@code check(type)}),
 * so the measurement is the steady state: walk the members, convert, construct the record.
 */
public class TypeModelBenchmark extends QmonBenchmark {

    /** An enum argument, matched by name as QEMU's enums are. */
    public enum Format { ppm, png }

    /**
     * A typical argument record (shaped like QEMU's {@code screendump}): a string, an integer, an
     * optional boolean and an enum.
     *
     * @param device the device id
     * @param head the head number
     * @param verbose an optional flag
     * @param format the image format
     */
    public record Args(String device, int head, Optional<Boolean> verbose, Format format) {
    }

    private final TypeModel binder = new TypeModel();
    private Map<String, Object> arguments;

    /** Parses the arguments once, builds the binder's plans and checks the bound result. */
    @Setup
    public void setUp() throws CommandException {
        // Parsed as the QMP frontend parses a request: the arguments are a member of the request.
        // Parsed as the QMP frontend parses a request, and handed over in the dispatcher's neutral form.
        arguments = Requests.arguments("{\"execute\": \"screendump\", \"arguments\": "
                + "{\"device\": \"video0\", \"head\": 1, \"verbose\": true, \"format\": \"png\"}, \"id\": 12345}");
        binder.check(Args.class);
        binder.check(NoArguments.class);
        Args expected = new Args("video0", 1, Optional.of(true), Format.png);
        if (!expected.equals(bindRecord()) || !(bindNoArguments() instanceof NoArguments)) {
            throw new IllegalStateException("binding gave an unexpected result");
        }
    }

    /** {@code {"device": "video0", "head": 1, "verbose": true, "format": "png"}} to {@link Args}. */
    @Benchmark
    public Object bindRecord() throws CommandException {
        return binder.bind(Args.class, arguments);
    }

    /** A request without {@code arguments} (e.g. {@code query-status}) to {@link NoArguments}. */
    @Benchmark
    public Object bindNoArguments() throws CommandException {
        return binder.bind(NoArguments.class, null);
    }
}

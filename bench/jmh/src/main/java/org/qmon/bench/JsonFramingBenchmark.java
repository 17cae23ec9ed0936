package org.qmon.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;

/**
 * JSON framing and parsing of incoming QMP requests: the QEMU-compatible
 * {@link JsonStreamer} (lexer, streamer and parser) turning the bytes read from a socket into one
 * {@link JsonMessage} per request.
 *
 * <p>Why it matters: every byte a client sends goes through this on the listener's single I/O
 * (selector) thread, before anything is handed to a worker. Its cost per request bounds how many
 * requests one listener can read per second, for all of its clients together.
 *
 * <p>Each invocation does what {@code QmpConnection.process()} does with a freshly read buffer: call
 * {@code streamer.next(readBuffer)} until it returns {@code null} (which also consumes the trailing
 * newline). The buffer is a heap {@link ByteBuffer}, like the connection's read buffer; rewinding it
 * is the only set-up inside the measured method.
 */
public class JsonFramingBenchmark extends QmonBenchmark {

    /** A typical request, as QMP clients send it. */
    static final String REQUEST = "{\"execute\":\"query-status\",\"id\":12345}\n";

    /** Requests in the pipelined buffer (what {@code qmp-load -d 16} keeps in flight). */
    static final int PIPELINED = 16;

    private final JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);
    private ByteBuffer one;
    private ByteBuffer sixteen;

    /** Fills the buffers and checks once that the streamer frames them as expected. */
    @Setup
    public void setUp() {
        one = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
        sixteen = ByteBuffer.wrap(REQUEST.repeat(PIPELINED).getBytes(StandardCharsets.US_ASCII));
        check(one, 1);
        check(sixteen, PIPELINED);
    }

    private void check(ByteBuffer buf, int expected) {
        buf.rewind();
        int n = 0;
        JsonMessage m;
        while ((m = streamer.next(buf)) != null) {
            JsonNode v = m.value();
            if (m.isError() || !"query-status".equals(v.path("execute").textValue())
                    || v.path("id").intValue() != 12345) {
                throw new IllegalStateException("unexpected message " + m);
            }
            n++;
        }
        if (n != expected || buf.hasRemaining()) {
            throw new IllegalStateException("framed " + n + " messages, expected " + expected);
        }
    }

    /** One request in one read: frame, parse, and find that no further message is buffered. */
    @Benchmark
    public void oneRequest(Blackhole bh) {
        ByteBuffer buf = one;
        buf.rewind();
        JsonMessage m;
        while ((m = streamer.next(buf)) != null) {
            bh.consume(m);
        }
    }

    /** Sixteen pipelined requests in one read; the score is per request. */
    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public void sixteenPipelinedRequests(Blackhole bh) {
        ByteBuffer buf = sixteen;
        buf.rewind();
        JsonMessage m;
        while ((m = streamer.next(buf)) != null) {
            bh.consume(m);
        }
    }
}

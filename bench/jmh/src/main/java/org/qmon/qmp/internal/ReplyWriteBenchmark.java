package org.qmon.qmp.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.qmon.api.runtime.Reply;
import org.qmon.bench.QmonBenchmark;
import org.qmon.bench.Requests;
import org.qmon.qmp.internal.json.QmpJsonWriter;

/**
 * Reply serialisation: a command's {@link Reply} and the request's {@code id} turned into the bytes
 * of one QMP line, {@code {"return": {...}, "id": 12345}\r\n}, in QEMU's exact output format.
 *
 * <p>Why it matters: every request is answered with one such line, serialised on the thread that
 * completes the command (a dispatcher worker, or the I/O thread for out-of-band requests and
 * envelope errors) just before it is written to the socket.
 *
 * <p>{@link #replyStatus} and {@link #replyEmpty} call {@code QmpOutput.reply(...)}, the method
 * the QMP connection calls (a Jackson generator wrapped for QEMU's format, the result record
 * serialised by the runtime's {@code ObjectMapper}). {@link #treeWriterStatus} writes the same
 * line from a {@link JsonNode} tree with the hand-written {@link QmpJsonWriter}, which is not on
 * the reply path today: it is here as the yardstick for the Jackson path.
 */
public class ReplyWriteBenchmark extends QmonBenchmark {

    /** The expected {@code query-status} reply, as qmon (and QEMU 7.2) write it. */
    static final String STATUS_LINE =
            "{\"return\": {\"running\": true, \"singlestep\": false, \"status\": \"running\"}, \"id\": 12345}\r\n";

    /** The expected reply of a command without result ({@code qmp_capabilities}, {@code stop}, ...). */
    static final String EMPTY_LINE = "{\"return\": {}, \"id\": 12345}\r\n";

    /** The run state, serialised by its {@link JsonProperty} name like qmon-core's {@code RunState}. */
    public enum RunState {
        /** The machine runs. */
        @JsonProperty("running") RUNNING,
        /** The machine is paused. */
        @JsonProperty("paused") PAUSED
    }

    /**
     * The shape of qmon-core's {@code QueryStatus.StatusInfo} (QEMU's {@code StatusInfo}).
     *
     * @param running whether the machine runs
     * @param singlestep always false
     * @param status the run state
     */
    public record StatusInfo(boolean running, boolean singlestep, RunState status) {
    }

    private QmpOutput output;
    private Reply status;
    private Reply empty;
    private JsonNode id;
    private ObjectNode statusTree;

    /** Builds the runtime (without OSGi) and the inputs, and checks the output bytes once. */
    @Setup
    public void setUp() {
        output = new QmpOutput();
        status = Reply.success(new StatusInfo(true, false, RunState.RUNNING));
        empty = Reply.success(null);
        // The id as the QMP frontend sees it: a member of the parsed request.
        id = Requests.parse("{\"execute\": \"query-status\", \"id\": 12345}").get("id");
        statusTree = Requests.parse(STATUS_LINE.trim());
        expect(STATUS_LINE, replyStatus());
        expect(EMPTY_LINE, replyEmpty());
        expect(STATUS_LINE, treeWriterStatus());
    }

    private static void expect(String expected, byte[] actual) {
        String s = new String(actual, StandardCharsets.US_ASCII);
        if (!expected.equals(s)) {
            throw new IllegalStateException("wrote " + s + ", expected " + expected);
        }
    }

    /** {@code query-status}'s reply: a result record through {@code QmpOutput.reply}. */
    @Benchmark
    public byte[] replyStatus() {
        return output.reply(status, id);
    }

    /** {@code {"return": {}, "id": 12345}}: the reply of commands without a result. */
    @Benchmark
    public byte[] replyEmpty() {
        return output.reply(empty, id);
    }

    /** The same line as {@link #replyStatus} from a JSON tree with {@link QmpJsonWriter#writeLine}. */
    @Benchmark
    public byte[] treeWriterStatus() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        QmpJsonWriter.writeLine(statusTree, out);
        return out.toByteArray();
    }
}

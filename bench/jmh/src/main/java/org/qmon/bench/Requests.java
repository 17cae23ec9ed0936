package org.qmon.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;

/**
 * Benchmark inputs parsed the way the QMP frontend parses them (qmon's own {@link JsonStreamer},
 * not a Jackson {@code ObjectMapper}), so that the node types are those of a real request.
 */
public final class Requests {

    private Requests() {
    }

    /**
     * Parses one JSON object.
     *
     * @param json the text of exactly one JSON object
     * @return the parsed object
     * @throws IllegalArgumentException if the text is not one JSON object
     */
    public static ObjectNode parse(String json) {
        ByteBuffer buf = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        JsonMessage m = new JsonStreamer(JsonLimits.QEMU).next(buf);
        if (m == null || m.isError() || !(m.value() instanceof ObjectNode o)) {
            throw new IllegalArgumentException("not one JSON object: " + json + " (" + m + ")");
        }
        return o;
    }

    /**
     * Parses a request and returns its {@code arguments} in the dispatcher's neutral form, as the QMP
     * frontend submits them.
     *
     * @param json the text of a request with an {@code arguments} object
     * @return the arguments
     */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> arguments(String json) {
        return (java.util.Map<String, Object>) org.qmon.qmp.internal.QmpBench.toNeutral(parse(json).get("arguments"));
    }
}

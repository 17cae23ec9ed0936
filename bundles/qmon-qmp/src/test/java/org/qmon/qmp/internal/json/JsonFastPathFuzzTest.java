package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the fast path against the full lexer, streamer and parser: any
 * bytes, in any split into reads, give the same messages with and without it, node types and member
 * order included. The input layout is that of {@code QmpFuzzTest#framing} (read sizes first, then the
 * bytes), whose corpus seeds this one. Without {@code JAZZER_FUZZ=1} the committed corpus runs as
 * regression tests.
 */
class JsonFastPathFuzzTest {

    @FuzzTest(maxExecutions = 10_000_000L, maxDuration = "4h")
    void fastPathAgreesWithTheFullPath(FuzzedDataProvider data) {
        int n = data.consumeInt(1, 8);
        int[] sizes = new int[n - 1];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(0, 4096);
        }
        byte[] all = data.consumeRemainingAsBytes();
        assertEquals(run(false, all, sizes), run(true, all, sizes));
    }

    private static List<String> run(boolean fastPath, byte[] all, int[] sizes) {
        return StreamerTestSupport.exactMessages(new JsonStreamer(JsonLimits.QEMU, fastPath), all,
                k -> k < sizes.length ? sizes[k] : Integer.MAX_VALUE);
    }
}

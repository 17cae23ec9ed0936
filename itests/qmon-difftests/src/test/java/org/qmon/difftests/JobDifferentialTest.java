package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qmon.difftests.DiffHarness.assertSameReplies;
import static org.qmon.difftests.DiffHarness.assumeQemuInstalled;
import static org.qmon.difftests.DiffHarness.exchange;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qmon.difftests.DiffHarness.RawConnection.Encoding;
import org.qmon.difftests.DiffHarness.WorkingDirectory;

/**
 * Differential conformance of the job commands: the same bytes to QEMU 7.2 ({@code -machine none},
 * which has no jobs) and to the qmon distribution, with no job running; the same replies expected
 * (QEMU's {@code Job not found}, its argument errors, and an empty {@code query-jobs}).
 */
class JobDifferentialTest {

    @TempDir
    static Path dir;
    private static DiffHarness processes;
    private static Path qemuSocket;
    private static Path qmonSocket;

    @BeforeAll
    static void start() throws Exception {
        assumeQemuInstalled();
        qemuSocket = dir.resolve("qemu.sock");
        qmonSocket = dir.resolve("qmon.sock");
        processes = DiffHarness.startWithQmp(dir, WorkingDirectory.TEST_DIR, Encoding.TEXT, qemuSocket, qmonSocket,
                "-machine", "none", "-nodefaults", "-display", "none");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (processes != null) {
            processes.stop();
        }
    }

    private static void assertSame(String request) throws IOException {
        assertSameReplies(qemuSocket, qmonSocket, request);
    }

    static Stream<Arguments> unknownJobRows() {
        List<Arguments> rows = new ArrayList<>();
        for (String verb : List.of("job-pause", "job-resume", "job-cancel", "job-complete", "job-dismiss", "job-finalize")) {
            rows.add(Arguments.of(verb + " on an unknown id",
                    "{\"execute\": \"" + verb + "\", \"arguments\": {\"id\": \"nope\"}, \"id\": 1}"));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownJobRows")
    void unknownJobErrorsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
        assertEquals("{\"class\":\"GenericError\",\"desc\":\"Job not found\"}",
                exchange(qmonSocket, request).get(0).get("error").toString());
    }

    static Stream<Arguments> argumentRows() {
        return Stream.of(
                Arguments.of("job-cancel without id", "{\"execute\": \"job-cancel\", \"arguments\": {}}"),
                Arguments.of("job-cancel without arguments", "{\"execute\": \"job-cancel\"}"),
                Arguments.of("job-pause id not a string", "{\"execute\": \"job-pause\", \"arguments\": {\"id\": 5}}"),
                Arguments.of("job-dismiss unexpected argument",
                        "{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"nope\", \"force\": true}}"),
                Arguments.of("job-finalize empty id", "{\"execute\": \"job-finalize\", \"arguments\": {\"id\": \"\"}}"),
                Arguments.of("query-jobs with an argument", "{\"execute\": \"query-jobs\", \"arguments\": {\"x\": 1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("argumentRows")
    void argumentErrorsMatchQemu(String what, String request) throws IOException {
        assertSame(request);
    }

    @Test
    void queryJobsIsEmptyOnBoth() throws IOException {
        String q = "{\"execute\": \"query-jobs\", \"id\": \"q\"}";
        assertSame(q);
        assertEquals("[]", exchange(qmonSocket, q).get(0).get("return").toString());
    }
}

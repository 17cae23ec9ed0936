package org.qmon.difftests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.difftests.DiffHarness.WAIT_MS;
import static org.qmon.difftests.DiffHarness.assumeQemuInstalled;
import static org.qmon.difftests.DiffHarness.awaitSocket;
import static org.qmon.difftests.DiffHarness.exchange;
import static org.qmon.difftests.DiffHarness.unixServer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.difftests.DiffHarness.WorkingDirectory;

/**
 * Differential tests of the human monitor: the same lines to QEMU 7.2's {@code -monitor} socket and
 * {@code human-monitor-command}, and to qmon's, for what both have (banner shape, {@code info status},
 * {@code stop}/{@code cont}, {@code help} lines, unknown commands, usage errors).
 *
 * <p>What legitimately differs is normalised, and only that: QEMU's readline echoes each typed line
 * (with cursor-redraw escape sequences) and ends it with CRLF before the output; qmon does not echo
 * (the client's terminal does), so QEMU's answer is compared from after that first CRLF. The banner
 * names the program and its version.
 */
class HmpDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "(qemu) ";

    @TempDir
    static Path dir;
    private static DiffHarness processes;
    private static Monitor qemuHmp;
    private static Monitor qmonHmp;

    @BeforeAll
    static void start() throws Exception {
        assumeQemuInstalled();
        processes = DiffHarness.start(dir, WorkingDirectory.INHERITED,
                List.of("-machine", "none", "-nodefaults", "-display", "none",
                        "-qmp", unixServer(dir.resolve("qemu-qmp.sock")), "-monitor", unixServer(dir.resolve("qemu-hmp.sock"))),
                List.of("-qmp", unixServer(dir.resolve("qmon-qmp.sock")), "-monitor", unixServer(dir.resolve("qmon-hmp.sock"))));
        qemuHmp = Monitor.await(dir.resolve("qemu-hmp.sock"), true);
        qmonHmp = Monitor.await(dir.resolve("qmon-hmp.sock"), false);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Monitor m : new Monitor[] {qemuHmp, qmonHmp}) {
            if (m != null) {
                m.close();
            }
        }
        if (processes != null) {
            processes.stop();
        }
    }

    /** One human monitor connection (QEMU serves one client per socket: this one stays open). */
    static final class Monitor implements AutoCloseable {
        final SocketChannel ch;
        final java.nio.channels.Selector selector;
        final boolean echoes;
        final String banner;

        private Monitor(Path socket, boolean echoes) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            selector = java.nio.channels.Selector.open();
            ch.register(selector, java.nio.channels.SelectionKey.OP_READ);
            this.echoes = echoes;
            banner = untilPrompt();
        }

        /** Connects once the socket accepts (bounded), and reads the banner. */
        static Monitor await(Path socket, boolean echoes) {
            return awaitSocket(socket, s -> new Monitor(s, echoes));
        }

        /** Reads to the next prompt, each wait bounded by a deadline (a selector, no sleeps). */
        String untilPrompt() throws IOException {
            StringBuilder sb = new StringBuilder();
            long deadline = System.currentTimeMillis() + WAIT_MS;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (!sb.toString().endsWith(PROMPT)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("no prompt within " + WAIT_MS + " ms; got: " + sb);
                }
                if (selector.select(left) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                for (;;) {
                    one.clear();
                    int n = ch.read(one);
                    if (n < 0) {
                        throw new AssertionError("no prompt; got: " + sb);
                    }
                    if (n == 0) {
                        break;
                    }
                    sb.append((char) (one.get(0) & 0xff));
                    if (sb.toString().endsWith(PROMPT)) {
                        break;
                    }
                }
            }
            return sb.toString();
        }

        /** Sends a line ended by CR (as expect does) and returns its output, QEMU's echo removed. */
        String run(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap((line + "\r").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            String out = untilPrompt();
            if (echoes) {
                int crlf = out.indexOf("\r\n");
                out = out.substring(crlf + 2);
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }

    private static void same(String line) throws IOException {
        assertEquals(qemuHmp.run(line), qmonHmp.run(line), line);
    }

    @Test
    void bannerHasQemusShape() {
        String shape = " \\d+\\.\\d+\\.\\d+ monitor - type 'help' for more information\r\n\\(qemu\\) ";
        assertTrue(qemuHmp.banner.matches("QEMU" + shape), qemuHmp.banner);
        assertTrue(qmonHmp.banner.matches("qmon" + shape), qmonHmp.banner);
    }

    @Test
    void commandsBothHaveAnswerTheSame() throws IOException {
        for (String line : List.of("info status", "stop", "info status", "s", "cont", "info status", "c", "",
                "   ", "info status")) {
            same(line);
        }
    }

    @Test
    void unknownCommandsAndUsageErrorsAnswerTheSame() throws IOException {
        for (String line : List.of("foo", "foo bar", "STOP", "info foo", "help foo", "help info foo",
                "stop foo", "c foo", "cont 1", "info status foo", "quit now", "screendump", "device_del",
                "device_del a b", "screendump a b 1 x", "device_add nosuch,help", "device_add nosuch,?",
                "device_add id=x,help", "device_add nosuch,nohelp")) {
            same(line);
        }
    }

    private static String withoutPrompt(String out) {
        assertTrue(out.endsWith(PROMPT), out);
        return out.substring(0, out.length() - PROMPT.length());
    }

    @Test
    void deviceAddHelpFormsHaveQemusShape() throws IOException {
        // The models differ (QEMU's are its own); the lines are qdev_print_devinfo's and object_property_help's.
        String model = "name \"[^\"]+\"(, bus [^,]+)?(, alias \"[^\"]+\")?(, desc \"[^\"]*\")?(, no-user)?";
        String property = "  [A-Za-z0-9_.-]+=<[A-Za-z0-9_<>-]+>( *- .*)?";
        for (Monitor hmp : List.of(qemuHmp, qmonHmp)) {
            String models = withoutPrompt(hmp.run("device_add help"));
            assertEquals(models, withoutPrompt(hmp.run("device_add ?")));
            assertTrue(models.contains(" devices:\r\nname \""), models);
            for (String l : models.split("\r\n")) {
                assertTrue(l.isEmpty() || l.endsWith(" devices:") || l.matches(model), l);
            }
        }
        for (String[] pair : List.of(new String[] {"virtio-rng-pci", "qemu"}, new String[] {"qmon-display", "qmon"})) {
            Monitor hmp = pair[1].equals("qemu") ? qemuHmp : qmonHmp;
            String[] lines = withoutPrompt(hmp.run("device_add " + pair[0] + ",help")).split("\r\n");
            assertEquals(pair[0] + " options:", lines[0]);
            assertTrue(lines.length > 2, String.join("|", lines));
            for (int i = 1; i < lines.length; i++) {
                assertTrue(lines[i].matches(property), lines[i]);
                if (i > 1) {
                    assertTrue(lines[i - 1].compareTo(lines[i]) < 0, "sorted: " + lines[i - 1] + " / " + lines[i]);
                }
            }
        }
    }

    /** qmon's own human monitor commands, which QEMU 7.2 does not have (docs/jobs.md). */
    private static final List<String> QMON_OWN = List.of("job_cancel ", "info jobs ");

    @Test
    void helpLinesOfCommandsBothHaveAreQemus() throws IOException {
        for (String line : List.of("help stop", "help s", "help cont", "help c", "help quit", "help q", "help help",
                "help ?", "help info status", "help info version", "help info name", "help screendump",
                "help device_add", "help device_del", "help info qtree")) {
            same(line);
        }
        List<String> qemuHelp = List.of(qemuHmp.run("help").split("\r\n"));
        for (String l : qmonHmp.run("help").split("\r\n")) {
            if (!l.equals(PROMPT) && !QMON_OWN.stream().anyMatch(l::startsWith)) {
                assertTrue(qemuHelp.contains(l), () -> "not in QEMU's help: " + l);
            }
        }
        List<String> qemuInfo = List.of(qemuHmp.run("info").split("\r\n"));
        for (String l : qmonHmp.run("info").split("\r\n")) {
            if (!l.equals(PROMPT) && !QMON_OWN.stream().anyMatch(l::startsWith)) {
                assertTrue(qemuInfo.contains(l), () -> "not in QEMU's info: " + l);
            }
        }
    }

    /** One QMP exchange: greeting, negotiation, the request; the reply as parsed JSON. */
    private static JsonNode qmp(Path socket, String request) throws IOException {
        return exchange(socket, request).get(0);
    }

    @Test
    void humanMonitorCommandAnswersTheSame() throws Exception {
        for (String line : List.of("info status", "foo", "", "help info status", "stop x", "info status foo",
                "info status\nfoo", "help stop")) {
            String request = JSON.writeValueAsString(java.util.Map.of("execute", "human-monitor-command",
                    "arguments", java.util.Map.of("command-line", line)));
            assertEquals(qmp(dir.resolve("qemu-qmp.sock"), request), qmp(dir.resolve("qmon-qmp.sock"), request), line);
        }
        for (String request : List.of("{\"execute\": \"human-monitor-command\"}",
                "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": 5}}",
                "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"x\", \"y\": 1}}")) {
            assertEquals(qmp(dir.resolve("qemu-qmp.sock"), request), qmp(dir.resolve("qmon-qmp.sock"), request), request);
        }
    }

    @Test
    void humanMonitorCommandIsListedByBoth() throws Exception {
        for (String sock : List.of("qemu-qmp.sock", "qmon-qmp.sock")) {
            JsonNode r = qmp(dir.resolve(sock), "{\"execute\": \"query-commands\"}").get("return");
            assertTrue(Stream.of(JSON.convertValue(r, JsonNode[].class))
                    .anyMatch(n -> n.get("name").asText().equals("human-monitor-command")), sock);
        }
    }
}

package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -monitor}: the executable jar with QEMU's human monitor options, unix and TCP, printed at
 * start, driven over the real sockets, and {@code quit} from the human monitor ends the qmon.process().
 */
class MonitorOptionIT {

    private static final long WAIT = 30;
    private static final String PROMPT = "(qemu) ";

    @TempDir
    Path dir;

    private QmonJar qmon;

    private void start(String... args) throws IOException {
        qmon = QmonJar.start(dir, WAIT, args);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (qmon != null) {
            qmon.stop();
        }
    }

    /** Reads up to and including the next prompt, bounded by the socket's read timeout. */
    private static String untilPrompt(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith(PROMPT)) {
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("end of input after: " + sb);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void monitorOnUnixAndTcpIsPrintedAndServesHumans() throws Exception {
        Path hmp = dir.resolve("m.sock");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path qmp = dir.resolve("q.sock");
        start("-qmp", "unix:" + qmp + ",server=on,wait=off", "-monitor", "unix:" + hmp + ",server=on,wait=off",
                "-monitor", "tcp:127.0.0.1:" + port + ",server=on,wait=off", "-name", "hmp-it");
        List<String> lines = qmon.linesUntil("qmon: ready in");
        assertTrue(lines.contains("qmon: HMP listening on unix:" + hmp.toAbsolutePath()), lines::toString);
        assertTrue(lines.contains("qmon: HMP listening on tcp:127.0.0.1:" + port), lines::toString);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(hmp)));

        try (Socket tcp = new Socket("127.0.0.1", port)) {
            tcp.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
            InputStream in = tcp.getInputStream();
            OutputStream out = tcp.getOutputStream();
            String banner = untilPrompt(in);
            assertTrue(banner.matches("qmon \\d+\\.\\d+\\.\\d+ monitor - type 'help' for more information\r\n\\(qemu\\) "), banner);
            out.write("info name\r\n".getBytes(StandardCharsets.US_ASCII)); // telnet's line end
            assertEquals("hmp-it\r\n(qemu) ", untilPrompt(in));
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(hmp));
            InputStream in = Channels.newInputStream(ch);
            untilPrompt(in);
            ch.write(ByteBuffer.wrap("info status\n".getBytes(StandardCharsets.US_ASCII))); // socat's
            assertEquals("VM status: running\r\n(qemu) ", untilPrompt(in));
            // A line pipelined behind quit is never run (QEMU suspends the monitor at quit): no file.
            Path after = dir.resolve("after-quit.ppm");
            ch.write(ByteBuffer.wrap(("quit\rscreendump " + after + "\r").getBytes(StandardCharsets.US_ASCII)));
            assertEquals("(qemu) ", new String(in.readAllBytes(), StandardCharsets.US_ASCII),
                    "quit's prompt, then the connection closes");
            assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "quit from the human monitor ends the process");
            assertTrue(Files.notExists(after), "the line after quit did not run");
        }
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "quit from the human monitor ends the process");
        assertEquals(0, qmon.process().exitValue());
        assertTrue(Files.notExists(hmp), "the monitor's socket is removed on the way out");
    }

    @Test
    void aBadMonitorOptionIsAClearError() throws Exception {
        start("-monitor", "stdio");
        List<String> lines = qmon.linesUntil("qmon: ");
        assertTrue(lines.get(lines.size() - 1).contains("-monitor expects unix:PATH or tcp:HOST:PORT"), lines::toString);
        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS));
        assertEquals(1, qmon.process().exitValue());
    }
}

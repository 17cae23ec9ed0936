import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark probes that qmp-load does not cover; run with {@code java bench/tools/Probe.java MODE ...}
 * (single-file source launch, no build). Every wait is bounded by the socket's peer or by a deadline.
 *
 * <ul>
 *   <li>{@code big SOCKET BYTES COUNT}: negotiates, then COUNT times sends one valid request of exactly
 *       BYTES bytes ({@code query-status} padded with JSON whitespace, so the reply is small and the
 *       time is the server's reading and parsing) and times write start to reply. Prints
 *       {@code RESULT mode=big bytes=.. ms=v1,v2,..}.</li>
 *   <li>{@code idle SOCKET PID N}: opens N sessions, negotiates each, then reads the server's VmRSS;
 *       prints {@code RESULT mode=idle sessions=N rss_kib=..} and closes them.</li>
 * </ul>
 */
public final class Probe {

    private static final long DEADLINE_NS = 120_000_000_000L;

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "big" -> big(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "idle" -> idle(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: Probe big SOCKET BYTES COUNT | Probe idle SOCKET PID N");
                System.exit(2);
            }
        }
    }

    private static SocketChannel open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    /** Reads one line (up to '\n'); bytes after it in the same read are kept in {@code buf}. */
    private static String line(SocketChannel ch, ByteBuffer buf) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    String l = new String(buf.array(), 0, i + 1, StandardCharsets.UTF_8);
                    int rest = buf.position() - (i + 1);
                    System.arraycopy(buf.array(), i + 1, buf.array(), 0, rest);
                    buf.position(rest);
                    return l;
                }
            }
            if (!buf.hasRemaining() || ch.read(buf) < 0) {
                throw new IOException("connection closed or line too long");
            }
        }
        throw new IOException("no line within the deadline");
    }

    private static void negotiate(SocketChannel ch, ByteBuffer buf) throws IOException {
        line(ch, buf);
        write(ch, "{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
        String r = line(ch, buf);
        if (!r.contains("\"return\"")) {
            throw new IOException("negotiation failed: " + r);
        }
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    private static void big(Path socket, int bytes, int count) throws IOException {
        String head = "{\"execute\": \"query-status\", \"id\": 1";
        String tail = "}\n";
        if (bytes < head.length() + tail.length()) {
            throw new IllegalArgumentException("BYTES too small");
        }
        byte[] req = new byte[bytes];
        Arrays.fill(req, (byte) ' ');
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, req, 0, head.length());
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, req, bytes - tail.length(), tail.length());
        List<String> ms = new ArrayList<>();
        try (SocketChannel ch = open(socket)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            negotiate(ch, buf);
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                write(ch, req);
                String r = line(ch, buf);
                long t1 = System.nanoTime();
                if (!r.contains("\"return\"")) {
                    throw new IOException("unexpected reply: " + r);
                }
                ms.add(String.format("%.2f", (t1 - t0) / 1e6));
            }
        }
        System.out.println("RESULT mode=big bytes=" + bytes + " ms=" + String.join(",", ms));
    }

    private static void idle(Path socket, long pid, int n) throws IOException {
        List<SocketChannel> open = new ArrayList<>(n);
        try {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            for (int i = 0; i < n; i++) {
                SocketChannel ch = open(socket);
                open.add(ch);
                buf.clear();
                negotiate(ch, buf);
            }
            System.out.println("RESULT mode=idle sessions=" + n + " rss_kib=" + rss(pid));
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }

    static long rss(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}

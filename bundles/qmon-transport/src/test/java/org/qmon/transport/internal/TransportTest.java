package org.qmon.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.qmon.transport.Listener;
import org.qmon.transport.ListenerConfig;
import org.qmon.transport.Protocol;

/**
 * The transport with a small line protocol of the test's own, over real unix and TCP sockets: every
 * line is answered "ok LINE" by a timer thread 20 ms later (an answer from another thread, as a
 * command completing later would), at most {@value #WINDOW} lines in flight per connection, then
 * input is suspended.
 */
class TransportTest {

    private static final int WINDOW = 4;

    @TempDir
    Path dir;

    private final TransportImpl transport = new TransportImpl(null);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Listener> listeners = new ArrayList<>();
    /** Every handler's closed() call, in order. */
    private final LinkedBlockingQueue<String> closed = new LinkedBlockingQueue<>();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    @AfterEach
    void tearDown() {
        transport.deactivate();
        timer.shutdownNow();
    }

    /** The line protocol: answers each line from the timer thread; half-close closes when all are answered. */
    private final class Lines implements ConnectionHandler {
        private final Connection c;
        private final StringBuilder line = new StringBuilder();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile boolean ended;

        Lines(Connection c) {
            this.c = c;
            c.send("hello\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void received(ByteBuffer input) {
            while (input.hasRemaining()) {
                if (inFlight.get() >= WINDOW) {
                    c.suspendInput();
                    if (inFlight.get() >= WINDOW) {
                        return;
                    }
                    c.resumeInput();
                }
                char ch = (char) input.get();
                if (ch != '\n') {
                    line.append(ch);
                    continue;
                }
                String l = line.toString();
                line.setLength(0);
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                timer.schedule(() -> answer(l), 20, TimeUnit.MILLISECONDS);
            }
        }

        private void answer(String l) {
            c.send(("ok " + l + "\r\n").getBytes(StandardCharsets.US_ASCII));
            inFlight.decrementAndGet();
            if (c.inputSuspended()) {
                c.resumeInput();
            }
            closeIfDone();
        }

        private void closeIfDone() {
            if (ended && inFlight.get() == 0) {
                c.closeWhenFlushed();
            }
        }

        @Override
        public void inputEnded() {
            ended = true;
            closeIfDone();
        }

        @Override
        public boolean busy() {
            return inFlight.get() > 0;
        }

        @Override
        public void closed() {
            closed.add("closed " + c.id());
        }
    }

    private Listener listen(ListenerConfig config) throws IOException {
        Protocol p = Lines::new;
        Listener l = transport.listen("lines", config, p);
        listeners.add(l);
        return l;
    }

    private Listener listen(String kind, int maxOutputKib) throws IOException {
        return listen(kind.equals("unix")
                ? new ListenerConfig(dir.resolve("t.sock").toString(), "127.0.0.1", 0, 8, maxOutputKib, 1)
                : new ListenerConfig("", "127.0.0.1", 0, 8, maxOutputKib, 1));
    }

    private static SocketChannel connect(Listener l) throws IOException {
        String a = l.address();
        if (a.startsWith("unix:")) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(a.substring(5)));
            return ch;
        }
        int colon = a.lastIndexOf(':');
        return SocketChannel.open(new InetSocketAddress(a.substring(4, colon), Integer.parseInt(a.substring(colon + 1))));
    }

    /** Reads lines with a bound on each read; null at end of stream. */
    private static final class LineReader {
        private final BufferedReader in;

        LineReader(SocketChannel ch) {
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII));
        }

        String line() throws IOException {
            return in.readLine();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void endOfInputIsAHalfCloseEveryLineIsAnsweredThenTheServerCloses(String kind) throws Exception {
        Listener l = listen(kind, 1024);
        try (SocketChannel ch = connect(l)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                sb.append(i).append('\n');
            }
            OutputStream out = Channels.newOutputStream(ch);
            out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            ch.shutdownOutput();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII));
            assertEquals("hello", in.readLine());
            for (int i = 0; i < 50; i++) {
                assertEquals("ok " + i, in.readLine(), "every line sent before end of input is answered, in order");
            }
            assertNull(in.readLine(), "then the server closes");
        }
        assertTrue(maxInFlight.get() <= WINDOW, "backpressure held the window: " + maxInFlight.get());
        awaitClosed(1);
    }

    @Test
    void suspendedInputIsNotReadSoTheClientIsPushedBack() throws Exception {
        Listener l = listen("unix", 1024);
        try (SocketChannel ch = connect(l)) {
            ch.configureBlocking(false);
            // Far more than the socket buffers hold: with the window full the server stops reading.
            ByteBuffer lots = ByteBuffer.wrap("x\n".repeat(2_000_000).getBytes(StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int zeroWrites = 0;
            while (lots.hasRemaining() && zeroWrites < 50 && System.nanoTime() < deadline) {
                if (ch.write(lots) == 0) {
                    zeroWrites++;
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                } else {
                    zeroWrites = 0;
                }
            }
            assertTrue(lots.hasRemaining(), "the client was pushed back: the server did not swallow 4 MB");
            assertTrue(maxInFlight.get() <= WINDOW);
        }
    }

    @Test
    void aClientThatNeverReadsIsDisconnectedAtTheOutputLimit() throws Exception {
        Protocol flood = c -> new ConnectionHandler() {
            @Override
            public void received(ByteBuffer input) {
                input.position(input.limit());
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 200; i++) {
                    c.send(chunk);
                }
            }

            @Override
            public void inputEnded() {
                c.closeWhenFlushed();
            }

            @Override
            public void closed() {
                closed.add("flood closed");
            }
        };
        Listener l = transport.listen("flood", new ListenerConfig(dir.resolve("f.sock").toString(), "127.0.0.1", 0, 8, 256, 1), flood);
        try (SocketChannel ch = connect(l)) {
            ch.write(ByteBuffer.wrap(new byte[] {'g', 'o', '\n'}));
            assertEquals("flood closed", closed.poll(10, TimeUnit.SECONDS), "12.5 MiB unread against a 256 KiB limit");
            awaitNoConnections(l);
        }
    }

    /**
     * A protocol that answers each line with {@code size} bytes ending in a newline, at once, on the I/O
     * thread, and that stops at the next line while input is held, as the contract asks.
     */
    private static Protocol amplifier(int size) {
        return sized(size, size);
    }

    /** Reads lines until {@code expected} have come or the connection ends; the number of lines read. */
    private static long readLines(SocketChannel ch, long expected) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long lines = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lines < expected && System.nanoTime() < deadline) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    @Test
    void aClientThatPipelinesMoreOutputThanTheLimitIsAnsweredAtThePaceItReads() throws Exception {
        // 2,000 one-byte requests in one write, each answered with 8 KiB: 16 MiB against a 256 KiB
        // limit. Output pushes back on input, so the reader gets every reply instead of a disconnect.
        Listener l = transport.listen("amplify", new ListenerConfig(dir.resolve("a.sock").toString(), "127.0.0.1", 0,
                8, 256, 1), amplifier(8 * 1024));
        try (SocketChannel ch = connect(l)) {
            Thread writer = pipeline(ch, "\n".repeat(2_000));
            assertEquals(2_000, readLines(ch, 2_000), "every reply, none lost to the output limit");
            writer.join(10_000);
        }
    }

    @Test
    void aMessageLargerThanTheLimitIsWrittenWhenInputStillFlows() throws Exception {
        // A reply that echoes a large request (QMP's id) may exceed the limit on its own: it is written
        // whole, and the requests after it are answered too. Each of those is read when held input goes
        // on again, at the low-water mark, often with part of the previous reply still unwritten. With 16
        // that moment comes every time: the old rule, which let a large message through only when
        // nothing at all waited, cut this client off in 5 runs of 5 (with 2 requests, now and then).
        Listener l = transport.listen("big", new ListenerConfig(dir.resolve("b.sock").toString(), "127.0.0.1", 0,
                8, 256, 1), amplifier(1024 * 1024));
        try (SocketChannel ch = connect(l)) {
            ch.write(ByteBuffer.wrap("\n".repeat(16).getBytes(StandardCharsets.US_ASCII)));
            assertEquals(16, readLines(ch, 16), "16 replies of 1 MiB each against a 256 KiB limit");
        }
    }

    @Test
    void aWriteThatFailsClosesTheConnectionAndTellsTheProtocol() throws Exception {
        Listener l = listen("unix", 1024);
        try (SocketChannel ch = connect(l)) {
            ch.write(ByteBuffer.wrap("slow\n".getBytes(StandardCharsets.US_ASCII)));
            // Read the greeting, then leave entirely: the answer, 20 ms later, cannot be written.
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII));
            assertEquals("hello", in.readLine());
        }
        awaitClosed(1);
        awaitNoConnections(l);
    }

    private static void awaitNoConnections(Listener l) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (l.connections() > 0) {
            assertTrue(System.nanoTime() < deadline, "the connection is gone");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aPipeliningClientWithLargeAndSmallRepliesMixedIsAnsweredInFull() throws Exception {
        // Small replies lift what waits above the low-water mark without reaching the high one (input
        // still flows), then a reply larger than the limit comes: it is the answer to a request that
        // was read, so it is written (found by a stress run: each round one 1 MiB reply and 100 of
        // 4 KiB cut the client off every time while only the low-water mark let a large one through).
        Listener l = transport.listen("mixed", new ListenerConfig(dir.resolve("x.sock").toString(), "127.0.0.1", 0,
                8, 256, 1), sized(1024 * 1024, 4 * 1024));
        StringBuilder rounds = new StringBuilder();
        for (int r = 0; r < 6; r++) {
            rounds.append("b\n").append("s\n".repeat(100));
        }
        try (SocketChannel ch = connect(l)) {
            Thread writer = pipeline(ch, rounds.toString());
            assertEquals(606, readLines(ch, 606), "every reply, large and small");
            writer.join(10_000);
        }
    }

    /**
     * Writes the text on a thread of its own, so that the test can read meanwhile (a client that
     * pipelines more than the socket buffers hold); a write that fails leaves the assertion on what was
     * read to say what happened.
     */
    private static Thread pipeline(SocketChannel ch, String text) {
        Thread writer = new Thread(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                // the caller's assertion says what happened
            }
        }, "pipelining-writer");
        writer.start();
        return writer;
    }

    /** Answers a line ending in {@code b} with {@code big} bytes, any other with {@code small}, suspending as told. */
    private static Protocol sized(int big, int small) {
        return c -> new ConnectionHandler() {
            private byte last;

            @Override
            public void received(ByteBuffer input) {
                while (input.hasRemaining()) {
                    if (c.inputSuspended()) {
                        return;
                    }
                    byte x = input.get();
                    if (x == '\n') {
                        int size = last == 'b' ? big : small;
                        byte[] reply = new byte[size];
                        java.util.Arrays.fill(reply, (byte) 'r');
                        reply[size - 1] = '\n';
                        c.send(reply);
                    }
                    last = x;
                }
            }

            @Override
            public void inputEnded() {
                c.closeWhenFlushed();
            }

            @Override
            public void closed() {
            }
        };
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        Listener l = listen(new ListenerConfig(dir.resolve("m.sock").toString(), "127.0.0.1", 0, 2, 1024, 1));
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SocketChannel ch = connect(l);
                open.add(ch);
                assertEquals("hello", new LineReader(ch).line());
            }
            try (SocketChannel third = connect(l)) {
                assertNull(new LineReader(third).line(), "the third client is closed at once");
            }
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }

    @Test
    void aUnixSocketIsOwnerOnlyAndItsFileGoesWithTheListener() throws Exception {
        Listener l = listen("unix", 1024);
        Path sock = dir.resolve("t.sock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        assertEquals("unix:" + sock.toAbsolutePath(), l.address());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".qmon-")).toList(),
                    "the private directory it was bound in is gone");
        }
        l.close();
        assertTrue(Files.notExists(sock));
    }

    @Test
    void thePrivateDirectoryIsNewAndOwnerOnlyWhateverIsInTheWay() throws Exception {
        AtomicInteger numbers = new AtomicInteger();
        Files.createSymbolicLink(dir.resolve(".qmon-7-0"), dir.resolve("elsewhere"));
        Files.writeString(dir.resolve(".qmon-7-1"), "x");
        Path d = SocketListener.privateDirectory(dir, ".qmon-7-", numbers);
        assertEquals(".qmon-7-2", d.getFileName().toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
        assertTrue(Files.notExists(dir.resolve("elsewhere")), "a link in the way is not followed");
        for (int i = 3; i < 3 + 16; i++) {
            Files.createDirectory(dir.resolve(".qmon-7-" + i));
        }
        Path random = SocketListener.privateDirectory(dir, ".qmon-7-", numbers);
        assertTrue(random.getFileName().toString().startsWith(".qmon-"), random.toString());
        assertFalse(random.getFileName().toString().matches("\\.qmon-7-[0-9]+"), "all taken: a random name");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(random)));
    }

    @Test
    void listenersThatCannotBindSayWhereAndWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "not a socket");
        IOException e = assertThrows(IOException.class, () -> listen(new ListenerConfig(file.toString(), "127.0.0.1", 0, 8, 1024, 1)));
        assertEquals("cannot listen on unix:" + file.toAbsolutePath() + ": a file that is not a socket is in the way", e.getMessage());
        assertEquals("not a socket", Files.readString(file), "the file is left alone");

        Path missing = dir.resolve("no/such/dir/s.sock");
        e = assertThrows(IOException.class, () -> listen(new ListenerConfig(missing.toString(), "127.0.0.1", 0, 8, 1024, 1)));
        assertEquals("cannot listen on unix:" + missing.toAbsolutePath() + ": no such directory " + missing.getParent().toAbsolutePath(),
                e.getMessage());

        Listener tcp = listen("tcp", 1024);
        int port = Integer.parseInt(tcp.address().substring(tcp.address().lastIndexOf(':') + 1));
        e = assertThrows(IOException.class, () -> listen(new ListenerConfig("", "127.0.0.1", port, 8, 1024, 1)));
        assertTrue(e.getMessage().startsWith("cannot listen on tcp:127.0.0.1:" + port + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void closingTheListenerLetsAnswersUnderWayLeaveFirst() throws Exception {
        Listener l = listen("unix", 1024);
        try (SocketChannel ch = connect(l)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII));
            assertEquals("hello", in.readLine());
            ch.write(ByteBuffer.wrap("last\n".getBytes(StandardCharsets.US_ASCII)));
            CountDownLatch gone = new CountDownLatch(1);
            // The answer comes 20 ms later, from the timer; close() waits for busy handlers (bounded).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (maxInFlight.get() == 0) {
                assertTrue(System.nanoTime() < deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            Thread closer = new Thread(() -> {
                l.close();
                gone.countDown();
            });
            closer.start();
            assertEquals("ok last", in.readLine());
            assertTrue(gone.await(10, TimeUnit.SECONDS));
            assertNull(in.readLine());
        }
    }

    private void awaitClosed(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            assertTrue(closed.poll(10, TimeUnit.SECONDS) != null, "the protocol heard of the close");
        }
    }
}

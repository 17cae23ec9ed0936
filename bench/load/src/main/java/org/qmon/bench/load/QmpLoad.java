package org.qmon.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * qmp-load: the benchmarks' QMP load generator. One thread drives every connection through one
 * selector, so the generator costs one core at most and its ceiling is easy to measure (bench/run
 * runs every cell against a C responder that does no work).
 *
 * <p>Modes ({@code -m}):
 * <ul>
 * <li>{@code qmp} (default): N clients ({@code -c}) negotiate capabilities, then send the command
 * ({@code -x}, default {@code {"execute":"query-status"}}) with {@code "id":N} appended, keeping
 * {@code -d} requests outstanding per connection (1 = request-response). Every reply is matched to
 * its request by id; latency runs from the write that carried the request to the read that brought
 * the reply. Replies with "return" are ok, with "error" errors; unmatched ids and unparseable replies
 * are "bad"; requests unanswered at the end are "lost". {@code -S JSON -s K}: the first K clients
 * send the slow command request-response instead and are reported apart.</li>
 * <li>{@code greet}: connect, wait for the greeting (and the qmp_capabilities reply), close;
 * {@code -n} times, after up to {@code -n} unrecorded ones during {@code -w} seconds. Reports
 * connect to greeting and connect to caps.</li>
 * <li>{@code hmp}: the human monitor's text protocol, one client: wait for the {@code (qemu) }
 * prompt, send {@code -x} (default {@code info status}) and a newline, time until the next
 * prompt.</li>
 * </ul>
 *
 * <p>Clients are spread round-robin over the {@code -e} endpoints (QEMU serves one client per QMP
 * socket, so give it one {@code -e} per client). Bounds: {@code -t} seconds (default 5) or {@code -n}
 * requests (default 5,000,000, warm-up included), whichever comes first; outstanding replies are
 * awaited at most {@code -D} seconds; connect, greeting and negotiation within {@code -T} seconds; a
 * watchdog ends the process well past those. The last line is {@code RESULT key=value ...}. Exit
 * status: 0 ok, 1 some reply was an error, bad or lost (or a connection dropped), 2 usage or
 * connection failure.
 */
public final class QmpLoad implements Consumer<SelectionKey> {

    private static final int READ_BUFFER = 64 * 1024;
    private static final int READ_ROUNDS = 64;
    private static final byte[] CAPS = "{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_END = {'}', '\n'};
    /** Room for the longest id in ASCII. */
    private static final int MAX_ID_CHARS = 20;

    /** A failure that ends the run with status 2. */
    static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fatal(String message) {
            super(message, null, false, false);
        }
    }

    private final Options opt;
    private final List<Endpoint> endpoints;
    private final PrintStream out;
    private final PrintStream err;
    private final Guard guard;
    private Selector selector;

    QmpLoad(Options opt, PrintStream out, PrintStream err, Guard guard) {
        this.opt = opt;
        this.out = out;
        this.err = err;
        this.guard = guard;
        this.endpoints = opt.parsedEndpoints;
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options opt;
        try {
            opt = Options.parse(args);
        } catch (Options.UsageException e) {
            if (e.getMessage() != null) {
                err.println("qmp-load: " + e.getMessage());
            }
            if (e.showUsage) {
                err.print(Options.USAGE);
            }
            return 2;
        }
        Guard guard = Guard.start(opt.watchdogSeconds(), err);
        QmpLoad load = null;
        try {
            load = new QmpLoad(opt, out, err, guard);
            switch (opt.mode) {
                case "greet":
                    return load.runGreet();
                case "hmp":
                    return load.runHmp();
                default:
                    return load.runQmp();
            }
        } catch (Fatal e) {
            out.flush();
            err.println("qmp-load: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            out.flush();
            err.println("qmp-load: " + e);
            return 2;
        } finally {
            if (load != null && load.selector != null) {
                try {
                    load.selector.close();
                } catch (IOException e) {
                    // the process ends next
                }
            }
        }
    }

    private static Fatal fatal(String fmt, Object... args) {
        return new Fatal(String.format(Locale.ROOT, fmt, args));
    }

    // ---------------------------------------------------------------------------------------------
    // Set-up and the sequential modes: blocking steps, each bounded by the guard.

    private static final int MSG = 1;
    private static final int TIMEOUT = 0;
    private static final int EOF = -1;

    private boolean timedOut(long deadline) {
        return guard.fired() || System.nanoTime() - deadline >= 0;
    }

    /** Reads until the inbox holds the next message (events skipped if asked). */
    private int readMessage(SocketChannel ch, Inbox in, long deadline, boolean skipEvents) {
        for (;;) {
            while (in.next()) {
                if (skipEvents && in.is(Inbox.EVENT)) {
                    continue;
                }
                return MSG;
            }
            in.compact();
            int r;
            try {
                r = ch.read(in.buffer());
            } catch (IOException e) {
                return timedOut(deadline) ? TIMEOUT : EOF;
            }
            if (r < 0) {
                return EOF;
            }
        }
    }

    private final ByteBuffer capsRequest = ByteBuffer.allocateDirect(CAPS.length).put(CAPS).flip();

    /**
     * Connects, waits for the greeting, negotiates (unless -N); {@code times[0]} and {@code times[1]}
     * receive connect to greeting and connect to negotiated, in ns. The channel is left blocking.
     * Fails the run on any error.
     */
    private SocketChannel qmpOpen(Endpoint ep, Inbox in, long[] times) {
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (opt.setupTimeoutS * 1e9);
        SocketChannel ch;
        try {
            ch = ep.connect(guard, deadline);
        } catch (IOException e) {
            throw new Fatal(e.getMessage());
        }
        in.clear();
        int r = readMessage(ch, in, deadline, true);
        if (r != MSG || !in.is(Inbox.GREETING)) {
            throw fatal("no QMP greeting from %s within %.1fs%s", ep.spec, opt.setupTimeoutS,
                    r == TIMEOUT ? " (QEMU serves one client per QMP socket: give one -e per client)" : "");
        }
        if (times != null) {
            times[0] = System.nanoTime() - t0;
        }
        if (!opt.noCaps) {
            try {
                ch.write(capsRequest.clear());
            } catch (IOException e) {
                throw fatal("write to %s failed", ep.spec);
            }
            r = readMessage(ch, in, deadline, true);
            if (r != MSG || !in.is(Inbox.RETURN)) {
                throw fatal("qmp_capabilities failed on %s", ep.spec);
            }
        }
        if (times != null) {
            times[1] = System.nanoTime() - t0;
        }
        guard.disarm();
        return ch;
    }

    // ---------------------------------------------------------------------------------------------
    // qmp mode

    /** One connection's state in qmp mode. */
    static final class Client {
        final int index;
        final boolean slow;
        final int depth;
        final byte[] head; // the command up to and including "id":
        SelectionKey key;
        SocketChannel ch;
        Inbox in;
        ByteBuffer out;
        long nextId = 1;
        int outstanding;
        final long[] slotId;
        final long[] slotTs;
        final int[] unstamped;
        int unstampedCount;
        boolean dead;
        boolean wantWrite;
        long ok;
        long errors;
        long bad;
        long events;
        long sent;
        long replies;
        long rxBytes;

        Client(int index, boolean slow, int depth, byte[] head) {
            this.index = index;
            this.slow = slow;
            this.depth = depth;
            this.head = head;
            this.slotId = new long[depth];
            this.slotTs = new long[depth];
            this.unstamped = new int[depth];
        }
    }

    /**
     * The command as the bytes before the id: {@code {"execute":"x"}} becomes
     * {@code {"execute":"x","id":}}; the id's digits and {@code }\n} complete each request.
     */
    static byte[] requestHead(String command) {
        String c = command.strip();
        if (c.length() < 2 || c.charAt(0) != '{' || c.charAt(c.length() - 1) != '}') {
            throw fatal("command must be a JSON object: %s", command);
        }
        if (c.contains("\"id\"")) {
            throw fatal("command must not contain \"id\" (it is added): %s", command);
        }
        String body = c.substring(0, c.length() - 1);
        boolean empty = body.substring(1).isBlank();
        return (body + (empty ? "" : ",") + "\"id\":").getBytes(StandardCharsets.UTF_8);
    }

    private Client[] clients;
    private long tMeas;
    private long tEnd;
    private boolean stopping;
    private long totalSent;
    private long opsInWindow;
    private long slowInWindow;
    private int alive;
    private long outstandingAlive;
    private final Latencies latFast = new Latencies();
    private final Latencies latSlow = new Latencies();

    int runQmp() throws IOException {
        byte[] fastHead = requestHead(opt.command);
        byte[] slowHead = opt.slowCommand == null ? null : requestHead(opt.slowCommand);
        clients = new Client[opt.clients];
        selector = Selector.open();
        for (int i = 0; i < opt.clients; i++) {
            boolean slow = i < opt.slowClients;
            Client c = new Client(i, slow, slow ? 1 : opt.depth, slow ? slowHead : fastHead);
            c.in = new Inbox(READ_BUFFER);
            c.ch = qmpOpen(endpoints.get(i % endpoints.size()), c.in, null);
            c.ch.configureBlocking(false);
            c.key = c.ch.register(selector, 0, c);
            c.in.clear(); // anything after the capabilities reply is unexpected
            c.out = ByteBuffer.allocateDirect(Math.max(4096, c.depth * (c.head.length + MAX_ID_CHARS + 2)));
            clients[i] = c;
        }
        alive = clients.length;
        long tStart = System.nanoTime();
        tMeas = tStart + (long) (opt.warmupS * 1e9);
        tEnd = tMeas + (long) (opt.durationS * 1e9);
        long tDrainEnd = 0;
        long drainNs = (long) (opt.drainS * 1e9);

        for (Client c : clients) {
            c.key.interestOps(SelectionKey.OP_READ);
            queue(c, false);
            flush(c);
        }
        for (;;) {
            long t = System.nanoTime();
            if (!stopping && (t >= tEnd || totalSent >= opt.maxCount)) {
                stopping = true;
                tDrainEnd = t + drainNs;
            }
            if (alive == 0 || (stopping && (outstandingAlive == 0 || t >= tDrainEnd))) {
                break;
            }
            long until = stopping ? tDrainEnd : tEnd;
            long ms = until > t ? Math.min(100, (until - t) / 1_000_000 + 1) : 0;
            if (ms == 0) {
                selector.selectNow(this);
            } else {
                selector.select(this, ms);
            }
        }
        long tStop = System.nanoTime();
        double win = (double) (Math.min(tStop, tEnd) - tMeas) / 1e9;
        if (win <= 0) {
            win = 1e-9;
        }
        return report(win);
    }

    /** A ready connection: read every reply there is, refill the pipeline, write once. */
    @Override
    public void accept(SelectionKey k) {
        Client c = (Client) k.attachment();
        if (c.dead) {
            return;
        }
        int ready = k.readyOps();
        if ((ready & SelectionKey.OP_READ) != 0) {
            onReadable(c);
        }
        if (!c.dead && (ready & SelectionKey.OP_WRITE) != 0) {
            flush(c);
        }
    }

    private void onReadable(Client c) {
        for (int round = 0; round < READ_ROUNDS; round++) {
            ByteBuffer b = c.in.buffer();
            int r;
            try {
                r = c.ch.read(b);
            } catch (IOException e) {
                r = -1;
            }
            if (r > 0) {
                c.rxBytes += r;
                if (!b.hasRemaining()) {
                    handleReplies(c, System.nanoTime());
                    c.in.compact();
                    continue;
                }
            } else if (r < 0) {
                markDead(c);
            }
            break;
        }
        long tr = System.nanoTime();
        handleReplies(c, tr);
        c.in.compact();
        queue(c, stopping || tr >= tEnd);
        flush(c);
    }

    private void handleReplies(Client c, long tr) {
        Inbox in = c.in;
        while (in.next()) {
            int f = in.flags();
            if ((f & Inbox.EVENT) != 0) {
                c.events++;
                continue;
            }
            c.replies++;
            long id = in.id();
            int slot = (f & Inbox.NUMERIC_ID) != 0 && id > 0 ? (int) (id % c.depth) : -1;
            if (slot < 0 || c.slotId[slot] != id) {
                c.bad++;
                if (!opt.quiet && c.bad <= 3) {
                    err.println("unexpected reply on client " + c.index + ": " + in.text(300));
                }
                continue;
            }
            long ts = c.slotTs[slot];
            c.slotId[slot] = 0;
            c.outstanding--;
            if (!c.dead) {
                outstandingAlive--;
            }
            if ((f & Inbox.RETURN) != 0) {
                c.ok++;
            } else {
                c.errors++;
                if (!opt.quiet && c.errors <= 3) {
                    err.println("error reply on client " + c.index + ": " + in.text(300));
                }
            }
            if (ts >= tMeas && ts < tEnd) {
                (c.slow ? latSlow : latFast).record(tr - ts);
            }
            if (tr >= tMeas && tr < tEnd) {
                if (c.slow) {
                    slowInWindow++;
                } else {
                    opsInWindow++;
                }
            }
        }
    }

    /** Appends requests until the connection has its depth outstanding. */
    private void queue(Client c, boolean stop) {
        if (stop || c.dead) {
            return;
        }
        ByteBuffer b = c.out;
        int depth = c.depth;
        long[] slotId = c.slotId;
        while (c.outstanding < depth && totalSent < opt.maxCount) {
            long id = c.nextId++;
            int slot = (int) (id % depth);
            // replies may come out of order: never reuse a slot that is still outstanding
            while (slotId[slot] != 0) {
                id = c.nextId++;
                slot = (int) (id % depth);
            }
            b.put(c.head);
            putDecimal(b, id);
            b.put(REQUEST_END);
            slotId[slot] = id;
            c.slotTs[slot] = 0; // stamped when written
            c.unstamped[c.unstampedCount++] = slot;
            c.outstanding++;
            outstandingAlive++;
            c.sent++;
            totalSent++;
        }
    }

    static void putDecimal(ByteBuffer b, long v) {
        int n = 1;
        for (long x = v; x >= 10; x /= 10) {
            n++;
        }
        int p = b.position();
        for (int i = p + n - 1; i >= p; i--) {
            b.put(i, (byte) ('0' + (int) (v % 10)));
            v /= 10;
        }
        b.position(p + n);
    }

    /** Writes what is queued, in one write while the socket takes it all. */
    private void flush(Client c) {
        ByteBuffer b = c.out;
        if (c.dead || b.position() == 0) {
            return;
        }
        if (c.unstampedCount > 0) {
            long t = System.nanoTime();
            for (int i = 0; i < c.unstampedCount; i++) {
                c.slotTs[c.unstamped[i]] = t;
            }
            c.unstampedCount = 0;
        }
        b.flip();
        try {
            while (b.hasRemaining()) {
                if (c.ch.write(b) == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            markDead(c);
            return;
        }
        if (b.hasRemaining()) {
            b.compact();
            if (!c.wantWrite) {
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                c.wantWrite = true;
            }
        } else {
            b.clear();
            if (c.wantWrite) {
                c.key.interestOps(SelectionKey.OP_READ);
                c.wantWrite = false;
            }
        }
    }

    private void markDead(Client c) {
        if (!c.dead) {
            c.dead = true;
            alive--;
            outstandingAlive -= c.outstanding;
            c.key.cancel();
        }
    }

    private int report(double win) throws IOException {
        long ok = 0;
        long errors = 0;
        long bad = 0;
        long lost = 0;
        long events = 0;
        long sent = 0;
        long rx = 0;
        long replies = 0;
        long dead = 0;
        long minC = Long.MAX_VALUE;
        long maxC = 0;
        for (Client c : clients) {
            ok += c.ok;
            errors += c.errors;
            bad += c.bad;
            lost += c.outstanding;
            events += c.events;
            sent += c.sent;
            rx += c.rxBytes;
            replies += c.replies;
            dead += c.dead ? 1 : 0;
            if (!c.slow) {
                minC = Math.min(minC, c.ok + c.errors);
                maxC = Math.max(maxC, c.ok + c.errors);
            }
            c.key.cancel();
            c.ch.close();
        }
        selector.selectNow();
        if (minC == Long.MAX_VALUE) {
            minC = 0;
        }
        Results.QmpCounts counts = new Results.QmpCounts(opt.clients, opt.slowClients, opt.depth, win, opsInWindow,
                slowInWindow, errors, bad, lost, events, replies, rx);
        if (!opt.quiet) {
            out.println("endpoints: " + String.join(" ", opt.endpoints));
            out.println(String.format(Locale.ROOT, "clients=%d (slow=%d) depth=%d warmup=%.1fs window=%.3fs command=%s",
                    opt.clients, opt.slowClients, opt.depth, opt.warmupS, win, opt.command));
            if (opt.slowCommand != null) {
                out.println("slow command=" + opt.slowCommand);
            }
            out.println(String.format(Locale.ROOT,
                    "sent=%d replies=%d ok=%d errors=%d bad=%d lost=%d events=%d disconnected=%d rx_bytes=%d "
                            + "avg_reply_bytes=%.1f",
                    sent, replies, ok, errors, bad, lost, events, dead, rx, counts.avgReplyBytes()));
            out.println(String.format(Locale.ROOT, "fast ops/s=%.1f (per-client replies min=%d max=%d)",
                    opsInWindow / win, minC, maxC));
        }
        out.println(latFast.line("fast"));
        if (opt.slowClients > 0) {
            out.println(latSlow.line("slow"));
            out.println(String.format(Locale.ROOT, "slow ops/s=%.1f", slowInWindow / win));
        }
        out.println(Results.qmp(counts, latFast, latSlow));
        return errors > 0 || bad > 0 || lost > 0 || dead > 0 ? 1 : 0;
    }

    // ---------------------------------------------------------------------------------------------
    // greet mode

    int runGreet() throws IOException {
        Latencies greeting = new Latencies();
        Latencies caps = new Latencies();
        Inbox in = new Inbox(READ_BUFFER);
        long[] times = new long[2];
        // Warm-up connections, not recorded (-w seconds, at most -n of them): without them the
        // first thousands of connections run the JVM's interpreted and lightly compiled code, and
        // 2,000 connections measured ~3 us above the same after warm-up.
        long tWarmEnd = System.nanoTime() + (long) (opt.warmupS * 1e9);
        long warm;
        for (warm = 0; warm < opt.maxCount && System.nanoTime() < tWarmEnd; warm++) {
            qmpOpen(endpoints.get((int) (warm % endpoints.size())), in, times).close();
        }
        long tEndGreet = System.nanoTime() + (long) (opt.durationS * 1e9);
        long i;
        for (i = 0; i < opt.maxCount && System.nanoTime() < tEndGreet; i++) {
            qmpOpen(endpoints.get((int) (i % endpoints.size())), in, times).close();
            greeting.record(times[0]);
            caps.record(times[1]);
        }
        out.println("connections=" + i + " warmup_connections=" + warm + " endpoints=" + endpoints.size());
        out.println(greeting.line("connect->greeting"));
        if (!opt.noCaps) {
            out.println(caps.line("connect->caps_return"));
        }
        out.println(Results.greet(greeting, caps));
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // hmp mode

    private static final byte[] PROMPT = "(qemu) ".getBytes(StandardCharsets.US_ASCII);

    /** Reads until the received text ends with the prompt: MSG, TIMEOUT or EOF. */
    private int readPrompt(SocketChannel ch, ByteBuffer b, long deadline) {
        for (;;) {
            if (endsWith(b, PROMPT)) {
                return MSG;
            }
            if (!b.hasRemaining()) {
                b.clear(); // output larger than the buffer: keep only the tail
            }
            int r;
            try {
                r = ch.read(b);
            } catch (IOException e) {
                return timedOut(deadline) ? TIMEOUT : EOF;
            }
            if (r < 0) {
                return EOF;
            }
        }
    }

    static boolean endsWith(ByteBuffer b, byte[] suffix) {
        int end = b.position();
        if (end < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (b.get(end - suffix.length + i) != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(ByteBuffer b, byte[] needle) {
        int end = b.position() - needle.length;
        outer:
        for (int i = 0; i <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    int runHmp() throws IOException {
        String line = opt.command.equals(Options.DEFAULT_COMMAND) ? "info status" : opt.command;
        Endpoint ep = endpoints.get(0);
        long deadline = System.nanoTime() + (long) (opt.setupTimeoutS * 1e9);
        SocketChannel ch;
        try {
            ch = ep.connect(guard, deadline);
        } catch (IOException e) {
            throw new Fatal(e.getMessage());
        }
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
        if (readPrompt(ch, b, deadline) != MSG) {
            throw fatal("no HMP prompt from %s", ep.spec);
        }
        guard.disarm();
        byte[] reqBytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer req = ByteBuffer.allocateDirect(reqBytes.length).put(reqBytes);
        byte[] unknown = "unknown command".getBytes(StandardCharsets.US_ASCII);
        byte[] error = "Error".getBytes(StandardCharsets.US_ASCII);
        Latencies lat = new Latencies();
        long errors = 0;
        long n = 0;
        long rx = 0;
        long drainNs = (long) (opt.drainS * 1e9);
        long tMeasHmp = System.nanoTime() + (long) (opt.warmupS * 1e9);
        long tEndHmp = tMeasHmp + (long) (opt.durationS * 1e9);
        for (long i = 0; i < opt.maxCount; i++) {
            long t0 = System.nanoTime();
            if (t0 >= tEndHmp) {
                break;
            }
            guard.arm(ch, t0 + drainNs);
            try {
                ch.write(req.clear());
            } catch (IOException e) {
                throw fatal("HMP write failed");
            }
            b.clear();
            int r = readPrompt(ch, b, t0 + drainNs);
            long t1 = System.nanoTime();
            guard.disarm();
            if (r != MSG) {
                errors++;
                break;
            }
            rx += b.position();
            if (contains(b, unknown) || contains(b, error)) {
                errors++;
            }
            if (t0 >= tMeasHmp) {
                lat.record(t1 - t0);
                n++;
            }
        }
        ch.close();
        double win = opt.durationS;
        out.println(String.format(Locale.ROOT, "HMP endpoint %s command '%s': replies=%d errors=%d avg_reply_bytes=%.1f",
                ep.spec, line, n, errors, n > 0 ? (double) rx / n : 0.0));
        out.println(lat.line("hmp"));
        out.println(Results.hmp(win, n, lat, errors));
        return errors > 0 ? 1 : 0;
    }
}

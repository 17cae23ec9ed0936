package org.qmon.qmp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.qmon.api.CommandContext;
import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;
import org.qmon.qmp.internal.json.QdictOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QMP client connection.
 *
 * <p>Reading (loop thread only): bytes are framed by the QEMU-compatible {@link JsonStreamer}; each
 * message is validated as QEMU's {@code qmp_dispatch_check_obj} does and handed to the dispatcher
 * session. In-band requests (and in-band errors) count towards {@link #inFlight}; when it reaches the
 * limit the connection stops reading (QEMU's {@code QMP_REQ_QUEUE_LEN_MAX} = 8, then
 * {@code monitor_suspend}) and resumes when a reply has been written, so the socket itself pushes back.
 * While negotiating the limit is 1, so that {@code qmp_capabilities} has switched the mode, and its reply
 * is written, before the next request is read.
 *
 * <p>Writing (any thread): {@link #send} writes at once when nothing is queued (no hand-off to the loop
 * for the common case), else queues and lets the loop finish on OP_WRITE. {@link #outLock} guards
 * {@link #out}, {@link #outBytes} and the channel's writes, so messages never interleave. A client whose
 * unwritten output exceeds the limit is disconnected: it does not get to grow the heap.
 */
final class QmpConnection implements IoLoop.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(QmpConnection.class);
    private static final Logger WIRE = LoggerFactory.getLogger("org.qmon.qmp.wire");

    /** In-band requests a session may have queued before the connection stops reading (QEMU: 8). */
    static final int MAX_QUEUED = 8;

    private final QmpListener listener;
    private final QmpRuntime runtime;
    private final IoLoop loop;
    private final SocketChannel channel;
    private final DispatchSession session;
    private final long maxOutputBytes;
    private SelectionKey key;

    // ---- loop thread only
    /**
     * 16 KiB: a pipelined burst of small requests fits in one read, and 1,000 idle clients hold 16 MiB
     * of buffers, not 64 (a 1 MiB request takes 64 reads, which costs under a millisecond).
     */
    private final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);
    private final JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);
    /** Written by the loop only; read by writers to decide whether to post a resume. */
    private volatile boolean suspended;

    // ---- shared
    /** In-band requests read and not yet answered; changed by the loop (up) and by writers (down). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean negotiating = true;
    /**
     * True until the reply of a successful {@code qmp_capabilities} has been written: the in-band window
     * stays at one request until then, so nothing pipelined behind {@code qmp_capabilities} (an
     * {@code exec-oob} request in particular) can be answered before its reply, as in QEMU.
     */
    private volatile boolean narrowWindow = true;
    private volatile boolean oobEnabled;
    private volatile boolean closed;

    private final Object outLock = new Object();
    /** Unwritten output, oldest first. Guarded by outLock. */
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    /** Sum of the remaining bytes in {@link #out}. Guarded by outLock. */
    private long outBytes;
    /**
     * True while the loop thread works through what one read brought: every message sent meanwhile,
     * from any thread, is appended to {@link #batch} and the lot leaves in one write when the loop is
     * done. A pipelined burst then costs one write system call, not one per reply, and order is kept
     * because all senders go through the same lock. Guarded by outLock.
     */
    private boolean batching;
    /** Messages sent while batching; created on first use and reused. Guarded by outLock. */
    private byte[] batch;
    /** Bytes used in {@link #batch}. Guarded by outLock. */
    private int batchLen;

    QmpConnection(QmpListener listener, QmpRuntime runtime, IoLoop loop, SocketChannel channel, long maxOutputBytes) {
        this.listener = listener;
        this.runtime = runtime;
        this.loop = loop;
        this.channel = channel;
        this.maxOutputBytes = maxOutputBytes;
        this.session = runtime.dispatcher().openSession(CommandContext.FRONTEND_QMP, Set.of());
    }

    /** Registers with the loop and sends the greeting, in one write. Loop thread. */
    void open() throws IOException {
        channel.configureBlocking(false);
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        runtime.register(session.id(), this);
        send(runtime.greeting());
    }

    boolean negotiating() {
        return negotiating;
    }

    Set<String> offeredCapabilities() {
        return Set.of("oob");
    }

    /** Called by {@code qmp_capabilities} (while this connection reads nothing else). */
    void negotiated(List<String> capabilities) {
        oobEnabled = capabilities.contains("oob");
        session.capabilities(Set.copyOf(capabilities));
        negotiating = false;
    }

    // ---- reading (loop thread) ------------------------------------------------------------------

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (k.isWritable()) {
            flush();
        }
        if (k.isValid() && k.isReadable() && !suspended) {
            int n = channel.read(readBuffer);
            if (n < 0) {
                closeNow();
                return;
            }
            readBuffer.flip();
            beginBatch();
            try {
                process();
            } finally {
                endBatch();
            }
            readBuffer.compact();
        }
    }

    /** Frames and handles buffered input until it runs out or the in-band queue is full. */
    private void process() {
        while (!closed) {
            if (inFlight.get() >= limit()) {
                // Publish "suspended" before re-checking: a writer decrements inFlight before it reads
                // suspended, so one of the two always sees the other and reading cannot stall.
                suspended = true;
                key.interestOpsAnd(~SelectionKey.OP_READ);
                if (inFlight.get() >= limit()) {
                    return;
                }
                suspended = false;
                key.interestOpsOr(SelectionKey.OP_READ);
            }
            JsonMessage m = streamer.next(readBuffer);
            if (m == null) {
                return;
            }
            handle(m);
        }
    }

    private int limit() {
        return narrowWindow ? 1 : MAX_QUEUED;
    }

    /** Resumes reading after a reply freed a queue slot; buffered input is processed first. Loop thread. */
    private void resume() {
        if (closed || !suspended || inFlight.get() >= limit()) {
            return;
        }
        suspended = false;
        readBuffer.flip();
        beginBatch();
        try {
            process();
        } finally {
            endBatch();
        }
        readBuffer.compact();
        if (!suspended && !closed && key.isValid()) {
            key.interestOpsOr(SelectionKey.OP_READ);
        }
    }

    private void handle(JsonMessage m) {
        if (m.isError()) {
            inBand(Reply.error(ErrorClass.GenericError, m.error()), null);
            return;
        }
        if (!(m.value() instanceof ObjectNode req)) {
            inBand(Reply.error(ErrorClass.GenericError, "QMP input must be a JSON object"), null);
            return;
        }
        if (WIRE.isTraceEnabled()) {
            WIRE.trace("session {} <- {}", session.id(), req);
        }
        JsonNode id = req.get("id");
        // A request that looks out-of-band is handled at once, like QEMU's handle_qmp_command(). When
        // OOB is not enabled QEMU queues at most one in-band request and stops reading, so an 'exec-oob'
        // request is not even parsed before the earlier replies are out: queueing its error in band
        // gives the client the same order without QEMU's one-request window.
        boolean looksOob = oobEnabled && req.has("exec-oob") && !req.has("execute");
        Iterable<String> names = req::fieldNames;
        String fault = checkEnvelope(req, names);
        if (fault != null) {
            // Two faults in one request: QEMU reports the first in its QDict order, not input order.
            fault = checkEnvelope(req, QdictOrder.keys(req));
            answer(looksOob, Reply.error(ErrorClass.GenericError, fault), id);
            return;
        }
        String execKey = req.has("execute") ? "execute" : "exec-oob";
        String command = req.get(execKey).textValue();
        ObjectNode arguments = (ObjectNode) req.get("arguments");
        if (negotiating && !command.equals("qmp_capabilities")) {
            answer(looksOob, Reply.error(ErrorClass.CommandNotFound,
                    "Expecting capabilities negotiation with 'qmp_capabilities'"), id);
            return;
        }
        if (looksOob) {
            session.submit(command, arguments, true, r -> send(runtime.reply(r, id)));
            return;
        }
        inFlight.incrementAndGet();
        session.submit(command, arguments, false, r -> answered(runtime.reply(r, id)));
    }

    /**
     * QEMU's qmp_dispatch_check_obj(): the request's members visited in the given order.
     *
     * @return the first fault's description, or {@code null} when the envelope is valid
     */
    private String checkEnvelope(ObjectNode req, Iterable<String> names) {
        String execKey = null;
        for (String name : names) {
            JsonNode v = req.get(name);
            if (name.equals("execute") || (name.equals("exec-oob") && oobEnabled)) {
                if (!v.isTextual()) {
                    return "QMP input member '" + name + "' must be a string";
                }
                if (execKey != null) {
                    return "QMP input member '" + name + "' clashes with '" + execKey + "'";
                }
                execKey = name;
            } else if (name.equals("arguments")) {
                if (!v.isObject()) {
                    return "QMP input member 'arguments' must be an object";
                }
            } else if (!name.equals("id")) {
                return "QMP input member '" + name + "' is unexpected";
            }
        }
        return execKey == null ? "QMP input lacks member 'execute'" : null;
    }

    private void answer(boolean outOfBand, Reply reply, JsonNode id) {
        if (outOfBand) {
            send(runtime.reply(reply, id));
        } else {
            inBand(reply, id);
        }
    }

    private void inBand(Reply reply, JsonNode id) {
        inFlight.incrementAndGet();
        session.submitReply(reply, r -> answered(runtime.reply(r, id)));
    }

    /** An in-band reply: write it, free its queue slot, and resume reading if we had stopped. */
    private void answered(byte[] bytes) {
        send(bytes);
        if (narrowWindow && !negotiating) {
            // This was qmp_capabilities' reply: the only in-band request in flight while negotiating.
            narrowWindow = false;
        }
        inFlight.decrementAndGet();
        if (suspended) {
            loop.execute(this::resume);
        }
    }

    // ---- writing (any thread) -------------------------------------------------------------------

    /**
     * Sends one complete message. Never blocks: what the socket does not take now is queued, up to the
     * output limit.
     */
    void send(byte[] bytes) {
        if (WIRE.isTraceEnabled()) {
            WIRE.trace("session {} -> {}", session.id(), new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).trim());
        }
        boolean overflow;
        boolean wantWrite = false;
        synchronized (outLock) {
            if (closed) {
                return;
            }
            if (batching) {
                if (batch == null || batch.length - batchLen < bytes.length) {
                    byte[] bigger = new byte[Math.max(batch == null ? 4096 : batch.length * 2, batchLen + bytes.length)];
                    if (batch != null) {
                        System.arraycopy(batch, 0, bigger, 0, batchLen);
                    }
                    batch = bigger;
                }
                System.arraycopy(bytes, 0, batch, batchLen, bytes.length);
                batchLen += bytes.length;
                overflow = outBytes + batchLen > maxOutputBytes;
            } else {
                int queued = writeOrQueue(ByteBuffer.wrap(bytes), false);
                if (queued < 0) {
                    return;
                }
                wantWrite = queued > 0;
                overflow = outBytes > maxOutputBytes;
            }
        }
        if (overflow) {
            LOG.info("Disconnecting QMP session {}: more than {} bytes of output unread", session.id(), maxOutputBytes);
            loop.execute(this::closeNow);
        } else if (wantWrite) {
            SelectionKey k = key;
            if (k != null && k.isValid()) {
                k.interestOpsOr(SelectionKey.OP_WRITE);
                loop.wakeup();
            }
        }
    }

    /**
     * Writes now if nothing is queued, and queues what the socket did not take. Caller holds outLock.
     *
     * @param copy queue a copy of the remainder (the buffer's array is reused by the caller)
     * @return -1 when the write failed (the connection is being closed), 1 when the queue went from
     *     empty to non-empty (the caller must ask for OP_WRITE), else 0
     */
    private int writeOrQueue(ByteBuffer buf, boolean copy) {
        if (out.isEmpty()) {
            try {
                channel.write(buf);
            } catch (IOException e) {
                LOG.debug("Write failed: {}", e.toString());
                loop.execute(this::closeNow);
                return -1;
            }
        }
        if (!buf.hasRemaining()) {
            return 0;
        }
        ByteBuffer rest = copy ? ByteBuffer.allocate(buf.remaining()).put(buf).flip() : buf;
        boolean wasEmpty = out.isEmpty();
        out.add(rest);
        outBytes += rest.remaining();
        return wasEmpty ? 1 : 0;
    }

    /** Starts collecting output for one write. Loop thread. */
    private void beginBatch() {
        synchronized (outLock) {
            batching = true;
        }
    }

    /** Writes what was collected since {@link #beginBatch()}, behind anything already queued. Loop thread. */
    private void endBatch() {
        boolean wantWrite = false;
        synchronized (outLock) {
            batching = false;
            if (closed || batchLen == 0) {
                batchLen = 0;
                return;
            }
            // The batch array is reused: a remainder the socket did not take is queued as a copy.
            int queued = writeOrQueue(ByteBuffer.wrap(batch, 0, batchLen), true);
            if (queued < 0) {
                batchLen = 0;
                return;
            }
            wantWrite = queued > 0;
            batchLen = 0;
            if (batch.length > 64 * 1024) {
                batch = null; // do not keep a big burst's buffer for an idle client
            }
        }
        if (wantWrite && key != null && key.isValid()) {
            key.interestOpsOr(SelectionKey.OP_WRITE);
        }
    }

    /** Writes queued output. Loop thread, on OP_WRITE. */
    private void flush() throws IOException {
        synchronized (outLock) {
            while (!out.isEmpty()) {
                ByteBuffer b = out.peek();
                int n = channel.write(b);
                outBytes -= n;
                if (b.hasRemaining()) {
                    return;
                }
                out.poll();
            }
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
        }
    }

    /** Whether everything written so far has left this process. */
    boolean idle() {
        synchronized (outLock) {
            return out.isEmpty() && inFlight.get() == 0;
        }
    }

    // ---- closing ----------------------------------------------------------------------------------

    /** Closes the connection and cancels the session's pending commands. Loop thread (or after the loop ended). */
    @Override
    public void closeNow() {
        synchronized (outLock) {
            if (closed) {
                return;
            }
            closed = true;
            out.clear();
            outBytes = 0;
        }
        session.close();
        runtime.unregister(session.id());
        streamer.reset();
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Close: {}", e.toString());
        }
        listener.closed(this);
    }
}

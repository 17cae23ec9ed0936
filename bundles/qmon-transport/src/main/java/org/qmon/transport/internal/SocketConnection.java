package org.qmon.transport.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.qmon.transport.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reading with backpressure and half-close, batched output with a limit.
 *
 * <p>Reading (loop thread only): bytes read are offered to the protocol's {@link ConnectionHandler},
 * which frames and handles them. When the handler suspends input the connection stops reading (the
 * socket's own buffers then push back on the client) and offers what is left when the handler resumes.
 * End of input (the client shut down its sending side, as {@code socat}, {@code nc -N} and scripts do
 * after their last request) is not a departure: reading stops, what was received is offered, the
 * handler is told ({@link ConnectionHandler#inputEnded()}) and closes the connection when it has
 * answered. A client that really went away is found when a write fails or a read reports a reset, and
 * the connection closes at once.
 *
 * <p>Writing (any thread): {@link #send} writes at once when nothing is queued (no hand-off to the loop
 * for the common case), else queues and lets the loop finish on OP_WRITE. {@link #outLock} guards
 * {@link #out}, {@link #outBytes}, the batch, {@link #closeAfterFlush} and the channel's writes, so
 * messages never interleave.
 *
 * <p>Output pushes back on input: once more than a quarter of the limit is waiting to be written (or
 * collected in the batch), the connection holds its input, as if the handler had suspended it, until
 * the client has read the backlog down to an eighth. A client that pipelines many requests with large
 * replies is then answered at the pace it reads, however fast or slow, instead of being cut off; the
 * handler stops at the next message ({@link #inputSuspended()} tells it). A client whose unwritten
 * output still exceeds the limit (output it did not ask for just then, such as events, or one
 * handler call that writes more than the limit) is disconnected: it does not get to grow the heap.
 * A message that finds at most the high-water mark waiting is written whatever its size: input was
 * still flowing, so it answers a request that was read. A reply that echoes a large request is then
 * delivered wherever it falls in a pipelined stream (after small replies that left the backlog
 * between the two marks, or just as held input goes on with part of the last reply unwritten). Past
 * the mark only output that was not asked for just then can arrive (events, replies still in flight),
 * and the limit holds for it. What waits stays below the limit plus one message.
 */
final class SocketConnection implements Connection, IoLoop.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(SocketConnection.class);
    /** Offered on a resume with nothing kept: end of input may still be due. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final SocketListener listener;
    private final IoLoop loop;
    private final SocketChannel channel;
    private final long id;
    private final long maxOutputBytes;
    private SelectionKey key;
    private ConnectionHandler handler;

    // ---- loop thread only
    /**
     * Input read but not consumed because the protocol suspended input, or {@code null} (the common
     * case: a connection reads into its loop's buffer and keeps nothing of it, so an idle connection
     * owns no read buffer). Exact size, allocated only under backpressure; offered first on resume.
     */
    private ByteBuffer unconsumed;
    /** The client shut down its sending side; nothing more is read. */
    private boolean inputEnded;
    /** {@link ConnectionHandler#inputEnded()} has been called. */
    private boolean endNotified;
    /** True while the handler is being offered input: a resume then only clears {@link #suspended}. */
    private boolean offering;
    /** Written by the loop thread (and by resume on it); read by any thread to decide whether to post a resume. */
    private volatile boolean suspended;
    /**
     * Input is held because too much output waits for the client (see the class comment). Set under
     * outLock by any sender; cleared on the loop thread once the backlog is down to {@link #lowWater}.
     */
    private volatile boolean heldForOutput;
    /** Output waiting above which input is held: a quarter of the limit. */
    private final long highWater;
    /** Output waiting at or below which held input is offered again: an eighth of the limit. */
    private final long lowWater;

    // ---- shared
    private volatile boolean closed;
    private final Object outLock = new Object();
    /** Unwritten output, oldest first. Guarded by outLock. */
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    /** Sum of the remaining bytes in {@link #out}. Guarded by outLock. */
    private long outBytes;
    /**
     * True while the loop thread offers what one read brought: every message sent meanwhile, from any
     * thread, is appended to {@link #batch} and the lot leaves in one write when the offer is done. A
     * pipelined burst then costs one write system call, not one per reply, and order is kept because
     * all senders go through the same lock. Guarded by outLock.
     */
    private boolean batching;
    /** Messages sent while batching; created on first use and reused. Guarded by outLock. */
    private byte[] batch;
    /** Bytes used in {@link #batch}. Guarded by outLock. */
    private int batchLen;
    /** Close once {@link #out} and the batch are written. Guarded by outLock. */
    private boolean closeAfterFlush;

    SocketConnection(SocketListener listener, IoLoop loop, SocketChannel channel, long id, long maxOutputBytes) {
        this.listener = listener;
        this.loop = loop;
        this.channel = channel;
        this.id = id;
        this.maxOutputBytes = maxOutputBytes;
        this.highWater = maxOutputBytes / 4;
        this.lowWater = maxOutputBytes / 8;
    }

    /** Registers with the loop and lets the protocol greet; the greeting leaves in one write. Loop thread. */
    void open(Protocol protocol) throws IOException {
        channel.configureBlocking(false);
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        beginBatch();
        try {
            handler = protocol.open(this);
        } finally {
            endBatch();
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String listenerAddress() {
        return listener.address();
    }

    // ---- reading (loop thread) ------------------------------------------------------------------

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (k.isWritable()) {
            flush();
            if (heldForOutput) {
                releaseIfDrained(); // held input goes on once enough has been written
            }
        }
        if (k.isValid() && k.isReadable() && !suspended && !heldForOutput && !inputEnded && !closed) {
            // Not suspended, so nothing is left unconsumed: the loop's buffer is all there is.
            ByteBuffer buf = loop.readBuffer();
            buf.clear();
            int n = channel.read(buf);
            if (n < 0) {
                inputEnded = true;
                k.interestOpsAnd(~SelectionKey.OP_READ);
            }
            buf.flip();
            offer(buf);
        }
    }

    /**
     * Offers input to the handler, then end of input once everything has been taken; keeps what a
     * suspending handler left. Loop thread.
     */
    private void offer(ByteBuffer input) {
        beginBatch();
        offering = true;
        try {
            if (input.hasRemaining()) {
                handler.received(input);
            }
            if (suspended || heldForOutput) {
                keep(input);
            } else if (!closed) {
                if (input.hasRemaining()) {
                    // The contract: a handler that does not suspend consumes everything.
                    LOG.warn("Connection {}: the protocol left {} bytes unread without suspending; closing",
                            id, input.remaining());
                    closeNow();
                } else if (inputEnded) {
                    if (!endNotified) {
                        endNotified = true;
                        handler.inputEnded();
                    }
                } else if (key.isValid()) {
                    key.interestOpsOr(SelectionKey.OP_READ);
                }
            }
        } finally {
            offering = false;
            endBatch();
        }
    }

    /**
     * Keeps the bytes a suspending handler left: a copy when they are in the loop's buffer (which the
     * next connection reuses), the buffer itself when it was already this connection's own.
     */
    private void keep(ByteBuffer input) {
        if (!input.hasRemaining()) {
            unconsumed = null;
        } else if (input == loop.readBuffer()) {
            unconsumed = ByteBuffer.allocate(input.remaining()).put(input).flip();
        } else {
            unconsumed = input;
        }
    }

    @Override
    public void suspendInput() {
        suspended = true;
        SelectionKey k = key;
        if (k != null && k.isValid()) {
            k.interestOpsAnd(~SelectionKey.OP_READ);
        }
    }

    @Override
    public void resumeInput() {
        if (suspended && !closed) {
            loop.execute(this::resume);
        }
    }

    /** True while the handler suspended input, and while input is held for the output backlog. */
    @Override
    public boolean inputSuspended() {
        return suspended || heldForOutput;
    }

    /** Loop thread. Inside an offer the handler goes on consuming; otherwise what is buffered is offered now. */
    private void resume() {
        if (closed || !suspended) {
            return;
        }
        suspended = false;
        if (!offering && !heldForOutput) {
            offerKept();
        }
    }

    /** Offers what was kept (or nothing, for a pending end of input). Loop thread, outside an offer. */
    private void offerKept() {
        ByteBuffer input = unconsumed != null ? unconsumed : EMPTY;
        unconsumed = null;
        offer(input);
    }

    /**
     * Holds input while the output backlog is above the high-water mark. Caller holds outLock; any
     * thread (clearing read interest is safe from any thread).
     */
    private void holdIfBacklogged() {
        if (!heldForOutput && outBytes + batchLen > highWater) {
            heldForOutput = true;
            SelectionKey k = key;
            if (k != null && k.isValid()) {
                k.interestOpsAnd(~SelectionKey.OP_READ);
            }
        }
    }

    /**
     * Offers held input again once the client has read the backlog down to the low-water mark. Loop
     * thread, outside an offer.
     */
    private void releaseIfDrained() {
        synchronized (outLock) {
            if (!heldForOutput || closed || batching || outBytes > lowWater) {
                return;
            }
            heldForOutput = false;
        }
        if (!suspended) {
            offerKept();
        }
    }

    // ---- writing (any thread) -------------------------------------------------------------------

    @Override
    public void send(byte[] bytes) {
        send(bytes, 0, bytes.length, false);
    }

    /** The caller reuses the array: copied into the batch, and what the socket does not take now is queued as a copy. */
    @Override
    public void send(byte[] bytes, int offset, int length) {
        send(bytes, offset, length, true);
    }

    private void send(byte[] bytes, int offset, int length, boolean copy) {
        boolean overflow;
        boolean wantWrite = false;
        synchronized (outLock) {
            if (closed) {
                return;
            }
            if (batching) {
                if (batch == null || batch.length - batchLen < length) {
                    byte[] bigger = new byte[Math.max(batch == null ? 4096 : batch.length * 2, batchLen + length)];
                    if (batch != null) {
                        System.arraycopy(batch, 0, bigger, 0, batchLen);
                    }
                    batch = bigger;
                }
                long before = outBytes + batchLen;
                System.arraycopy(bytes, offset, batch, batchLen, length);
                batchLen += length;
                // Input still flowed when this much waited (at most the high-water mark): a reply of any
                // size to a request that was read goes out. Past the mark, the limit holds.
                overflow = before > highWater && outBytes + batchLen > maxOutputBytes;
            } else {
                long before = outBytes;
                int queued = writeOrQueue(ByteBuffer.wrap(bytes, offset, length), copy);
                if (queued < 0) {
                    return;
                }
                wantWrite = queued > 0;
                overflow = before > highWater && outBytes > maxOutputBytes;
            }
            holdIfBacklogged();
        }
        if (overflow) {
            LOG.info("Disconnecting client {} of {}: more than {} bytes of output unread", id, listener.address(),
                    maxOutputBytes);
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
                // The client went away entirely (EPIPE, reset): nobody is left to answer.
                LOG.debug("Client {}: write failed: {}", id, e.toString());
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
        boolean closeNow = false;
        synchronized (outLock) {
            batching = false;
            if (closed) {
                batchLen = 0;
                return;
            }
            if (batchLen > 0) {
                // The batch array is reused: a remainder the socket did not take is queued as a copy.
                int queued = writeOrQueue(ByteBuffer.wrap(batch, 0, batchLen), true);
                batchLen = 0;
                if (batch.length > 64 * 1024) {
                    batch = null; // do not keep a big burst's buffer for an idle client
                }
                if (queued < 0) {
                    return;
                }
                wantWrite = queued > 0;
            }
            closeNow = closeAfterFlush && out.isEmpty();
        }
        if (closeNow) {
            closeNow();
            return;
        }
        if (wantWrite && key != null && key.isValid()) {
            key.interestOpsOr(SelectionKey.OP_WRITE);
        }
        if (heldForOutput) {
            // The batch may have left whole (a fast reader): then no OP_WRITE comes to release input.
            // Posted, not called: this runs at the end of an offer, which must not recurse.
            loop.execute(this::releaseIfDrained);
        }
    }

    /** Writes queued output. Loop thread, on OP_WRITE. */
    private void flush() throws IOException {
        boolean closeNow;
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
            closeNow = closeAfterFlush && !batching;
        }
        if (closeNow) {
            closeNow();
        }
    }

    /** Whether every reply due has been produced and has left this process. */
    boolean idle() {
        ConnectionHandler h = handler;
        if (closed || (h != null && h.busy())) {
            return closed;
        }
        synchronized (outLock) {
            return out.isEmpty() && batchLen == 0;
        }
    }

    // ---- closing ----------------------------------------------------------------------------------

    @Override
    public void closeWhenFlushed() {
        synchronized (outLock) {
            if (closed) {
                return;
            }
            closeAfterFlush = true;
            if (batching || !out.isEmpty()) {
                return; // endBatch() or flush() closes when the rest is written
            }
        }
        loop.execute(this::closeNow);
    }

    @Override
    public void close() {
        loop.execute(this::closeNow);
    }

    /** Closes the connection and tells the handler. Loop thread (or after the loop ended). */
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
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Close: {}", e.toString());
        }
        ConnectionHandler h = handler;
        if (h != null) {
            try {
                h.closed();
            } catch (RuntimeException e) {
                LOG.warn("Connection {}: the protocol failed while closing", id, e);
            }
        }
        listener.closed(this);
    }
}

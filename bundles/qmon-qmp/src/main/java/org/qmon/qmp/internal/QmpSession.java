package org.qmon.qmp.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Reply;
import org.qmon.qmp.internal.json.ByteSink;
import org.qmon.qmp.internal.json.JsonLimits;
import org.qmon.qmp.internal.json.JsonMessage;
import org.qmon.qmp.internal.json.JsonStreamer;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QMP client: the protocol on top of a transport {@link Connection}. It owns the session's
 * negotiation state and enabled capabilities, frames input with the QEMU-compatible
 * {@link JsonStreamer}, has each message checked by {@link RequestChecker}, hands commands to its
 * dispatcher session, and writes replies and events through {@link QmpOutput}.
 *
 * <p>Backpressure: in-band requests (and in-band errors) count towards {@link #inFlight}; when it
 * reaches the limit the session suspends the connection's input (QEMU's
 * {@code QMP_REQ_QUEUE_LEN_MAX} = 8, then {@code monitor_suspend}) and resumes it when a reply has been
 * sent, so the socket itself pushes back. While negotiating the limit is 1, so that
 * {@code qmp_capabilities} has switched the mode, and its reply is written, before the next request is
 * read.
 *
 * <p>End of input: every request read before it is answered, then the connection closes (QEMU answers
 * {@code printf '...' | socat - UNIX-CONNECT:...} in full too).
 *
 * <p>Threads: {@link #received}, {@link #inputEnded} and {@link #closed} run on the connection's I/O
 * thread; replies arrive on any thread. The fields shared between them are volatile or atomic; the
 * comments at each say who writes them.
 */
final class QmpSession implements ConnectionHandler, RequestChecker.SessionState {

    private static final Logger LOG = LoggerFactory.getLogger(QmpSession.class);
    private static final Logger WIRE = LoggerFactory.getLogger("org.qmon.qmp.wire");

    /** In-band requests a session may have queued before it stops reading (QEMU: 8). */
    static final int MAX_QUEUED = 8;

    private final QmpRuntime runtime;
    private final Connection connection;
    private final DispatchSession session;

    // ---- I/O thread only
    private final JsonStreamer streamer = new JsonStreamer(JsonLimits.QEMU);

    // ---- shared
    /** In-band requests read and not yet answered; up on the I/O thread, down by whoever answers. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Out-of-band requests not yet answered (for end of input and the listener's close). */
    private final AtomicInteger oobInFlight = new AtomicInteger();
    /** Written once by {@link #negotiate} (while nothing else of this session runs). */
    private volatile boolean negotiating = true;
    /**
     * True until the reply of a successful {@code qmp_capabilities} has been sent: the in-band window
     * stays at one request until then, so nothing pipelined behind {@code qmp_capabilities} (an
     * {@code exec-oob} request in particular) can be answered before its reply, as in QEMU.
     */
    private volatile boolean narrowWindow = true;
    /** Written once by {@link #negotiate}. */
    private volatile boolean oobEnabled;
    /** Written once by {@link #negotiate}: the client may send per-call deadlines. */
    private volatile boolean deadlinesEnabled;
    /** Set on the I/O thread at end of input; read by whoever answers the last request. */
    private volatile boolean inputEnded;
    /** Set once when the platform shuts down ({@code SHUTDOWN}): nothing more is executed. */
    private volatile boolean shuttingDown;
    /** Set when the session has been ended for shutdown: no reply is due any more. */
    private volatile boolean ended;

    QmpSession(QmpRuntime runtime, Connection connection) {
        this.runtime = runtime;
        this.connection = connection;
        this.session = runtime.dispatcher().openSession(CommandContext.FRONTEND_QMP, Set.of(),
                List.of(new QmpCapabilitiesCommand(this).local()));
    }

    long id() {
        return session.id();
    }

    // ---- negotiation ----------------------------------------------------------------------------

    @Override
    public boolean negotiating() {
        return negotiating;
    }

    @Override
    public boolean oobEnabled() {
        return oobEnabled;
    }

    @Override
    public boolean deadlinesEnabled() {
        return deadlinesEnabled;
    }

    @Override
    public boolean allowedBeforeNegotiation(String command) {
        return session.command(command).map(d -> d.allowBeforeNegotiation()).orElse(false);
    }

    /**
     * {@code qmp_capabilities}: enables the capabilities and leaves negotiation mode.
     *
     * @param capabilities the names asked for, without duplicates
     * @throws CommandException QEMU's errors: negotiation already done, a capability not offered
     */
    void negotiate(List<String> capabilities) throws CommandException {
        if (!negotiating) {
            throw new CommandException(ErrorClass.CommandNotFound,
                    "Capabilities negotiation is already complete, command ignored");
        }
        List<String> missing = capabilities.stream().filter(c -> !QmpCapabilitiesCommand.ACCEPTED.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw CommandException.generic("Capability " + String.join(", ", missing) + " not available");
        }
        oobEnabled = capabilities.contains(QmpCapabilitiesCommand.Capability.oob.name());
        deadlinesEnabled = capabilities.contains(DeadlineMember.CAPABILITY);
        session.capabilities(Set.copyOf(capabilities));
        negotiating = false;
    }

    // ---- input (I/O thread) -----------------------------------------------------------------------

    @Override
    public void received(ByteBuffer input) {
        for (;;) {
            if (shuttingDown) {
                input.position(input.limit()); // read, never executed: QEMU would not read it at all
                return;
            }
            if (connection.inputSuspended()) {
                // Held (the client's replies back up, or a resume is still on its way): the rest is
                // offered again, first, once reading goes on.
                return;
            }
            if (inFlight.get() >= limit()) {
                // Suspend before re-checking: an answer decrements inFlight before it looks at the
                // suspension, so one of the two always sees the other and reading cannot stall.
                connection.suspendInput();
                if (inFlight.get() >= limit()) {
                    return;
                }
                connection.resumeInput();
            }
            JsonMessage m = streamer.next(input);
            if (m == null) {
                return;
            }
            handle(m);
        }
    }

    private int limit() {
        return narrowWindow ? 1 : MAX_QUEUED;
    }

    private void handle(JsonMessage m) {
        if (WIRE.isTraceEnabled()) {
            WIRE.trace("session {} <- {}", session.id(), m.isError() ? m.error() : m.value());
        }
        RequestChecker.Outcome o = RequestChecker.check(m, this);
        JsonNode id = o.id();
        if (o instanceof RequestChecker.Run run) {
            if (run.outOfBand()) {
                oobInFlight.incrementAndGet();
                session.submit(run.command(), run.arguments(), true, run.deadlineMillis(), r -> answeredOutOfBand(r, id));
            } else {
                inFlight.incrementAndGet();
                session.submit(run.command(), run.arguments(), false, run.deadlineMillis(), r -> answered(r, id));
            }
            return;
        }
        Reply error = ((RequestChecker.Answer) o).reply();
        if (o.outOfBand()) {
            sendReply(error, id);
        } else {
            inFlight.incrementAndGet();
            session.submitReply(error, r -> answered(r, id));
        }
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
        closeIfDone();
    }

    /**
     * The platform is shutting down (QEMU's {@code quit}): like QEMU, which exits, the session executes
     * nothing after the request it is running, whose reply still leaves, and then closes. Requests
     * queued behind it are dropped unanswered, as QEMU never reads them. Any thread.
     */
    void shutdown() {
        shuttingDown = true;
        if (inFlight.get() == 0 && oobInFlight.get() == 0) {
            end();
        }
    }

    /** Ends the session for shutdown: queued requests dropped, the connection closed once flushed. */
    private void end() {
        ended = true;
        session.close();
        connection.closeWhenFlushed();
    }

    // ---- output (any thread) ----------------------------------------------------------------------

    /**
     * Serialises and sends a reply. A reply that cannot be written at all (not even as the error
     * {@link QmpOutput#reply} falls back to) closes the connection with a logged reason: the client then
     * sees the connection end instead of waiting for ever.
     */
    private void sendReply(Reply r, JsonNode id) {
        ByteSink out;
        try {
            out = runtime.output().replyInSink(r, id);
        } catch (RuntimeException e) {
            LOG.warn("QMP session {}: a reply cannot be written; closing the connection", session.id(), e);
            connection.close();
            return;
        }
        if (WIRE.isTraceEnabled()) {
            WIRE.trace("session {} -> {}", session.id(), new String(out.buf(), 0, out.length(), StandardCharsets.US_ASCII).trim());
        }
        // Straight from the thread's buffer: the connection copies it into its batch.
        connection.send(out.buf(), 0, out.length());
        out.trim();
    }

    /** An in-band reply: send it, free its queue slot, and resume reading if it had stopped. */
    private void answered(Reply r, JsonNode id) {
        sendReply(r, id);
        if (shuttingDown) {
            // Called from the session's delivery: closing it now keeps the queue from running on.
            end();
            return;
        }
        if (narrowWindow && !negotiating) {
            // This was qmp_capabilities' reply: the only in-band request in flight while negotiating.
            narrowWindow = false;
        }
        inFlight.decrementAndGet();
        if (connection.inputSuspended()) {
            connection.resumeInput();
        }
        closeIfDone();
    }

    private void answeredOutOfBand(Reply r, JsonNode id) {
        sendReply(r, id);
        if (shuttingDown) {
            end();
            return;
        }
        oobInFlight.decrementAndGet();
        closeIfDone();
    }

    /** After end of input, close once the last request is answered. */
    private void closeIfDone() {
        if (inputEnded && inFlight.get() == 0 && oobInFlight.get() == 0) {
            connection.closeWhenFlushed();
        }
    }

    /** Sends one line to this client. */
    void send(byte[] bytes) {
        if (WIRE.isTraceEnabled()) {
            WIRE.trace("session {} -> {}", session.id(), new String(bytes, StandardCharsets.US_ASCII).trim());
        }
        connection.send(bytes);
    }

    /** An event: negotiated sessions only (QEMU drops events for monitors still negotiating). */
    void event(byte[] bytes) {
        if (!negotiating) {
            send(bytes);
        }
    }

    @Override
    public boolean busy() {
        return !ended && (inFlight.get() > 0 || oobInFlight.get() > 0);
    }

    @Override
    public void closed() {
        runtime.closed(this);
        session.close();
        streamer.reset();
        LOG.debug("QMP session {} closed", session.id());
    }
}

package org.qmon.hmp.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.qmon.api.CommandContext;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One human monitor on a socket: the banner, the prompt, lines in, text out, CRLF line ends.
 *
 * <p>Lines end with CR, LF or CRLF (telnet sends CRLF, socat LF, expect CR; CRLF counts as one line
 * end, so a telnet user gets one prompt per line). There is no echo and no line editing: the client's
 * terminal echoes what is typed, and editing, history and completion are the client's (e.g.
 * {@code socat READLINE UNIX-CONNECT:...}). A line over {@link HmpText#MAX_LINE} bytes is discarded up
 * to its end and refused with a message; so is one that is not UTF-8 or holds a control character. A
 * last line without a line end, when the input ends, is not run (as in QEMU).
 *
 * <p>Suspended while a command runs (QEMU's {@code monitor_suspend}): once a line has been handed to
 * the interpreter, no further byte is consumed until its output and the next prompt have been sent;
 * input that arrives meanwhile stays in the transport, which stops reading the socket. When the QMP
 * command is non-blocking and the session idle, the dispatcher runs it on this I/O thread and the output
 * is sent before the next line is looked at, without suspending at all.
 *
 * <p>Threads: {@link #received}, {@link #inputEnded} and {@link #closed} run on the connection's I/O
 * thread, which alone touches the line buffer. {@link #finished} runs on whatever thread completes the
 * command. {@link #running} is the hand-over between them: set by the I/O thread before it submits,
 * cleared by {@link #finished} after the output is sent; each side re-checks it after acting so that
 * neither a resume nor a close is lost (see {@link #received} and {@link #inputEnded}).
 */
final class HmpConnection implements ConnectionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HmpConnection.class);

    private final HmpRuntime runtime;
    private final Connection connection;
    private final DispatchSession session;

    // ---- I/O thread only
    private final byte[] line = new byte[HmpText.MAX_LINE];
    private int length;
    private boolean overflow;
    private boolean afterCr;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    // ---- shared
    /** A line has been handed to the interpreter and its output is not yet sent. */
    private final AtomicBoolean running = new AtomicBoolean();
    /** Set on the I/O thread at end of input. */
    private volatile boolean inputEnded;
    /** The platform is shutting down ({@code SHUTDOWN}): nothing more is run. Set by any thread. */
    private volatile boolean shuttingDown;

    HmpConnection(HmpRuntime runtime, Connection connection) {
        this.runtime = runtime;
        this.connection = connection;
        this.session = runtime.dispatcher().openSession(CommandContext.FRONTEND_HMP, Set.of());
    }

    /** Sends the banner and the first prompt. */
    void greet() {
        connection.send(runtime.banner());
    }

    @Override
    public void received(ByteBuffer input) {
        while (input.hasRemaining()) {
            if (shuttingDown) {
                input.position(input.limit()); // read, never run: QEMU's quit suspends the monitor
                return;
            }
            if (connection.inputSuspended()) {
                // Held (the client's output backs up, or a resume is still on its way): the rest is
                // offered again, first, once reading goes on.
                return;
            }
            if (running.get()) {
                // Suspend before re-checking: finished() clears running before it looks at the
                // suspension, so one of the two always sees the other and reading cannot stall.
                connection.suspendInput();
                if (running.get()) {
                    return;
                }
                connection.resumeInput();
            }
            byte b = input.get();
            if (afterCr) {
                afterCr = false;
                if (b == '\n' || b == 0) {
                    // CR LF, or a telnet client's CR NUL (RFC 854): one line end.
                    continue;
                }
            }
            if (b == '\r' || b == '\n') {
                afterCr = b == '\r';
                endOfLine();
            } else if (length < line.length) {
                line[length++] = b;
            } else {
                overflow = true;
            }
        }
    }

    private void endOfLine() {
        String error = null;
        String text = null;
        if (overflow) {
            error = HmpText.TOO_LONG;
        } else {
            try {
                text = utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
                error = HmpText.check(text);
            } catch (CharacterCodingException e) {
                error = HmpText.NOT_UTF8;
            }
        }
        length = 0;
        overflow = false;
        if (error != null) {
            LOG.debug("HMP session {}: {}", session.id(), error);
            send(error + "\r\n" + HmpText.PROMPT);
            return;
        }
        running.set(true);
        runtime.interpreter().run(text, session, this::finished);
    }

    /** The command's output is known (any thread): send it with the prompt, then read on. */
    private void finished(String output) {
        send(HmpText.crlf(output) + HmpText.PROMPT);
        running.set(false);
        if (inputEnded || shuttingDown) {
            connection.closeWhenFlushed();
        } else if (connection.inputSuspended()) {
            connection.resumeInput();
        }
    }

    private void send(String text) {
        connection.send(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The platform is shutting down ({@code quit} from any monitor): like QEMU's, which suspends the
     * monitor at {@code quit} and exits, this one runs no further line; the line running now (the
     * {@code quit}) still gets its output, then the connection closes. Any thread; {@link #finished}
     * closes when a line is running, so whichever of the two comes second does.
     */
    void shutdown() {
        shuttingDown = true;
        if (!running.get()) {
            connection.closeWhenFlushed();
        }
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
        if (!running.get()) {
            connection.closeWhenFlushed();
        }
    }

    @Override
    public boolean busy() {
        return running.get();
    }

    @Override
    public void closed() {
        // Cancels the running command, if any: its Completion sees the cancellation, its output is dropped.
        session.close();
        runtime.closed(this);
        LOG.debug("HMP session {} closed", session.id());
    }
}

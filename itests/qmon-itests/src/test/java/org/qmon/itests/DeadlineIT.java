package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/**
 * Per-call deadlines on the real socket: off by default (the member is QEMU's unexpected member and
 * the greeting is QEMU's), enabled with the {@code x-deadline} capability; a deadline that passes
 * answers with an error and cancels the handler, one that does not changes nothing; a command's
 * declared {@code timeout} applies without any.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeadlineIT extends QmonTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Completes when the test says so; counts its cancellations. */
    public static final class Later implements AsyncCommand<NoArguments, String> {
        final LinkedBlockingQueue<Completion<String>> pending = new LinkedBlockingQueue<>();
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public void execute(NoArguments a, Completion<String> completion, CommandContext c) {
            completion.onCancel(cancelled::countDown);
            pending.add(completion);
        }
    }

    /** A raw QMP connection: lines out, lines in, each read bounded. */
    static final class Raw implements AutoCloseable {
        final SocketChannel ch;
        final Selector selector;
        final StringBuilder pending = new StringBuilder();
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        Raw(String address) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(Path.of(address.substring("unix:".length()))));
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        }

        void send(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        /** The next message that is not an event. */
        JsonNode reply() throws IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String l = pending.substring(0, nl).trim();
                    pending.delete(0, nl + 1);
                    JsonNode n = JSON.readTree(l);
                    if (!n.has("event")) {
                        return n;
                    }
                    continue;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no reply within " + WAIT);
                }
                if (selector.select(left) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new AssertionError("connection closed");
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }

    private Raw open(String negotiation) throws IOException {
        Raw r = new Raw(address);
        JsonNode greeting = r.reply();
        assertEquals("[\"oob\"]", greeting.get("QMP").get("capabilities").toString());
        r.send(negotiation);
        assertEquals("{}", r.reply().get("return").toString());
        return r;
    }

    private static final String WITH_DEADLINES =
            "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"x-deadline\"]}}";

    @Test
    public void aDeadlineThatPassesAnswersWithAnErrorAndCancelsTheHandler() throws Exception {
        Later later = new Later();
        String name = register(AsyncCommand.class, later, "later");
        try (Raw r = open(WITH_DEADLINES)) {
            long t0 = System.nanoTime();
            r.send("{\"execute\": \"" + name + "\", \"x-deadline\": 0.5, \"id\": 1}");
            JsonNode reply = r.reply();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("GenericError", reply.get("error").get("class").asText());
            assertEquals("Command " + name + " timed out after 0.5 s", reply.get("error").get("desc").asText());
            assertEquals(1, reply.get("id").asInt());
            assertTrue("fired after " + took + " ms", took >= 500);
            assertTrue("the handler saw the cancellation", later.cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(later.pending.poll().isCancelled());
            // The session goes on.
            r.send("{\"execute\": \"query-status\", \"id\": 2}");
            assertEquals("running", r.reply().get("return").get("status").asText());
        }
    }

    @Test
    public void aDeadlineThatDoesNotPassChangesNothing() throws Exception {
        Later later = new Later();
        String name = register(AsyncCommand.class, later, "later");
        try (Raw r = open(WITH_DEADLINES)) {
            r.send("{\"execute\": \"" + name + "\", \"x-deadline\": 60, \"id\": 1}");
            Completion<String> c = later.pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(c);
            assertTrue(c.complete("in time"));
            JsonNode reply = r.reply();
            assertEquals("in time", reply.get("return").asText());
            assertEquals(1, later.cancelled.getCount());
            r.send("{\"execute\": \"query-status\", \"x-deadline\": 5, \"id\": 2}");
            assertEquals("running", r.reply().get("return").get("status").asText());
        }
    }

    @Test
    public void clientsThatDidNotAskSeeQemusProtocol() throws Exception {
        try (Raw r = open("{\"execute\": \"qmp_capabilities\"}")) {
            r.send("{\"execute\": \"query-status\", \"x-deadline\": 5, \"id\": 1}");
            JsonNode reply = r.reply();
            assertEquals("QMP input member 'x-deadline' is unexpected", reply.get("error").get("desc").asText());
        }
        try (Raw r = open(WITH_DEADLINES)) {
            r.send("{\"execute\": \"query-status\", \"x-deadline\": \"soon\", \"id\": 1}");
            assertEquals("QMP input member 'x-deadline' must be a number", r.reply().get("error").get("desc").asText());
        }
    }

    @Test
    public void aCommandsDeclaredTimeoutAppliesWithoutADeadline() throws Exception {
        Later later = new Later();
        String name = "declared-" + UUID.randomUUID().toString().substring(0, 8);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(QmpCommand.NAME, name);
        props.put(QmpCommand.TIMEOUT, 0.3);
        ServiceRegistration<?> reg = context.registerService(AsyncCommand.class.getName(), later, props);
        try {
            awaitCondition(() -> dispatcherHas(name, true), name + " registered");
            try (Raw r = open("{\"execute\": \"qmp_capabilities\"}")) {
                r.send("{\"execute\": \"" + name + "\", \"id\": 1}");
                assertEquals("Command " + name + " timed out after 0.3 s", r.reply().get("error").get("desc").asText());
                assertTrue(later.cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            reg.unregister();
        }
    }
}

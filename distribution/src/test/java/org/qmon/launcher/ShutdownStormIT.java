package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quit} with 1,000 requests in flight on ten other connections, against the packaged jar: every
 * connection gets replies, in order, to a prefix of what it sent (a result, or the departure error of a
 * command whose bundle stopped first) and then a clean close (never half a line, never a reply out of
 * order), and the process exits 0 within the stated bound (15 s).
 */
class ShutdownStormIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 10;
    private static final int REQUESTS = 100;
    private static final long EXIT_BOUND_SECONDS = 15;

    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        return ch;
    }

    @Test
    void quitWithAThousandRequestsInFlightAnswersOrClosesCleanlyAndExitsZero() throws Exception {
        Path sock = dir.resolve("s.sock");
        Files.createDirectories(dir.resolve("tmp"));
        // QmonJar's command line, but the output to qmon.log (the wait below reads it) rather than its reader.
        process = new ProcessBuilder(QmonJar.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp")),
                List.of("-qmp", "unix:" + sock + ",server=on,wait=off", "-display", "none",
                        "-bundle", System.getProperty("qmon.bench.commands.jar"))))
                .redirectErrorStream(true).redirectOutput(dir.resolve("qmon.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(dir.resolve("qmon.log")).contains("qmon: ready in")) {
            assertTrue(System.nanoTime() < deadline && process.isAlive(), "qmon did not start");
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        int[] answered = new int[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            SocketChannel ch = connect(sock);
            StringBuilder req = new StringBuilder("{\"execute\": \"qmp_capabilities\"}\n");
            for (int i = 0; i < REQUESTS; i++) {
                // Asynchronous work that takes a while, so most of these are queued or running at quit.
                req.append(i % 2 == 0 ? "{\"execute\": \"bench-sleep\", \"arguments\": {\"ms\": 20}, \"id\": " + i + "}\n"
                        : "{\"execute\": \"query-status\", \"id\": " + i + "}\n");
            }
            ByteBuffer b = ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            int n = c;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII))) {
                    r.readLine(); // greeting
                    int expected = 0;
                    for (String line; (line = r.readLine()) != null;) {
                        JsonNode j = JSON.readTree(line); // a half line would not parse
                        if (j.has("event")) {
                            continue;
                        }
                        if (!j.has("id")) {
                            continue; // qmp_capabilities' reply
                        }
                        if (j.get("id").asInt() != expected) {
                            problems.add("client " + n + ": id " + j.get("id") + " where " + expected + " was due");
                        }
                        // A result, or the documented error of a command whose bundle the framework stopped
                        // first (bundles stop in reverse order: the command bundle before the frontend).
                        if (!j.has("return") && !j.path("error").path("desc").asText().endsWith(
                                "has been removed while it was running")) {
                            problems.add("client " + n + ": " + line);
                        }
                        expected++;
                    }
                    answered[n] = expected;
                } catch (IOException e) {
                    problems.add("client " + n + ": " + e);
                }
            }, "storm-reader-" + c);
            t.start();
            readers.add(t);
        }
        long quitAt = System.nanoTime();
        try (SocketChannel q = connect(sock)) {
            q.write(ByteBuffer.wrap("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"quit\"}\n".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(process.waitFor(EXIT_BOUND_SECONDS, TimeUnit.SECONDS), "the process exits within the bound");
        }
        double seconds = (System.nanoTime() - quitAt) / 1e9;
        assertEquals(0, process.exitValue());
        for (Thread t : readers) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!t.isAlive(), "every connection is closed");
        }
        assertEquals(List.of(), List.copyOf(problems));
        int total = 0;
        for (int a : answered) {
            total += a;
        }
        System.out.printf("shutdown storm: %d of %d requests answered before the clean close; exit 0 %.2f s after quit%n",
                total, CLIENTS * REQUESTS, seconds);
    }
}

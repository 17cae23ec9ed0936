import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes the distribution's class-data sharing archive, {@code qmon.jsa}, at build time: one training
 * start of the packaged jar under {@code -XX:ArchiveClassesAtExit}, driven as a client drives it, then
 * {@code quit}. The JVM writes the classes it loaded and linked (the launcher's, Felix's, and those of the
 * bundles) to the archive when it exits, and a later {@code java -XX:SharedArchiveFile=qmon.jsa -jar
 * qmon.jar} maps them instead of loading, parsing and verifying them again: the largest single part of
 * the start is that work (docs/reliability.md, "Footprint").
 *
 * <p>Run by the distribution's build ({@code java CdsTraining.java JAR ARCHIVE}, a single-file program
 * so that it is never part of the jar). The training drives what a first client does: QMP negotiation,
 * a query, an error, {@code human-monitor-command} and a line on the human monitor's socket, so that
 * those classes are in the archive too. No more than that: the JDK this was measured on (Debian's 17.0.15)
 * relocates the whole archive at every start (its {@code ArchiveRelocationMode} is 1), so every archived class costs resident memory
 * whether the start uses it or not. Training with the schema, {@code qom-list} and both screendump
 * formats as well made a 16 MB archive instead of 14 MB and an idle qmon 2 MiB larger, for no faster
 * start. Exit status 0
 * only when qmon answered everything, exited with 0, and the archive exists; anything else fails the
 * build, since a distribution that cannot do this much is broken. Every wait is bounded: a watchdog
 * ends the training start after {@link #LIMIT_SECONDS}.
 */
public final class CdsTraining {

    /** The whole training's bound: a start takes about a second here; a loaded CI machine, more. */
    private static final long LIMIT_SECONDS = 180;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java CdsTraining.java QMON_JAR ARCHIVE");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path archive = Path.of(args[1]).toAbsolutePath();
        Path skipped = skippedMarker(archive);
        Files.deleteIfExists(archive);
        Files.deleteIfExists(skipped);
        // Short, private paths: a unix socket's path is limited to 107 bytes, a build directory is not.
        Path dir = Files.createTempDirectory("qmon-cds");
        int status = 0;
        try {
            String unable = unableToArchive(dir);
            if (unable != null) {
                // Not the distribution's fault: a JDK without a base archive (a jlink image made without
                // --generate-cds-archive), or -Xshare:off in JAVA_TOOL_OPTIONS. qmon runs the same on it.
                Files.writeString(skipped, unable + "\n", StandardCharsets.UTF_8);
                System.out.println("CdsTraining: WARNING: this JVM cannot make a class-data sharing archive, so the"
                        + " distribution has no " + archive.getFileName() + " and starts without one; the JVM said: " + unable);
            } else {
                train(jar, archive, dir);
                if (jar.toString().contains(" ")) {
                    System.out.println("CdsTraining: WARNING: the jar's path holds a space: JDK 17 then archives the"
                            + " bundles' classes but not the launcher's or Felix's; build from a path without one"
                            + " for the whole archive");
                }
            }
        } catch (TrainingFailed e) {
            System.err.println("CdsTraining: " + e.getMessage());
            status = 1;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // After the finally block, so that a failed training leaves no directory behind either.
        System.exit(status);
    }

    /**
     * The file the training writes instead of the archive when this JVM cannot make one: its first line
     * is why ({@code CdsArchiveIT} skips with it).
     */
    static Path skippedMarker(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".skipped");
    }

    /**
     * Asks this JVM to make an archive of nothing ({@code -version}) first, so that a JVM that cannot
     * make one at all is told apart from a distribution that cannot start.
     *
     * @return {@code null} when it can, else what it printed
     */
    private static String unableToArchive(Path dir) throws IOException, InterruptedException {
        Path probe = dir.resolve("probe.jsa");
        Path out = dir.resolve("probe.txt");
        Process p = new ProcessBuilder(javaBinary(), "-XX:ArchiveClassesAtExit=" + probe, "-version")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "java -XX:ArchiveClassesAtExit=... -version did not end within " + LIMIT_SECONDS + " s";
        }
        if (p.exitValue() == 0 && Files.isRegularFile(probe) && Files.size(probe) > 0) {
            return null;
        }
        String said = String.join(" | ", Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.startsWith("openjdk version") && !l.contains("Runtime Environment") && !l.contains("64-Bit"))
                .toList());
        return "exit status " + p.exitValue() + (said.isEmpty() ? "" : ": " + said);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void train(Path jar, Path archive, Path dir) throws Exception {
        Path qmp = dir.resolve("q.sock");
        Path hmp = dir.resolve("m.sock");
        Process qmon = new ProcessBuilder(javaBinary(), "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(),
                "-qmp", "unix:" + qmp, "-monitor", "unix:" + hmp)
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Output log = new Output(qmon.getInputStream());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "training-watchdog");
            t.setDaemon(true);
            return t;
        });
        // A hung start or a reply that never comes: ending the process closes its sockets, so every
        // blocking read below returns end of input and the training fails with the log.
        watchdog.schedule(qmon::destroyForcibly, LIMIT_SECONDS, TimeUnit.SECONDS);
        try {
            String ready;
            try {
                ready = log.ready.get(LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw fail("qmon was not ready: " + e.getCause().getMessage(), log);
            } catch (TimeoutException e) {
                throw fail("qmon was not ready within " + LIMIT_SECONDS + " s", log);
            }
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(qmp))) {
                // (an IOException here, the watchdog's end included, is reported below with the output)
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(ch);
                expect(in, "{\"QMP\"");
                int id = 0;
                for (String request : List.of(
                        "{\"execute\":\"qmp_capabilities\"}",
                        "{\"execute\":\"query-status\"}",
                        "{\"execute\":\"query-commands\"}",
                        "{\"execute\":\"no-such-command\"}",
                        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info status\"}}")) {
                    id++;
                    String tagged = request.substring(0, request.length() - 1) + ",\"id\":" + id + "}\n";
                    out.write(tagged.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    expect(in, "\"id\": " + id + "}");
                }
                humanMonitor(hmp);
                out.write("{\"execute\":\"quit\",\"id\":\"quit\"}\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                expect(in, "\"id\": \"quit\"}");
            } catch (IOException e) {
                throw fail("talking to qmon: " + e.getMessage(), log);
            }
            if (!qmon.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS) || qmon.exitValue() != 0) {
                throw fail("qmon did not exit with status 0 after quit", log);
            }
            if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
                throw fail("qmon exited but wrote no archive " + archive, log);
            }
            System.out.printf("CdsTraining: %s, %.1f MiB, from a training start that said: %s%n",
                    archive.getFileName(), Files.size(archive) / 1048576.0, ready);
        } finally {
            qmon.destroyForcibly();
            watchdog.shutdownNow();
        }
    }

    /**
     * The training start's output, read on a thread of its own (the archive writer's warnings at exit are
     * hundreds of lines, so the pipe must be drained): completes {@link #ready} with the launcher's
     * "qmon: ready" line, and keeps the last lines other than those warnings for a failure's report.
     */
    private static final class Output {
        final CompletableFuture<String> ready = new CompletableFuture<>();
        /** The last {@link #KEEP} lines; guarded by itself. */
        private final Deque<String> last = new ArrayDeque<>();
        private static final int KEEP = 40;

        Output(InputStream stream) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null;) {
                        if (l.startsWith("qmon: ready in")) {
                            ready.complete(l);
                        }
                        if (!l.contains("[cds")) {
                            synchronized (last) {
                                last.addLast(l);
                                if (last.size() > KEEP) {
                                    last.removeFirst();
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                }
                ready.completeExceptionally(new IOException("its output ended"));
            }, "training-output");
            t.setDaemon(true);
            t.start();
        }

        List<String> lastLines() {
            synchronized (last) {
                return new ArrayList<>(last);
            }
        }
    }

    /** Reads lines until one contains {@code text}; fails at end of input. */
    private static void expect(BufferedReader in, String text) throws IOException {
        List<String> seen = new ArrayList<>();
        for (String l; (l = in.readLine()) != null;) {
            if (l.contains(text)) {
                return;
            }
            seen.add(l.length() > 200 ? l.substring(0, 200) + "..." : l);
        }
        throw new IOException("end of input before a line with " + text + "; read: " + seen);
    }

    /** One line on the human monitor's socket, read back up to its answer. */
    private static void humanMonitor(Path hmp) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(hmp))) {
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            out.write("info status\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().contains("VM status")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("human monitor: end of input after: " + sb);
                }
                sb.append((char) c);
            }
        }
    }

    /** The training failed: why, with the last lines of qmon's output. */
    private static TrainingFailed fail(String why, Output log) {
        return new TrainingFailed(why + "; the last lines of its output:\n" + String.join("\n", log.lastLines()));
    }

    private static final class TrainingFailed extends Exception {
        private static final long serialVersionUID = 1L;

        TrainingFailed(String message) {
            super(message);
        }
    }
}

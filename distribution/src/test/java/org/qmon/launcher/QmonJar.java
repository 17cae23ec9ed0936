package org.qmon.launcher;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar started as a user starts it, {@code java -jar qmon.jar} with QEMU-style options,
 * headless (stdin at end of file), for the integration tests of this package: its output (stdout and
 * stderr together) is read line by line on a daemon thread, so that a test can wait, bounded, for the
 * line that says qmon is ready or why it refused to start.
 *
 * <p>The jar is the one failsafe names in the system property {@code qmon.distribution.jar}. Each start
 * has its own output queue, so lines of an earlier process in the same test are never mistaken for
 * the next one's.
 */
final class QmonJar {

    private final Process process;
    private final Thread reader;
    private final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();
    /** The bound on each wait for a line: the calling test's own (a slow start differs per test). */
    private final long waitSeconds;

    private QmonJar(Process process, long waitSeconds) {
        this.process = process;
        this.waitSeconds = waitSeconds;
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    output.add(l);
                }
            } catch (IOException e) {
                output.add("<read failed: " + e + ">");
            }
        }, "qmon-output");
        // A test that fails mid-way must not keep the JVM alive on a reader nobody joins.
        reader.setDaemon(true);
        reader.start();
    }

    /** The java binary of the JVM running the tests, so that qmon runs on the same JDK. */
    static Path javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** {@code java jvmOptions -jar qmon.jar args}: the command line, for a test that starts it itself. */
    static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary().toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(System.getProperty("qmon.distribution.jar"));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts {@code java -jar qmon.jar args} in {@code dir}; each wait for a line is bounded by {@code waitSeconds}. */
    static QmonJar start(Path dir, long waitSeconds, String... args) throws IOException {
        return start(dir, waitSeconds, List.of(), args);
    }

    /** As {@link #start(Path, long, String...)}, with options for the JVM before {@code -jar}. */
    static QmonJar start(Path dir, long waitSeconds, List<String> jvmOptions, String... args) throws IOException {
        Process process = new ProcessBuilder(command(jvmOptions, List.of(args))).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new QmonJar(process, waitSeconds);
    }

    Process process() {
        return process;
    }

    /** Waits (bounded) for a line of output that starts with the prefix, and returns it. */
    String awaitLine(String prefix) throws InterruptedException {
        List<String> seen = linesUntil(prefix);
        return seen.get(seen.size() - 1);
    }

    /** Waits (bounded) for a line of output that starts with the prefix; returns every line read, that one last. */
    List<String> linesUntil(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            // A short poll, not one long one, so that the deadline is checked between lines.
            String l = output.poll(100, TimeUnit.MILLISECONDS);
            if (l != null) {
                seen.add(l);
                if (l.startsWith(prefix)) {
                    return seen;
                }
            } else if (!reader.isAlive() && output.isEmpty()) {
                // The output has ended (the JVM refused an option, the launcher failed): no need to
                // wait out the deadline for a line that can no longer come.
                throw new AssertionError("the output ended (" + (process.isAlive() ? "process still running"
                        : "exit status " + process.exitValue()) + ") with no line starting with '" + prefix + "'; output was: " + seen);
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "'; output was: " + seen);
    }

    /** The lines read so far and not yet consumed by a wait. */
    List<String> drainOutput() {
        List<String> rest = new ArrayList<>();
        output.drainTo(rest);
        return rest;
    }

    /** Waits (bounded) until the process's output has ended and every line of it is queued. */
    void awaitEndOfOutput() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(waitSeconds));
    }

    /** Stops the process if it still runs: politely first, forcibly if it has not ended within 10 s. */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}

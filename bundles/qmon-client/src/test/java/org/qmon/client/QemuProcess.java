package org.qmon.client;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A QEMU process started by a test, with its QMP monitor on {@code <dir>/q.sock} (QEMU listens), or,
 * for the client's accept mode, connecting to a socket the client listens on. Only the process
 * started here is ever stopped, through its own {@link Process} handle.
 */
final class QemuProcess implements AutoCloseable {
    static final String BINARY = "qemu-system-x86_64";
    private static final long START_SECONDS = 30;

    private final Process process;
    private final Path socket;
    private final Path log;

    private QemuProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    /** Whether {@value #BINARY} is an executable file on the PATH. */
    static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    /** Skips the calling test class unless QEMU is installed. */
    static void assumeAvailable() {
        Assumptions.assumeTrue(available(), BINARY + " is not on the PATH: skipping the QEMU interop tests");
    }

    /**
     * Starts QEMU with the given machine options plus {@code -qmp unix:<dir>/q.sock,server=on,wait=off},
     * and waits (bounded) until the socket file exists.
     */
    static QemuProcess start(Path dir, String... machineOptions) throws IOException, InterruptedException {
        Path socket = dir.resolve("q.sock");
        Path log = dir.resolve("qemu.log");
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        command.addAll(List.of(machineOptions));
        command.add("-qmp");
        command.add("unix:" + socket + ",server=on,wait=off");
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            // Registered before QEMU starts, so the socket's creation cannot be missed.
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            QemuProcess qemu = new QemuProcess(process, socket, log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
            while (!Files.exists(socket)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("QEMU exited with " + process.exitValue() + ": " + qemu.log());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    qemu.close();
                    throw new IllegalStateException("QEMU did not create " + socket + " within " + START_SECONDS + " s");
                }
                // Wakes up on any file created in dir; the bound re-checks that QEMU is still alive.
                var key = watch.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
            return qemu;
        }
    }

    /**
     * Starts QEMU with {@code -qmp unix:SOCKET} without {@code server=on}: QEMU connects to
     * {@code socket}, where the client must already listen (accept mode), and exits if nobody does.
     */
    static QemuProcess startConnectingTo(Path dir, Path socket, String... machineOptions) throws IOException {
        Path log = dir.resolve("qemu-connecting.log");
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        command.addAll(List.of(machineOptions));
        command.add("-qmp");
        command.add("unix:" + socket);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new QemuProcess(process, socket, log);
    }

    /**
     * Connects a client. QEMU binds and then listens; a connect in between is refused, so a refusal
     * is retried until the deadline, pausing on the process (which returns at once if QEMU dies).
     */
    QmpClient connect(QmpClientOptions options) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (true) {
            try {
                return QmpClient.connect("unix:" + socket, options);
            } catch (QmpConnectException e) {
                if (!(e.getCause() instanceof ConnectException) || System.nanoTime() > deadline || !process.isAlive()) {
                    throw e;
                }
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Waits (bounded) for QEMU to exit by itself, e.g. after {@code quit}; returns whether it did. */
    boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** The exit code; only after {@link #awaitExit(long)} returned {@code true}. */
    int exitValue() {
        return process.exitValue();
    }

    Path socket() {
        return socket;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the QEMU process this object started: SIGTERM, then SIGKILL after a bounded wait. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

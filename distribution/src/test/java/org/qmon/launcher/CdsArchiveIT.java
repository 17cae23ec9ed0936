package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command starts the distribution, and the class-data sharing archive the build makes
 * ({@code qmon.jsa}, src/build/CdsTraining.java) is one this JDK can use for this jar, and holds what the
 * start loads: the launcher's classes, Felix's, and those of the bundles (loaded by Felix's own class
 * loaders, which the JVM archives too). The JVM options are read from the README's command itself, so
 * that a reader's copy of it is the command tested; {@code -Xshare:on} makes the JVM refuse to start at
 * all if the archive does not fit.
 */
class CdsArchiveIT {

    private static final long WAIT = 60;

    @TempDir
    Path dir;

    /** The run command's mark in the README: its JVM options are what precedes it on the line. */
    private static final String RUN = " -jar distribution/target/qmon.jar";

    @Test
    void theReadmeRunCommandStartsWithTheBuiltArchiveForTheLauncherFelixAndTheBundles() throws Exception {
        Path archive = Path.of(System.getProperty("qmon.distribution.cds"));
        Path skipped = archive.resolveSibling(archive.getFileName() + ".skipped");
        // The training writes this instead when the JVM cannot make an archive at all (no base archive,
        // -Xshare:off): the distribution is then built without one, and there is nothing to check.
        Assumptions.assumeFalse(Files.exists(skipped) && !Files.exists(archive),
                () -> "this JVM makes no class-data archive: " + readQuietly(skipped));
        assertTrue(Files.isRegularFile(archive), "the build made " + archive);
        List<String> readme = readmeOptions(archive.getParent());
        assertTrue(readme.contains("-XX:SharedArchiveFile=" + archive), "the README's command uses the archive: " + readme);
        Path classes = dir.resolve("classes.txt");
        List<String> options = new ArrayList<>(readme);
        options.addAll(List.of("-Xshare:on", "-Xlog:class+load=info:file=" + classes));
        QmonJar qmon = QmonJar.start(dir, WAIT, options, "-qmp", "unix:" + dir.resolve("q.sock"), "-display", "none");
        try {
            qmon.awaitLine("qmon: ready in");
        } finally {
            qmon.stop();
        }
        assertEquals(143, qmon.process().waitFor(WAIT, TimeUnit.SECONDS) ? qmon.process().exitValue() : -1,
                "a clean stop on SIGTERM");
        List<String> log = Files.readAllLines(classes, StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>(List.of("org.apache.felix.scr.impl.Activator",
                "org.qmon.dispatcher.internal.DispatcherImpl", "org.qmon.transport.internal.SocketListener"));
        // JDK 17 archives none of the jar's own classes when its path holds a space (the training warns).
        if (!System.getProperty("qmon.distribution.jar").contains(" ")) {
            names.addAll(List.of("org.qmon.launcher.Main", "org.apache.felix.framework.Felix"));
        }
        for (String name : names) {
            List<String> loads = log.stream().filter(l -> l.contains(" " + name + " ")).collect(Collectors.toList());
            assertEquals(1, loads.size(), name + " loaded once: " + loads);
            assertTrue(loads.get(0).contains("source: shared objects file (top)"), name + " from the archive: " + loads.get(0));
        }
        long fromArchive = log.stream().filter(l -> l.contains("source: shared objects file (top)")).count();
        assertTrue(fromArchive > 1000, "most of the start's classes come from the archive: " + fromArchive);
    }

    /**
     * The JVM options of the README's run command ({@code java OPTIONS -jar distribution/target/qmon.jar}),
     * with {@code distribution/target/} (the README runs from the checkout's root) made the build's
     * directory.
     */
    private static List<String> readmeOptions(Path target) throws java.io.IOException {
        Path readme = Path.of(System.getProperty("qmon.readme"));
        String line = Files.readAllLines(readme, StandardCharsets.UTF_8).stream().filter(l -> l.contains(RUN)).findFirst()
                .orElseThrow(() -> new AssertionError(readme + " has a run command, java ..." + RUN));
        String before = line.substring(0, line.indexOf(RUN));
        int java = before.lastIndexOf("java ");
        assertTrue(java >= 0, "the run command starts with java: " + line);
        List<String> options = new ArrayList<>();
        for (String o : before.substring(java + "java ".length()).trim().split(" +")) {
            options.add(o.replace("distribution/target/", target + "/"));
        }
        return options;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

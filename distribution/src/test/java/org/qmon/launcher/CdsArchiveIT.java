package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data sharing archive the build makes ({@code qmon.jsa}, src/build/CdsTraining.java) is one
 * this JDK can use for this jar, and holds what the start loads: the launcher's classes, Felix's, and
 * those of the bundles (loaded by Felix's own class loaders, which the JVM archives too).
 * {@code -Xshare:on} makes the JVM refuse to start at all if the archive does not fit.
 */
class CdsArchiveIT {

    private static final long WAIT = 60;

    @TempDir
    Path dir;

    @Test
    void theBuiltArchiveIsUsedForTheLauncherFelixAndTheBundles() throws Exception {
        Path archive = Path.of(System.getProperty("qmon.distribution.cds"));
        assertTrue(Files.isRegularFile(archive), "the build made " + archive);
        Path classes = dir.resolve("classes.txt");
        QmonJar qmon = QmonJar.start(dir, WAIT,
                List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info:file=" + classes),
                "-qmp", "unix:" + dir.resolve("q.sock"), "-display", "none");
        try {
            qmon.awaitLine("qmon: ready in");
        } finally {
            qmon.stop();
        }
        assertEquals(143, qmon.process().waitFor(WAIT, TimeUnit.SECONDS) ? qmon.process().exitValue() : -1,
                "a clean stop on SIGTERM");
        List<String> log = Files.readAllLines(classes, StandardCharsets.UTF_8);
        for (String name : List.of("org.qmon.launcher.Main", "org.apache.felix.framework.Felix",
                "org.apache.felix.scr.impl.Activator", "org.qmon.dispatcher.internal.DispatcherImpl",
                "org.qmon.transport.internal.SocketListener")) {
            List<String> loads = log.stream().filter(l -> l.contains(" " + name + " ")).collect(Collectors.toList());
            assertEquals(1, loads.size(), name + " loaded once: " + loads);
            assertTrue(loads.get(0).contains("source: shared objects file (top)"), name + " from the archive: " + loads.get(0));
        }
        long fromArchive = log.stream().filter(l -> l.contains("source: shared objects file (top)")).count();
        assertTrue(fromArchive > 1000, "most of the start's classes come from the archive: " + fromArchive);
    }
}

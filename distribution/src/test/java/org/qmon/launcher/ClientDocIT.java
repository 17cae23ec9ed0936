package org.qmon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmon.client.QmpClient;

/**
 * The example in docs/client.md against qmon as a user runs it: the example is extracted from the
 * doc, compiled as written (javac, {@code -Xlint:all -Werror}) against the client and Jackson only,
 * and run in its own JVM against {@code java -jar qmon.jar}. It must print what the doc says it
 * prints, and qmon must end cleanly after the example's {@code quit}. (The client module's
 * ClientDocTest runs the same example against QEMU.)
 */
class ClientDocIT {
    private static final long WAIT = 60;

    @TempDir
    Path dir;

    private QmonJar qmon;

    @AfterEach
    void stopQmon() throws InterruptedException {
        if (qmon != null) {
            qmon.stop();
        }
    }

    /** docs/client.md, found from the module's base directory (failsafe sets {@code basedir}). */
    private static String doc() throws IOException {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return Files.readString(base.resolve("../docs/client.md"), StandardCharsets.UTF_8);
    }

    /** The {@code ```java} block that declares {@code public class name}. */
    private static String javaBlock(String doc, String name) {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            if (m.group(1).contains("public class " + name + " ")) {
                return m.group(1);
            }
        }
        throw new AssertionError("docs/client.md has no Java block with public class " + name);
    }

    /** The plain block right after a marker sentence: what the doc says the example prints. */
    private static List<String> printedAfter(String doc, String marker) {
        int at = doc.indexOf(marker);
        assertTrue(at >= 0, "the doc has '" + marker + "'");
        int start = doc.indexOf("```\n", at) + 4;
        return List.of(doc.substring(start, doc.indexOf("```", start)).split("\n"));
    }

    /** The class path a user needs: the client and Jackson (databind, core, annotations). */
    private static String userClassPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> c : List.of(QmpClient.class, ObjectMapper.class, JsonParser.class, JsonProperty.class)) {
            entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void theDocsExampleCompilesAsWrittenRunsAgainstQmonAndPrintsWhatTheDocSays() throws Exception {
        String doc = doc();

        Path classes = Files.createDirectories(dir.resolve("classes"));
        File source = Files.writeString(dir.resolve("QmpExample.java"), javaBlock(doc, "QmpExample")).toFile();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter javacOutput = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(javacOutput, fm, diagnostics,
                    List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", userClassPath(), "-d", classes.toString()),
                    null, fm.getJavaFileObjectsFromFiles(List.of(source))).call();
            assertTrue(ok, "the doc's example does not compile as written:\n" + javacOutput + diagnostics.getDiagnostics()
                    .stream().map(Object::toString).collect(Collectors.joining("\n")));
        }

        Path sock = dir.resolve("qmp.sock");
        qmon = QmonJar.start(dir, WAIT, "-qmp", "unix:" + sock + ",server=on,wait=off");
        qmon.awaitLine("qmon: ready in");

        Path log = dir.resolve("example.out");
        Process example = new ProcessBuilder(QmonJar.javaBinary().toString(), "-cp", classes + File.pathSeparator + userClassPath(),
                "QmpExample", "unix:" + sock).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!example.waitFor(WAIT, TimeUnit.SECONDS)) {
            example.destroyForcibly();
            throw new AssertionError("the example did not end within " + WAIT + " s:\n" + Files.readString(log));
        }
        String printed = Files.readString(log);
        assertEquals(0, example.exitValue(), "the example failed:\n" + printed);

        List<String> output = List.of(printed.split("\n"));
        // The version and the number of commands depend on the server; every other line is the doc's.
        assertEquals(withoutServerLines(printedAfter(doc, "It prints")), withoutServerLines(output), printed);
        assertTrue(output.stream().anyMatch(l -> l.matches("version: \\d+\\.\\d+ qmon-.+")), printed);
        assertTrue(output.stream().anyMatch(l -> l.matches("commands: [1-9]\\d*")), printed);

        assertTrue(qmon.process().waitFor(WAIT, TimeUnit.SECONDS), "qmon ends after the example's quit");
        assertEquals(0, qmon.process().exitValue());
    }

    private static List<String> withoutServerLines(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("version: ") && !l.startsWith("commands: ")).toList();
    }
}

package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/client.md against this build: its Maven coordinates and versions are the build's, every Java
 * block in it compiles as written (javac, {@code -Xlint:all -Werror}) against the client and Jackson
 * only, and its examples run, as separate JVMs, against real QEMU: the main example prints what the
 * doc says it prints, and the accept-mode example starts QEMU, which connects to it. (The same main
 * example runs against qmon's packaged jar in distribution's ClientDocIT.)
 */
class ClientDocTest {
    private static final long RUN_SECONDS = 60;

    /** The doc's Java, compiled once for the class by {@link #compileTheDoc()}. */
    @TempDir
    static Path classes;

    @TempDir
    Path dir;

    @BeforeAll
    static void compileTheDoc() throws Exception {
        compile(javaBlocks(doc()), classes);
    }

    static String doc() throws IOException {
        return Files.readString(Path.of(System.getProperty("qmon.client.doc")), StandardCharsets.UTF_8);
    }

    /** Every {@code ```java} block of the doc, by the name of the public class it declares. */
    static Map<String, String> javaBlocks(String doc) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            Matcher name = Pattern.compile("public class (\\w+)").matcher(m.group(1));
            assertTrue(name.find(), "every Java block is a whole file, so that it can be compiled as written:\n" + m.group(1));
            blocks.put(name.group(1), m.group(1));
        }
        return blocks;
    }

    /** The plain block right after a marker sentence: what the doc says an example prints. */
    static List<String> printedAfter(String doc, String marker) {
        int at = doc.indexOf(marker);
        assertTrue(at >= 0, "the doc has '" + marker + "'");
        int start = doc.indexOf("```\n", at) + 4;
        int end = doc.indexOf("```", start);
        return List.of(doc.substring(start, end).split("\n"));
    }

    /** The class path a user needs: the client and Jackson (databind, core, annotations), nothing else. */
    static String userClassPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> c : List.of(QmpClient.class, ObjectMapper.class, JsonParser.class, JsonProperty.class)) {
            entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Compiles the blocks into {@code out} with {@code --release 17 -Xlint:all -Werror}; fails with javac's messages. */
    static void compile(Map<String, String> blocks, Path out) throws Exception {
        Path src = Files.createDirectories(out.resolve("src"));
        List<File> files = new ArrayList<>();
        for (Map.Entry<String, String> b : blocks.entrySet()) {
            files.add(Files.writeString(src.resolve(b.getKey() + ".java"), b.getValue()).toFile());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(output, fm, diagnostics,
                    List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", userClassPath(), "-d", out.toString()),
                    null, fm.getJavaFileObjectsFromFiles(files)).call();
            assertTrue(ok, "the doc's Java does not compile as written:\n" + output + diagnostics.getDiagnostics().stream()
                    .map(Object::toString).collect(Collectors.joining("\n")));
        }
    }

    /**
     * Runs {@code java -cp out:client:jackson main args} in {@code workDir}, waiting at most
     * {@value #RUN_SECONDS} s; returns its output lines. Fails if it does not exit with 0; it and
     * any process it started are stopped if it hangs.
     */
    static List<String> run(Path out, Path workDir, String main, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", out + File.pathSeparator + userClassPath(), main));
        command.addAll(List.of(args));
        Path log = workDir.resolve(main + ".out");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(RUN_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroyForcibly();
            throw new AssertionError(main + " did not end within " + RUN_SECONDS + " s:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), main + " failed:\n" + output);
        return List.of(output.split("\n"));
    }

    /** The example's output, with the lines that depend on the server (version, command count) left out. */
    static List<String> serverIndependent(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("version: ") && !l.startsWith("commands: ")).toList();
    }

    /** Asserts what every run of the main example prints, against any server. */
    static void assertExampleOutput(String doc, List<String> output) {
        assertEquals(serverIndependent(printedAfter(doc, "It prints")), serverIndependent(output), String.join("\n", output));
        assertTrue(output.stream().anyMatch(l -> l.matches("version: \\d+\\.\\d+ .+")), String.join("\n", output));
        assertTrue(output.stream().anyMatch(l -> l.matches("commands: [1-9]\\d*")), String.join("\n", output));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void coordinatesJavaVersionAndPackageVersionAreTheBuilds() throws Exception {
        String doc = doc();
        String version = System.getProperty("qmon.version");
        assertTrue(doc.contains("<groupId>org.qmon</groupId>\n  <artifactId>qmon-client</artifactId>\n  <version>" + version + "</version>"),
                "Maven coordinates with version " + version);
        assertTrue(doc.contains("**Java 17** or newer"), "the Java version needed");
        Path packageInfo = Path.of(System.getProperty("qmon.client.doc")).getParent().getParent()
                .resolve("bundles/qmon-client/src/main/java/org/qmon/client/package-info.java");
        Matcher exported = Pattern.compile("@org\\.osgi\\.annotation\\.versioning\\.Version\\(\"([^\"]+)\"\\)")
                .matcher(Files.readString(packageInfo));
        assertTrue(exported.find());
        assertTrue(doc.contains("exports the package `org.qmon.client` at version **" + exported.group(1) + "**"),
                "the exported package version, " + exported.group(1));
    }

    @Test
    void everyJavaBlockCompilesAsWritten() throws Exception {
        // compileTheDoc() compiled them all, or the class failed before any test ran.
        assertEquals(List.of("QmpExample", "QmpAcceptExample", "QmpErrors"), List.copyOf(javaBlocks(doc()).keySet()));
        for (String name : List.of("QmpExample", "QmpAcceptExample", "QmpErrors")) {
            assertTrue(Files.exists(classes.resolve(name + ".class")), name);
        }
    }

    @Test
    void theExampleRunsAgainstQemuAndPrintsWhatTheDocSays() throws Exception {
        QemuProcess.assumeAvailable();
        String doc = doc();
        try (QemuProcess qemu = QemuProcess.start(dir, "-machine", "none", "-nodefaults", "-display", "none")) {
            // QEMU binds, then listens: one connection (retrying a refusal) proves it listens, and
            // QEMU serves the example's connection after this one closes.
            qemu.connect(QmpClientOptions.defaults()).close();
            List<String> output = run(classes, dir, "QmpExample", "unix:" + qemu.socket());
            assertExampleOutput(doc, output);
            assertTrue(qemu.awaitExit(30), "QEMU exits after the example's quit");
        }
    }

    @Test
    void theAcceptExampleStartsQemuWhichConnectsToIt() throws Exception {
        QemuProcess.assumeAvailable();
        Path socket = dir.resolve("qmp-accept.sock");
        List<String> output = run(classes, dir, "QmpAcceptExample", socket.toString());
        assertTrue(output.contains("status: running"), String.join("\n", output));
        assertTrue(output.contains("qemu exit code: 0"), String.join("\n", output));
        assertFalse(Files.exists(socket), "the socket file is removed once QEMU connected");
    }
}

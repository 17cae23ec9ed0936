package org.qmon.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * qmon in a real Karaf 4.4.10, the way docs/karaf.md tells a person to do it: the features repository
 * is added by its {@code mvn:} URL, {@code qmon} (with {@code qmon-hmp} and {@code qmon-client}) is
 * installed, QMP answers on the default sockets, the example command bundle is hot-installed with
 * {@code bundle:install mvn:...} through Karaf's shell and called over QMP and in the shell, and
 * uninstalling the bundle and then the features takes it all away again.
 *
 * <p>The features' {@code mvn:} URLs resolve to this build's artifacts: the module lays them out as a
 * Maven repository ({@code target/reactor-repo}) that Karaf searches first. Each test installs what it
 * needs itself, so they pass in any order; one Karaf serves the class.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeaturesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String VERSION_PROPERTY = "qmon.itest.version";
    private static final String REPO_PROPERTY = "qmon.itest.repo";

    @Inject
    private FeaturesService features;

    @Inject
    private SessionFactory shells;

    @Inject
    private BundleContext context;

    /** The system bundle's context, valid for the whole run (see {@link #endpoint}). */
    private BundleContext systemContext;

    /**
     * A Karaf 4.4.10 unpacked under the temporary directory (a unix socket path under Karaf's data folder
     * must stay within the 107 bytes the kernel allows; target/ of a deep checkout may not), resolving
     * {@code mvn:} URLs from this build's reactor repository first, then the local repository, then
     * Karaf's default remote repositories.
     *
     * @return the options
     */
    @Configuration
    public Option[] config() {
        String reactorRepo = new File(System.getProperty("qmon.reactor.repo")).toURI().toString();
        String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
        return options(
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.apache.karaf", "apache-karaf").type("tar.gz").versionAsInProject())
                        .unpackDirectory(new File(System.getProperty("java.io.tmpdir"), "qmon-karaf-itest"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.defaultRepositories",
                        reactorRepo + "@id=qmon.reactor@snapshots,"
                                + "${karaf.home.uri}system@id=system.repository@snapshots,"
                                + "${karaf.data.uri}kar@id=kar.repository@multi@snapshots"),
                editConfigurationFilePut("etc/system.properties", VERSION_PROPERTY, System.getProperty("qmon.version")),
                editConfigurationFilePut("etc/system.properties", REPO_PROPERTY,
                        "mvn:org.qmon/qmon-features/" + System.getProperty("qmon.version") + "/xml/features"));
    }

    /**
     * feature:repo-add and feature:install qmon qmon-hmp qmon-client, unless a test before left them.
     *
     * @throws Exception when Karaf cannot
     */
    @Before
    public void installQmon() throws Exception {
        systemContext = context.getBundle(0).getBundleContext();
        // Karaf may still be registering its boot features' shell commands when the test starts.
        waitFor("Karaf's bundle: commands", () -> {
            try {
                shell("bundle:list -t 0");
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        features.addRepository(URI.create(System.getProperty(REPO_PROPERTY)));
        for (String f : new String[] {"qmon", "qmon-hmp", "qmon-client"}) {
            if (!features.isInstalled(features.getFeature(f))) {
                features.installFeature(f, EnumSet.noneOf(FeaturesService.Option.class));
            }
        }
    }

    /**
     * The default listeners: etc/ files as the features wrote them, a 0600 unix socket and TCP 4444 with
     * QMP on both, the human monitor's 0600 socket, and qmon:hmp in Karaf's shell.
     */
    @Test
    public void qmonServesQmpOnItsDefaultSockets() throws Exception {
        Path etc = Paths.get(System.getProperty("karaf.etc"));
        String unixCfg = Files.readString(etc.resolve("org.qmon.qmp.listener-unix.cfg"));
        assertTrue(unixCfg, unixCfg.contains("path = " + qmpSocket()) || unixCfg.contains("path = ${karaf.data}/qmon-qmp.sock"));
        String tcpCfg = Files.readString(etc.resolve("org.qmon.qmp.listener-tcp.cfg"));
        assertTrue(tcpCfg, tcpCfg.contains("port = 4444") && tcpCfg.contains("host = 127.0.0.1"));

        waitFor("the QMP unix socket", () -> Files.exists(qmpSocket()));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(qmpSocket()));
        try (Qmp unix = Qmp.connect("unix:" + qmpSocket())) {
            assertEquals("running", unix.call("query-status", null).get("status").asText());
        }
        // This Karaf's listener, not another process's on the same port.
        waitFor("this Karaf's QMP TCP listener", () -> endpoint("tcp:127.0.0.1:4444"));
        try (Qmp tcp = Qmp.connect("tcp:127.0.0.1:4444")) {
            assertEquals("qmon-" + System.getProperty(VERSION_PROPERTY).replace("-SNAPSHOT", ""),
                    tcp.call("query-version", null).get("package").asText());
        }

        Path hmpSocket = Paths.get(System.getProperty("karaf.data"), "qmon-hmp.sock");
        waitFor("the HMP unix socket", () -> Files.exists(hmpSocket));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(hmpSocket));
        try (SocketChannel hmp = SocketChannel.open(UnixDomainSocketAddress.of(hmpSocket))) {
            readUntil(hmp, "monitor - type 'help' for more information");
        }
        assertEquals("VM status: running\n", shell("qmon:hmp info status"));
        // qmon:monitor reads its lines through Karaf's line reader: two commands, then exit.
        String monitor = shell("qmon:monitor", "stop\ninfo status\ncont\nexit\n");
        assertTrue(monitor, monitor.contains("VM status: paused"));
        assertEquals("running", qmpStatus());
    }

    /**
     * The example bundle, hot-installed from its Maven coordinates with Karaf's bundle:install, answers
     * over QMP (sync, async with its event, an error) and in Karaf's shell (its HMP form as hmp:WORD,
     * qmon:commands); bundle:uninstall takes its commands away.
     */
    @Test
    public void exampleBundleHotInstallsAndLeaves() throws Exception {
        waitFor("the QMP unix socket", () -> Files.exists(qmpSocket()));
        try (Qmp qmp = Qmp.connect("unix:" + qmpSocket())) {
            assertFalse(qmp.commands().contains("example-checksum"));

            String out = shell("bundle:install -s mvn:org.qmon.examples/qmon-example-commands/"
                    + System.getProperty(VERSION_PROPERTY));
            Matcher id = Pattern.compile("Bundle ID: (\\d+)").matcher(out);
            assertTrue(out, id.find());
            waitFor("the example's commands", () -> qmp.commands().contains("example-countdown")
                    && qmp.commands().contains("example-checksum"));

            assertEquals(907060870L, qmp.call("example-checksum", java.util.Map.of("data", "hello")).get("value").asLong());
            assertEquals("GenericError: Parameter 'data' expects a non-empty string",
                    qmp.error("example-checksum", java.util.Map.of("data", "")));
            var countdown = qmp.countdown(1, "tea");
            assertEquals("tea", countdown.event().get("tag").asText());
            assertTrue(countdown.reply().toString(), countdown.reply().get("elapsed-ms").asLong() >= 1000);

            // Karaf's shell runs qmon's Gogo-style functions: the example's HMP form and qmon:commands.
            assertEquals("crc32 0x3610a686 (5 bytes)", String.valueOf(execute("hmp:example_checksum hello")));
            assertEquals("crc32 0x3610a686 (5 bytes)", String.valueOf(execute("hmp:hmp \"example_checksum hello\"")));
            assertTrue(String.valueOf(execute("qmon:commands example-countdown"))
                    .contains("org.qmon.examples.qmon-example-commands"));
            // ... and qmon-hmp's shell part, the Karaf action qmon:hmp, prints what it runs.
            assertEquals("adler32 0x062c0215 (5 bytes)\n", shell("qmon:hmp example_checksum -a adler32 hello"));

            shell("bundle:uninstall " + id.group(1));
            waitFor("the example's commands to leave", () -> !qmp.commands().contains("example-checksum")
                    && !qmp.commands().contains("example-countdown"));
            assertEquals("CommandNotFound: The command example-checksum has not been found",
                    qmp.error("example-checksum", java.util.Map.of("data", "hello")));
            assertEquals("unknown command: 'example_checksum'\n", shell("qmon:hmp example_checksum hello"));
        }
    }

    /**
     * feature:uninstall closes the listeners: a connected client is hung up on, nothing accepts on the
     * unix socket or TCP 4444 any more, and the socket file is gone.
     */
    @Test
    public void uninstallingQmonClosesTheListeners() throws Exception {
        waitFor("the QMP unix socket", () -> Files.exists(qmpSocket()));
        waitFor("this Karaf's QMP TCP listener", () -> endpoint("tcp:127.0.0.1:4444"));
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(qmpSocket()))) {
            readUntil(idle, "{\"QMP\":");
            features.uninstallFeature("qmon-hmp");
            features.uninstallFeature("qmon");
            assertEquals("the listener hung up", -1, readToEnd(idle));
        }
        waitFor("the socket file to go", () -> !Files.exists(qmpSocket()));
        assertFalse(accepts(UnixDomainSocketAddress.of(qmpSocket())));
        assertFalse(endpoint("tcp:127.0.0.1:4444"));
        assertFalse(endpoint("unix:" + qmpSocket()));
        waitFor("TCP 4444 to close", () -> !accepts(new InetSocketAddress("127.0.0.1", 4444)));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Path qmpSocket() {
        return Paths.get(System.getProperty("karaf.data"), "qmon-qmp.sock");
    }

    private static String qmpStatus() {
        try (Qmp qmp = Qmp.connect("unix:" + qmpSocket())) {
            return qmp.call("query-status", null).get("status").asText();
        }
    }

    /** Runs a Karaf shell command line as an admin and returns what it printed (and its value). */
    private String shell(String line) throws Exception {
        return shell(line, "");
    }

    /** The same, with what the command reads from its terminal. */
    private String shell(String line, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            Object value = execute(line, ps, new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            if (value != null) {
                ps.println(value);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs a Karaf shell command line as the user karaf with the admin role, as bin/client or ssh would:
     * Karaf hides the commands a session's roles may not run (bundle:install needs admin).
     */
    private Object execute(String line, PrintStream out, InputStream in) throws Exception {
        Subject admin = new Subject();
        admin.getPrincipals().add(new UserPrincipal("karaf"));
        admin.getPrincipals().add(new RolePrincipal("admin"));
        admin.getPrincipals().add(new RolePrincipal("manager"));
        admin.getPrincipals().add(new RolePrincipal("viewer"));
        try {
            return Subject.doAs(admin, (PrivilegedExceptionAction<Object>) () -> {
                Session s = shells.create(in, out, out);
                try {
                    return s.execute(line);
                } finally {
                    s.close();
                }
            });
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    private Object execute(String line) throws Exception {
        return execute(line, System.out, InputStream.nullInputStream());
    }

    /** Whether this framework has a listener (a MonitorEndpoint service) on the address. */
    private boolean endpoint(String address) {
        BundleContext context = systemContext;
        try {
            // The property name is MonitorEndpoint.ADDRESS, spelt out: the probe loads no qmon class here.
            // The system bundle's context: feature:uninstall may refresh this test's probe bundle (it
            // imported qmon packages dynamically), which makes the probe's own context invalid.
            return context.getServiceReferences((String) null, "(qmon.endpoint.address=" + address + ")") != null;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static boolean accepts(SocketAddress address) {
        try (SocketChannel c = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET)) {
            return c.connect(address);
        } catch (ConnectException | java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads until the text has arrived, for at most {@link #WAIT}; fails otherwise. */
    private static void readUntil(SocketChannel c, String marker) throws IOException {
        c.configureBlocking(false);
        long deadline = System.nanoTime() + WAIT.toNanos();
        StringBuilder text = new StringBuilder();
        try (Selector selector = Selector.open()) {
            c.register(selector, SelectionKey.OP_READ);
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (text.indexOf(marker) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("no '" + marker + "' within " + WAIT.toSeconds() + " s; got: " + text);
                }
                selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
                selector.selectedKeys().clear();
                int n = c.read(b);
                if (n < 0) {
                    fail("end of stream before '" + marker + "'; got: " + text);
                }
                text.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                b.clear();
            }
        }
    }

    /** Reads until end of stream, for at most {@link #WAIT}; returns -1 at the end, 0 on time-out. */
    private static int readToEnd(SocketChannel c) throws IOException {
        c.configureBlocking(false);
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Selector selector = Selector.open()) {
            c.register(selector, SelectionKey.OP_READ);
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (System.nanoTime() < deadline) {
                selector.select(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
                selector.selectedKeys().clear();
                int n;
                while ((n = c.read(b)) > 0) {
                    b.clear();
                }
                if (n < 0) {
                    return n;
                }
            }
            return 0;
        }
    }

    static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}

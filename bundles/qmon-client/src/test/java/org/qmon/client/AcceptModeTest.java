package org.qmon.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qmon.client.QmpClientTest.await;
import static org.qmon.client.QmpClientTest.awaitCondition;
import static org.qmon.client.QmpClientTest.failure;
import static org.qmon.client.QmpClientTest.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qmon.client.ScriptedQmpServer.Session;
import org.qmon.client.ScriptedQmpServer.Transport;

/**
 * Accept mode: the client listens, the server connects (QEMU's {@code -qmp unix:PATH} without
 * {@code server=on}). The scripted server dials the client over real sockets.
 */
class AcceptModeTest {
    @TempDir
    Path dir;

    private ScriptedQmpServer server;
    private final List<QmpClient> clients = new ArrayList<>();
    private Path socket;

    @BeforeEach
    void setUp() {
        server = ScriptedQmpServer.dialing();
        socket = dir.resolve("accept.sock");
    }

    @AfterEach
    void stop() throws Exception {
        for (QmpClient c : clients) {
            c.close();
        }
        server.close();
    }

    private String endpoint(Transport transport) throws IOException {
        if (transport == Transport.UNIX) {
            return "unix:" + socket;
        }
        try (ServerSocket free = new ServerSocket(0)) {
            return "tcp:127.0.0.1:" + free.getLocalPort();
        }
    }

    private QmpClient keep(QmpClient client) {
        clients.add(client);
        return client;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptAsyncListensBeforeItReturnsAcceptsOneServerAndNegotiates(Transport transport) throws Exception {
        String endpoint = endpoint(transport);
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync(endpoint, QmpClientOptions.defaults());
        if (transport == Transport.UNIX) {
            assertTrue(Files.exists(socket), "the socket exists when acceptAsync returns");
        }
        // The server connects only now, after acceptAsync returned: no race, nothing to retry.
        Session session = server.dial(endpoint);
        QmpClient client = keep(await(accepting));
        ObjectNode negotiation = session.takeRequest();
        assertEquals("qmp_capabilities", negotiation.get("execute").asText());
        assertEquals(Set.of("oob"), client.enabledCapabilities());
        assertEquals(endpoint, client.endpoint());
        assertEquals(json("{\"a\": 1}"), client.call("echo", Map.of("a", 1)));
        // One connection only: the listener is closed (and its socket file removed) once it accepted.
        if (transport == Transport.UNIX) {
            assertFalse(Files.exists(socket), "the socket file is removed after accepting");
        }
        assertThrows(IOException.class, () -> server.dial(endpoint));
        assertTrue(client.isOpen());
    }

    @Test
    void blockingAcceptWithAServerThatConnectsFromAnotherThread() throws Exception {
        String endpoint = endpoint(Transport.UNIX);
        CompletableFuture<Session> dialed = CompletableFuture.supplyAsync(() -> {
            awaitCondition(() -> Files.exists(socket), "the client listens");
            try {
                return server.dial(endpoint);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        QmpClient client = keep(QmpClient.accept(endpoint));
        assertEquals("qmp_capabilities", await(dialed).takeRequest().get("execute").asText());
        assertEquals(json("{}"), client.call("anything"));
    }

    @Test
    void acceptTimesOutWhenNobodyConnectsAndRemovesTheSocketFile() throws Exception {
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync("unix:" + socket,
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(200)).build());
        assertTrue(Files.exists(socket));
        assertInstanceOf(QmpTimeoutException.class, failure(accepting));
        awaitCondition(() -> !Files.exists(socket), "socket file removed");
        assertThrows(QmpTimeoutException.class, () -> QmpClient.accept("unix:" + socket,
                QmpClientOptions.builder().connectTimeout(Duration.ofMillis(100)).build()));
    }

    @Test
    void cancellingAcceptStopsListening() throws Exception {
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync("unix:" + socket);
        assertTrue(accepting.cancel(false));
        awaitCondition(() -> !Files.exists(socket), "socket file removed");
        assertThrows(IOException.class, () -> server.dial("unix:" + socket));
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        // A listener that went away without removing its file, as after a crash.
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync("unix:" + socket);
        server.dial("unix:" + socket);
        assertTrue(keep(await(accepting)).isOpen());
    }

    @Test
    void aSocketSomebodyListensOnIsNotTakenOver() throws Exception {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            QmpConnectException e = assertInstanceOf(QmpConnectException.class, failure(QmpClient.acceptAsync("unix:" + socket)));
            assertTrue(e.getMessage().contains("listening"), e.getMessage());
            // The other listener still works.
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertTrue(probe.isConnected());
            }
        }
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Files.writeString(socket, "precious");
        assertInstanceOf(QmpConnectException.class, failure(QmpClient.acceptAsync("unix:" + socket)));
        assertThrows(QmpConnectException.class, () -> QmpClient.accept("unix:" + socket));
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void aServerThatHangsUpBeforeTheGreetingFailsTheAccept() throws Exception {
        server.sendGreeting = false;
        CompletableFuture<QmpClient> accepting = QmpClient.acceptAsync("unix:" + socket);
        server.dial("unix:" + socket).close();
        assertInstanceOf(QmpConnectionClosedException.class, failure(accepting));
    }
}

package org.qmon.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration update that changes nothing the listener uses (as Karaf's file install makes right
 * after a feature's configuration is applied) keeps the socket and its clients; a real change moves
 * the listener.
 */
class QmpListenerModifiedTest {

    @TempDir
    Path dir;

    QmpServerFixture server;

    @BeforeEach
    void start() throws Exception {
        server = new QmpServerFixture(dir, 256);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anUnchangedConfigurationKeepsTheClients() throws Exception {
        try (QmpServerFixture.Client c = server.connect()) {
            assertTrue(c.line().contains("\"QMP\""));
            server.listener.modified(QmpServerFixture.config(server.socket.toString(), 256));
            c.send("{\"execute\": \"qmp_capabilities\"}\n");
            assertEquals("{\"return\": {}}", c.line());
        }
    }

    @Test
    void aNewPathMovesTheListener() throws Exception {
        Path moved = dir.resolve("moved.sock");
        try (QmpServerFixture.Client c = server.connect()) {
            assertTrue(c.line().contains("\"QMP\""));
            server.listener.modified(QmpServerFixture.config(moved.toString(), 256));
            assertNull(c.line(), "the old listener's client is closed");
        }
        assertFalse(Files.exists(server.socket), "the old socket file is removed");
        try (QmpServerFixture.Client c = new QmpServerFixture.Client(moved)) {
            assertTrue(c.line().contains("\"QMP\""));
        }
        assertEquals("unix:" + moved, server.listener.address());
    }
}

package org.qmon.qmp.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.qmon.transport.Listener;
import org.qmon.transport.ListenerConfig;
import org.qmon.transport.Transport;

/**
 * A QMP listening socket, one per Configuration Admin factory configuration of {@value #FACTORY_PID}:
 * a unix socket (owner-only) when {@code path} is set, else TCP on {@code host}:{@code port}. The
 * transport does the sockets; this component only ties a configuration to the QMP protocol.
 */
@Component(configurationPid = QmpListener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = QmpListener.Config.class, factory = true)
public final class QmpListener {

    /** The factory PID of QMP listener configurations. */
    public static final String FACTORY_PID = "org.qmon.qmp.listener";

    /**
     * One QMP listener's configuration. Property keys: {@code path}, {@code host}, {@code port},
     * {@code max.connections}, {@code max.output.kib}, {@code io.threads} (Declarative Services maps
     * each {@code _} of a method name to a {@code .}).
     */
    @ObjectClassDefinition(name = "qmon QMP listener", description = "A socket that speaks QMP.")
    public @interface Config {
        /** @return unix socket path; when set, host and port are ignored */
        @AttributeDefinition(name = "Unix socket path", required = false,
                description = "Path of a unix domain socket, created owner-only (0600). Empty for TCP.")
        String path() default "";

        /** @return TCP bind address */
        @AttributeDefinition(name = "TCP host", description = "Address to bind; loopback unless you mean it.")
        String host() default "127.0.0.1";

        /** @return TCP port, 0 for any free port */
        @AttributeDefinition(name = "TCP port", description = "Port to bind (0: any free port).", min = "0", max = "65535")
        int port() default 4444;

        /** @return most clients at once */
        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default 1024;

        /** @return output limit per client, KiB */
        @AttributeDefinition(name = "Output limit (KiB)",
                description = "A client with more unread output than this is disconnected.", min = "64")
        int max_output_kib() default 16384;

        /** @return I/O threads, 0 for one per two processors (1 to 4) */
        @AttributeDefinition(name = "I/O threads", description = "Threads that read, frame and answer this "
                + "listener's clients; each client stays on one. 0: one per two processors, 1 to 4.", min = "0", max = "64")
        int io_threads() default 0;
    }

    private final Transport transport;
    private final QmpRuntime runtime;
    /** The open listener, {@code null} after a failed rebind; guarded by {@code this}. */
    private Listener listener;
    /** What {@link #listener} was opened with; guarded by {@code this}. */
    private ListenerConfig opened;

    /**
     * Opens the listener.
     *
     * @param transport the transport
     * @param runtime the QMP protocol
     * @param config where to listen
     * @throws IOException when the socket cannot be bound
     */
    @Activate
    public QmpListener(@Reference Transport transport, @Reference QmpRuntime runtime, Config config)
            throws IOException {
        this(transport, runtime, of(config));
    }

    /**
     * Opens the listener (tests, without Configuration Admin).
     *
     * @param transport the transport
     * @param runtime the QMP protocol
     * @param config where to listen
     * @throws IOException when the socket cannot be bound
     */
    QmpListener(Transport transport, QmpRuntime runtime, ListenerConfig config) throws IOException {
        this.transport = transport;
        this.runtime = runtime;
        this.listener = transport.listen("qmp", config, runtime);
        this.opened = config;
    }

    private static ListenerConfig of(Config config) {
        return new ListenerConfig(config.path(), config.host(), config.port(), config.max_connections(),
                config.max_output_kib(), config.io_threads());
    }

    /**
     * A changed configuration. Without this method Declarative Services would deactivate and activate
     * the component on every update, closing the socket and every client on it, even for an update that
     * changes nothing the listener uses: Karaf's file install adds {@code felix.fileinstall.filename} to
     * each configuration a feature installs, a moment after the listener opened.
     *
     * @param config the new configuration
     * @throws IOException when the new socket cannot be bound (the old one is closed by then;
     *         Declarative Services logs the error, and the next change tries again)
     */
    @Modified
    void modified(Config config) throws IOException {
        modified(of(config));
    }

    /**
     * Keeps the listener when nothing it uses changed, else closes it and listens anew.
     *
     * @param config the new configuration
     * @throws IOException when the new socket cannot be bound
     */
    synchronized void modified(ListenerConfig config) throws IOException {
        if (listener != null && config.equals(opened)) {
            return;
        }
        if (listener != null) {
            listener.close();
            listener = null;
        }
        opened = config;
        listener = transport.listen("qmp", config, runtime);
    }

    /** @return the bound address, or {@code null} while not listening */
    synchronized String address() {
        return listener == null ? null : listener.address();
    }

    @Deactivate
    synchronized void deactivate() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }
}

package org.qmon.hmp.internal;

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
 * A human monitor socket, one per Configuration Admin factory configuration of {@value #FACTORY_PID}:
 * a unix socket (owner-only) when {@code path} is set, else TCP on {@code host}:{@code port}. The
 * transport does the sockets; this component only ties a configuration to the HMP protocol.
 */
@Component(configurationPid = HmpListener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = HmpListener.Config.class, factory = true)
public final class HmpListener {

    /** The factory PID of HMP listener configurations. */
    public static final String FACTORY_PID = "org.qmon.hmp.listener";

    /**
     * One HMP listener's configuration. Property keys: {@code path}, {@code host}, {@code port},
     * {@code max.connections}, {@code max.output.kib}, {@code io.threads} (Declarative Services maps
     * each {@code _} of a method name to a {@code .}).
     */
    @ObjectClassDefinition(name = "qmon HMP listener",
            description = "A socket that speaks QEMU's human monitor protocol (HMP): telnet, socat, expect.")
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
        int port() default 4445;

        /** @return most clients at once */
        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default 64;

        /** @return output limit per client, KiB */
        @AttributeDefinition(name = "Output limit (KiB)",
                description = "A client with more unread output than this is disconnected.", min = "64")
        int max_output_kib() default 4096;

        /** @return I/O threads, 0 for one per two processors (1 to 4) */
        @AttributeDefinition(name = "I/O threads", description = "Threads that read and answer this listener's "
                + "clients; each client stays on one. 0: one per two processors, 1 to 4.", min = "0", max = "64")
        int io_threads() default 0;
    }

    private final Transport transport;
    private final HmpRuntime runtime;
    /** The open listener, {@code null} after a failed rebind; guarded by {@code this}. */
    private Listener listener;
    /** What {@link #listener} was opened with; guarded by {@code this}. */
    private ListenerConfig opened;

    /**
     * Opens the listener.
     *
     * @param transport the transport
     * @param runtime the HMP protocol
     * @param config where to listen
     * @throws IOException when the socket cannot be bound
     */
    @Activate
    public HmpListener(@Reference Transport transport, @Reference HmpRuntime runtime, Config config)
            throws IOException {
        this.transport = transport;
        this.runtime = runtime;
        this.opened = of(config);
        this.listener = transport.listen("hmp", opened, runtime);
    }

    private static ListenerConfig of(Config config) {
        return new ListenerConfig(config.path(), config.host(), config.port(), config.max_connections(),
                config.max_output_kib(), config.io_threads());
    }

    /**
     * A changed configuration: the listener is kept when nothing it uses changed (Karaf's file install
     * adds {@code felix.fileinstall.filename} to a feature's configuration a moment after it was
     * applied), else closed and opened anew. Without this method Declarative Services would deactivate
     * and activate the component on every update, dropping every client.
     *
     * @param config the new configuration
     * @throws IOException when the new socket cannot be bound (the old one is closed by then;
     *         Declarative Services logs the error, and the next change tries again)
     */
    @Modified
    synchronized void modified(Config config) throws IOException {
        ListenerConfig next = of(config);
        if (listener != null && next.equals(opened)) {
            return;
        }
        if (listener != null) {
            listener.close();
            listener = null;
        }
        opened = next;
        listener = transport.listen("hmp", next, runtime);
    }

    @Deactivate
    synchronized void deactivate() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }
}

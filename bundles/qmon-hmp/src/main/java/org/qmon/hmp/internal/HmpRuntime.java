package org.qmon.hmp.internal;

import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.qmon.api.AsyncCommand;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.event.MonitorEvent;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.VersionInfo;
import org.qmon.transport.Connection;
import org.qmon.transport.ConnectionHandler;
import org.qmon.transport.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every human monitor shares: the dispatcher, the interpreter over the registry's tables, and the
 * banner; the HMP protocol for the transport (one {@link HmpConnection} per client); and QMP's
 * {@code human-monitor-command}.
 *
 * <p>{@code human-monitor-command} is registered by hand from here rather than being a component of its
 * own: it needs the dispatcher (it runs the line's QMP command through a session), and a command
 * component that references the dispatcher is a reference cycle SCR refuses, since the dispatcher binds
 * every command. Immediate, so that {@code human-monitor-command} exists whether or not a socket monitor
 * is configured.
 */
@Component(service = {HmpRuntime.class, EventHandler.class}, immediate = true, property = {
        EventConstants.EVENT_TOPIC + "=" + MonitorEvent.TOPIC,
        EventConstants.EVENT_FILTER + "=(" + MonitorEvent.NAME_PROPERTY + "=SHUTDOWN)"})
public final class HmpRuntime implements Protocol, EventHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HmpRuntime.class);

    private final Dispatcher dispatcher;
    private final HmpInterpreter interpreter;
    private final byte[] banner;
    /** Open socket monitors; added on the I/O threads, removed when they close. */
    private final Set<HmpConnection> connections = ConcurrentHashMap.newKeySet();
    private final ServiceRegistration<?> humanMonitorCommand;

    /**
     * Creates the runtime and registers {@code human-monitor-command}.
     *
     * @param dispatcher the dispatcher that runs every command
     * @param version the platform's version, for the banner
     * @param registry the HMP definitions
     * @param context this bundle's context
     */
    @Activate
    public HmpRuntime(@Reference Dispatcher dispatcher, @Reference VersionInfo version,
            @Reference HmpRegistry registry, BundleContext context) {
        this.dispatcher = dispatcher;
        this.interpreter = new HmpInterpreter(registry::tables);
        this.banner = banner(version).getBytes(StandardCharsets.UTF_8);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(QmpCommand.NAME, HumanMonitorCommand.NAME);
        props.put(QmpCommand.NON_BLOCKING, Boolean.TRUE);
        props.put(QmpCommand.DESCRIPTION, "run a human monitor command line and return its output");
        this.humanMonitorCommand = context.registerService(AsyncCommand.class.getName(),
                new HumanMonitorCommand(dispatcher, interpreter), props);
        LOG.info("Activated: qmon {}.{}.{} human monitor", version.qemu().major(), version.qemu().minor(),
                version.qemu().micro());
    }

    /**
     * QEMU's banner with qmon's name and version, then the prompt.
     *
     * @param version the platform's version
     * @return e.g. {@code qmon 0.1.0 monitor - type 'help' for more information\r\n(qemu) }
     */
    static String banner(VersionInfo version) {
        VersionInfo.Triple v = version.qemu();
        return "qmon " + v.major() + "." + v.minor() + "." + v.micro()
                + " monitor - type 'help' for more information\r\n" + HmpText.PROMPT;
    }

    @Deactivate
    void deactivate() {
        try {
            humanMonitorCommand.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
        LOG.info("Deactivated.");
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    HmpInterpreter interpreter() {
        return interpreter;
    }

    byte[] banner() {
        return banner;
    }

    /** A client connected: a monitor of its own, greeted at once. I/O thread. */
    @Override
    public ConnectionHandler open(Connection connection) {
        HmpConnection c = new HmpConnection(this, connection);
        connections.add(c);
        c.greet();
        return c;
    }

    /**
     * {@code SHUTDOWN}, sent synchronously by {@code quit} before it answers: every socket monitor runs
     * nothing after the line it is running.
     *
     * @param event the SHUTDOWN event (the only one this handler's filter lets through)
     */
    @Override
    public void handleEvent(Event event) {
        connections.forEach(HmpConnection::shutdown);
    }

    void closed(HmpConnection c) {
        connections.remove(c);
    }

    /** @return the socket monitors open now (tests, leak checks) */
    int connectionCount() {
        return connections.size();
    }
}

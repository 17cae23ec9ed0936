package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.event.EventType;
import org.qmon.api.runtime.CommandDescriptor;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.HandlerStatus;
import org.qmon.api.runtime.LocalCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher: a whiteboard of {@link Command} and {@link AsyncCommand} services and the sessions
 * that run them.
 *
 * <p>Handlers are bound with explicit DS semantics (multiple, dynamic, greedy), validated into
 * {@link CommandInfo} snapshots and published through the copy-on-write {@link CommandRegistry}. The
 * dispatch path reads one registry snapshot and takes no lock shared between sessions: there is no
 * global lock.
 *
 * <p>Workers: a cached pool (threads are reused while idle, created when none is). A session has at
 * most one in-band request running, and out-of-band requests run on the caller's thread, so the number
 * of busy workers is bounded by the number of sessions with a command running, which the frontends
 * bound (connection limits).
 */
@Component(service = Dispatcher.class, configurationPid = DispatcherImpl.PID)
@Designate(ocd = DispatcherImpl.Config.class)
public final class DispatcherImpl implements Dispatcher {

    static final String PID = "org.qmon.dispatcher";

    private static final Logger LOG = LoggerFactory.getLogger(DispatcherImpl.class);

    /** Configuration (Configuration Admin PID {@value #PID}). */
    @ObjectClassDefinition(name = "qmon dispatcher", description = "Runs monitor commands for sessions.")
    public @interface Config {
        /**
         * @return seconds after which a command that has not completed is cancelled and answered with
         *         an error; 0 disables the limit
         */
        @AttributeDefinition(name = "Command timeout (s)",
                description = "A command still running after this many seconds is cancelled and answered "
                        + "with a GenericError (a synchronous handler is answered when it returns). 0 = no limit.",
                min = "0")
        long command_timeout_seconds() default 300;
    }

    private final CommandRegistry registry = new CommandRegistry();
    /**
     * The type model new arrivals and the schema are built with. Replaced by a fresh one when a handler
     * leaves, so that the types of a bundle that is gone (and its class loader) are not kept; handlers
     * already registered keep the argument types they were captured with. Guarded by {@code this}.
     */
    private TypeModel types = new TypeModel();
    /** Declared events, by service; updated by DS. */
    private final Map<EventType, Boolean> eventTypes = new ConcurrentHashMap<>();
    /**
     * The schema per set of session-local command names (in practice one per frontend), built on first
     * use; the whole map is dropped when the registry or the declared events change.
     */
    private volatile Map<Set<String>, List<Map<String, Object>>> schemas = new ConcurrentHashMap<>();
    private final AtomicLong sessionIds = new AtomicLong();
    /** Open sessions, so that deactivation can cancel them. */
    private final Set<SessionImpl> sessions = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor workers;
    private final Timeouts timeouts = new Timeouts(TimeUnit.SECONDS.toMillis(300));

    /** Creates a dispatcher with its own worker pool; DS calls this before binding handlers. */
    public DispatcherImpl() {
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "qmon-dispatch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        add(new QueryCommands(this), Map.of(QmpCommand.NAME, "query-commands", QmpCommand.NON_BLOCKING, Boolean.TRUE,
                QmpCommand.DESCRIPTION, "list the commands that can be called now",
                "service.id", -1L, "service.ranking", Integer.MIN_VALUE), "org.qmon.qmon-dispatcher");
        add(new QuerySchema(this), Map.of(QmpCommand.NAME, "query-qmp-schema", QmpCommand.NON_BLOCKING, Boolean.TRUE,
                QmpCommand.DESCRIPTION, "describe the commands, events and their types (QEMU's SchemaInfo)",
                "service.id", -2L, "service.ranking", Integer.MIN_VALUE), "org.qmon.qmon-dispatcher");
    }

    @Activate
    void activate(Config config) {
        timeouts.timeoutMillis(TimeUnit.SECONDS.toMillis(Math.max(0, config.command_timeout_seconds())));
        LOG.info("Activated with {} commands (timeout {} s).", registry.active().size(),
                config.command_timeout_seconds());
    }

    @Deactivate
    public void deactivate() {
        for (SessionImpl s : sessions) {
            s.close();
        }
        workers.shutdown();
        timeouts.close();
        LOG.info("Deactivated.");
    }

    // ---- whiteboard ------------------------------------------------------------------------------

    @Reference(service = Command.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindCommand(Command<?, ?> handler, ServiceReference<?> ref) {
        add(handler, ref);
    }

    void unbindCommand(Command<?, ?> handler, ServiceReference<?> ref) {
        remove(ref);
    }

    @Reference(service = AsyncCommand.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindAsyncCommand(AsyncCommand<?, ?> handler, ServiceReference<?> ref) {
        add(handler, ref);
    }

    void unbindAsyncCommand(AsyncCommand<?, ?> handler, ServiceReference<?> ref) {
        remove(ref);
    }

    /**
     * Adds a handler. Never throws: an unusable handler is recorded as a failure and logged.
     *
     * @param handler the service object
     * @param props its properties
     * @param bundle the registering bundle's symbolic name
     */
    public void add(Object handler, Map<String, ?> props, String bundle) {
        CommandInfo info;
        try {
            info = CommandInfo.of(handler, props, bundle, model());
        } catch (RuntimeException e) {
            LOG.warn("Ignoring command service {} of bundle {}: {}", props.get("service.id"), bundle, e.toString());
            return;
        }
        if (!info.isValid()) {
            LOG.warn("Ignoring command service {}: {}", info, info.failure());
        }
        boolean active = registry.add(info);
        schemas = new ConcurrentHashMap<>();
        LOG.debug("Added {} (active: {})", info, active);
    }

    private void add(Object handler, ServiceReference<?> ref) {
        Map<String, Object> props = new java.util.HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            props.put(key, ref.getProperty(key));
        }
        add(handler, props, ref.getBundle() != null ? ref.getBundle().getSymbolicName() : "?");
    }

    private void remove(ServiceReference<?> ref) {
        remove((Long) ref.getProperty("service.id"));
    }

    /**
     * Removes a handler; its invocations still running are answered with an error at once.
     *
     * @param serviceId the departing service's id
     */
    public void remove(long serviceId) {
        CommandInfo info = registry.remove(serviceId);
        if (info != null) {
            LOG.debug("Removed {}", info);
            synchronized (this) {
                types = new TypeModel();
            }
            schemas = new ConcurrentHashMap<>();
            info.depart();
        }
    }

    // ---- Dispatcher --------------------------------------------------------------------------------

    @Override
    public DispatchSession openSession(String frontend, Set<String> capabilities, Collection<LocalCommand> localCommands) {
        Map<String, CommandInfo> local = Map.of();
        if (!localCommands.isEmpty()) {
            Map<String, CommandInfo> m = new HashMap<>();
            for (LocalCommand c : localCommands) {
                CommandInfo info = LOCAL_TEMPLATES.get(c.handler().getClass()).computeIfAbsent(c.properties(),
                        k -> CommandInfo.of(c.handler(), withLocalIdentity(c.properties()), frontend, model()).withHandler(null));
                if (!info.isValid()) {
                    throw new IllegalArgumentException("local command " + info + ": " + info.failure());
                }
                m.put(info.name(), info.withHandler(c.handler()));
            }
            local = Map.copyOf(m);
        }
        SessionImpl s = new SessionImpl(this, sessionIds.incrementAndGet(), frontend, capabilities, local);
        sessions.add(s);
        return s;
    }

    /**
     * Local commands captured once per handler class and properties, without their handler, and copied
     * for each session (see {@link CommandInfo#withHandler}). Attached to the handler's class, so a
     * frontend bundle that leaves takes its entries with its class loader.
     */
    private static final ClassValue<Map<Map<String, Object>, CommandInfo>> LOCAL_TEMPLATES = new ClassValue<>() {
        @Override
        protected Map<Map<String, Object>, CommandInfo> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /** Local commands are no services: service id -1, the lowest ranking. */
    private static Map<String, Object> withLocalIdentity(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.put("service.id", -1L);
        p.put("service.ranking", 0);
        return p;
    }

    void sessionClosed(SessionImpl s) {
        sessions.remove(s);
    }

    @Override
    public List<CommandDescriptor> commands() {
        List<CommandDescriptor> out = new ArrayList<>();
        for (CommandInfo i : registry.active().values()) {
            out.add(i.descriptor());
        }
        out.sort(Comparator.comparing(CommandDescriptor::name));
        return List.copyOf(out);
    }

    @Override
    public Optional<CommandDescriptor> command(String name) {
        CommandInfo i = registry.lookup(name);
        return i == null ? Optional.empty() : Optional.of(i.descriptor());
    }

    @Override
    public List<HandlerStatus> handlers() {
        return registry.report();
    }

    CommandRegistry registry() {
        return registry;
    }

    /** The current type model. */
    synchronized TypeModel model() {
        return types;
    }

    @Reference(service = EventType.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindEventType(EventType type) {
        eventTypes.put(type, Boolean.TRUE);
        schemas = new ConcurrentHashMap<>();
    }

    void unbindEventType(EventType type) {
        eventTypes.remove(type);
        schemas = new ConcurrentHashMap<>();
    }

    /** The declared events, sorted by name. */
    List<EventType> eventTypes() {
        return eventTypes.keySet().stream().sorted(Comparator.comparing(EventType::name)).toList();
    }

    /**
     * The schema as a session with these local commands sees it: the registry's commands and the
     * session's own, the declared events, and their types.
     */
    List<Map<String, Object>> schema(Map<String, CommandInfo> local) {
        Map<Set<String>, List<Map<String, Object>>> cache = schemas;
        List<Map<String, Object>> s = cache.get(local.keySet());
        if (s == null) {
            Map<String, CommandInfo> all = new java.util.TreeMap<>(registry.active());
            all.putAll(local);
            s = List.copyOf(new SchemaBuilder(model()).build(List.copyOf(all.values()), eventTypes()));
            cache.put(Set.copyOf(local.keySet()), s);
        }
        return s;
    }

    Timeouts timeouts() {
        return timeouts;
    }

    /**
     * Open sessions, for leak checks (tests and storms; not part of the API).
     *
     * @return the count
     */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Invocations started and not yet settled (each is under the command timeout until it settles), for
     * leak checks; {@code 0} when the timeout is off.
     *
     * @return the count
     */
    public int pendingInvocations() {
        return timeouts.size();
    }

    void execute(Runnable task) {
        workers.execute(task);
    }
}

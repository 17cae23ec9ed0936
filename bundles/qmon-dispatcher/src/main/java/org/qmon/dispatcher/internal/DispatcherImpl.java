package org.qmon.dispatcher.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.qmon.api.CommandException;
import org.qmon.api.ErrorClass;
import org.qmon.api.runtime.CommandDescriptor;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Dispatcher;
import org.qmon.api.runtime.Reply;
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
    private final ArgumentBinder binder = new ArgumentBinder();
    private final AtomicLong sessionIds = new AtomicLong();
    /** Open sessions, so that deactivation can cancel them. */
    private final Set<SessionImpl> sessions = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private volatile long timeoutMillis = TimeUnit.SECONDS.toMillis(300);
    /**
     * Invocations running under the timeout. A sweep on {@link #timer} cancels the expired ones, so a
     * request costs a set insertion and removal instead of scheduling and cancelling a timer task (a
     * lock shared by every thread, and two objects per request).
     */
    private final Set<Invocation> timed = ConcurrentHashMap.newKeySet();
    /** How often the sweep runs: timeouts fire up to this late. */
    static final long SWEEP_MILLIS = 250;

    /** Creates a dispatcher with its own worker pool; DS calls this before binding handlers. */
    public DispatcherImpl() {
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "qmon-dispatch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qmon-dispatch-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        add(new QueryCommands(this), Map.of(org.qmon.api.annotations.QmpCommand.NAME, "query-commands",
                org.qmon.api.annotations.QmpCommand.NON_BLOCKING, Boolean.TRUE, "service.id", -1L, "service.ranking", Integer.MIN_VALUE), "org.qmon.qmon-dispatcher");
    }

    @Activate
    void activate(Config config) {
        timeoutMillis = TimeUnit.SECONDS.toMillis(Math.max(0, config.command_timeout_seconds()));
        LOG.info("Activated with {} commands (timeout {} s).", registry.active().size(),
                config.command_timeout_seconds());
    }

    @Deactivate
    public void deactivate() {
        for (SessionImpl s : sessions) {
            s.close();
        }
        workers.shutdown();
        timer.shutdownNow();
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
            info = CommandInfo.of(handler, props, bundle, binder);
        } catch (RuntimeException e) {
            LOG.warn("Ignoring command service {} of bundle {}: {}", props.get("service.id"), bundle, e.toString());
            return;
        }
        if (!info.isValid()) {
            LOG.warn("Ignoring command service {}: {}", info, info.failure());
        }
        boolean active = registry.add(info);
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
        if (info == null) {
            return;
        }
        LOG.debug("Removed {}", info);
        for (Invocation inv : new ArrayList<>(info.inflight())) {
            inv.cancel(Reply.error(ErrorClass.CommandNotFound,
                    "The command " + info.name() + " has been removed while it was running"));
        }
    }

    // ---- Dispatcher --------------------------------------------------------------------------------

    @Override
    public DispatchSession openSession(String frontend, Set<String> capabilities) {
        SessionImpl s = new SessionImpl(this, sessionIds.incrementAndGet(), frontend, capabilities);
        sessions.add(s);
        return s;
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

    /** For reporting: handlers shadowed by a higher-ranked one of the same name. */
    List<CommandDescriptor> shadowed() {
        return registry.shadowed().stream().map(CommandInfo::descriptor).toList();
    }

    /** For reporting: handlers that could not be used, with their reasons. */
    Map<Long, String> failures() {
        Map<Long, String> out = new java.util.TreeMap<>();
        registry.failed().forEach(i -> out.put(i.serviceId(), i + ": " + i.failure()));
        return out;
    }

    /**
     * Whether a request for the command may run on the submitting (I/O) thread: its handler declared
     * itself non-blocking, or there is no handler and the answer is an error.
     */
    boolean runsInline(String command) {
        CommandInfo info = registry.lookup(command);
        return info == null || info.nonBlocking();
    }

    /** Cancels the invocations whose deadline has passed. Timer thread. */
    private void sweep() {
        if (timed.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long t = timeoutMillis;
        for (Invocation inv : timed) {
            if (now - inv.deadline >= 0) {
                timed.remove(inv);
                inv.cancel(Reply.error(ErrorClass.GenericError,
                        "Command " + inv.command + " timed out after " + (t / 1000) + " s"));
            }
        }
    }

    void execute(Runnable task) {
        workers.execute(task);
    }

    /**
     * Starts an invocation on the calling thread: lookup, OOB check, argument binding, then the
     * handler. Every failure settles the invocation, so exactly one outcome is always produced.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void start(Invocation inv) {
        CommandInfo info = registry.lookup(inv.command);
        if (info == null) {
            inv.fail(new CommandException(ErrorClass.CommandNotFound,
                    "The command " + inv.command + " has not been found"));
            return;
        }
        if (inv.oob && !info.allowOob()) {
            inv.fail(CommandException.generic("The command " + inv.command + " does not support OOB"));
            return;
        }
        Object args;
        try {
            args = binder.bind(info.argumentType(), inv.arguments);
        } catch (CommandException e) {
            inv.fail(e);
            return;
        } catch (RuntimeException e) {
            inv.fail(e);
            return;
        }
        inv.info = info;
        info.inflight().add(inv);
        if (registry.lookup(inv.command) != info) {
            // Departed between lookup and registration in inflight: remove() may have missed us.
            inv.cancel(Reply.error(ErrorClass.CommandNotFound,
                    "The command " + info.name() + " has been removed while it was running"));
            return;
        }
        long t = timeoutMillis;
        if (t > 0) {
            inv.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(t);
            inv.timedIn = timed;
            timed.add(inv);
        }
        try {
            if (info.async()) {
                ((AsyncCommand) info.handler()).execute(args, inv, inv);
            } else {
                Object result = ((Command) info.handler()).execute(args, inv);
                inv.complete(result);
            }
        } catch (CommandException e) {
            inv.fail(e);
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            inv.fail(e);
        } catch (Exception | LinkageError | AssertionError e) {
            inv.fail(e);
        }
    }
}

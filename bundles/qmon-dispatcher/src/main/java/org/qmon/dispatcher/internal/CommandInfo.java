package org.qmon.dispatcher.internal;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.CommandDescriptor;

/**
 * An immutable snapshot of one command service, captured once when it arrives (name, traits, ranking,
 * service id, argument and result types), plus the set of its invocations in flight, so that they can
 * be failed if the service leaves while they run.
 *
 * <p>An arrival that cannot be used (no name, a lambda whose types are erased, an argument type the
 * binder cannot handle) gets a {@link #failure()} reason and is never dispatched.
 */
final class CommandInfo implements Comparable<CommandInfo> {

    private final String name;
    private final boolean allowOob;
    private final boolean nonBlocking;
    private final boolean allowBeforeNegotiation;
    private final String description;
    private final long serviceId;
    private final int ranking;
    private final String bundle;
    private final Object handler;
    private final boolean async;
    private final Type argumentType;
    private final Type resultType;
    private final String failure;
    /** Schema features, sorted; immutable. */
    private List<String> features = List.of();
    /** The declared default deadline ({@link QmpCommand#TIMEOUT}) in ms, 0 for none; set once at capture. */
    private long timeoutMillis;
    /** The argument type's model, bound per request; set once at capture, before publication. */
    private QType argumentModel;
    /** Invocations of this handler that have not completed; updated from any thread. */
    private final Set<Invocation> inflight = ConcurrentHashMap.newKeySet();
    /**
     * Set once when the service leaves, before its in-flight invocations are answered; an invocation
     * joins {@link #inflight} before it reads this, so one of the two always sees the other.
     */
    private volatile boolean departed;

    private CommandInfo(String name, boolean allowOob, boolean nonBlocking, boolean allowBeforeNegotiation,
            String description, long serviceId, int ranking, String bundle, Object handler, boolean async,
            Type argumentType, Type resultType, String failure) {
        this.name = name;
        this.allowOob = allowOob;
        this.nonBlocking = nonBlocking;
        this.allowBeforeNegotiation = allowBeforeNegotiation;
        this.description = description;
        this.serviceId = serviceId;
        this.ranking = ranking;
        this.bundle = bundle;
        this.handler = handler;
        this.async = async;
        this.argumentType = argumentType;
        this.resultType = resultType;
        this.failure = failure;
    }

    /**
     * Captures a handler and its service properties.
     *
     * @param handler a {@link Command} or {@link AsyncCommand}
     * @param props the service properties
     * @param bundle the registering bundle's symbolic name
     * @param types the type model: the argument type must be bindable
     * @return the snapshot, possibly with a failure reason
     */
    static CommandInfo of(Object handler, Map<String, ?> props, String bundle, TypeModel types) {
        String name = props.get(QmpCommand.NAME) instanceof String s ? s.trim() : null;
        boolean allowOob = flag(props, QmpCommand.ALLOW_OOB);
        // QEMU's OOB commands must not block either: allowOob implies nonBlocking.
        boolean nonBlocking = allowOob || flag(props, QmpCommand.NON_BLOCKING);
        boolean beforeNegotiation = flag(props, QmpCommand.ALLOW_BEFORE_NEGOTIATION);
        String description = props.get(QmpCommand.DESCRIPTION) instanceof String d ? d : "";
        long serviceId = props.get("service.id") instanceof Long l ? l : -1L;
        int ranking = props.get("service.ranking") instanceof Integer r ? r : 0;
        boolean async = handler instanceof AsyncCommand<?, ?>;
        if (!async && !(handler instanceof Command<?, ?>)) {
            return new CommandInfo(name, allowOob, nonBlocking, beforeNegotiation, description, serviceId, ranking,
                    bundle, handler, false, null, null, "not a Command or an AsyncCommand: " + handler.getClass().getName());
        }
        Class<?> iface = async ? AsyncCommand.class : Command.class;
        Type argumentType = null;
        Type resultType = null;
        QType argumentModel = null;
        String failure = null;
        if (name == null || name.isEmpty()) {
            failure = "missing service property " + QmpCommand.NAME;
        } else {
            Type[] generic = TYPES.get(handler.getClass());
            if (generic == null) {
                failure = "cannot determine the argument and result types of " + handler.getClass().getName()
                        + " (implement " + iface.getSimpleName() + "<A, R> with concrete types, not a lambda)";
            } else {
                argumentType = generic[0];
                resultType = generic[1];
                try {
                    types.check(argumentType);
                    argumentModel = types.of(argumentType);
                } catch (IllegalArgumentException e) {
                    failure = e.getMessage();
                }
            }
        }
        CommandInfo info = new CommandInfo(name, allowOob, nonBlocking, beforeNegotiation, description, serviceId, ranking,
                bundle, handler, async, argumentType, resultType, failure);
        info.argumentModel = argumentModel;
        info.features = features(props, handler);
        info.timeoutMillis = Deadlines.millis(props.get(QmpCommand.TIMEOUT));
        return info;
    }

    /** Declared features, and {@code deprecated} for a handler class marked {@link Deprecated}. */
    private static List<String> features(Map<String, ?> props, Object handler) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        Object f = props.get(QmpCommand.FEATURES);
        if (f instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (f instanceof String one && !one.isBlank()) {
            out.add(one);
        } else if (f instanceof java.util.Collection<?> c) {
            c.forEach(x -> out.add(String.valueOf(x)));
        }
        if (handler.getClass().isAnnotationPresent(Deprecated.class)) {
            out.add("deprecated");
        }
        return List.copyOf(out);
    }

    /**
     * The argument and result types of a handler class, or {@code null} when they cannot be determined,
     * found once per class: a frontend supplies session-local commands for every session it opens, so
     * this is on the path from connect to greeting.
     */
    private static final ClassValue<Type[]> TYPES = new ClassValue<>() {
        @Override
        protected Type[] computeValue(Class<?> type) {
            Class<?> iface = AsyncCommand.class.isAssignableFrom(type) ? AsyncCommand.class : Command.class;
            Type[] params = TypeArguments.of(type, iface);
            if (params == null || params.length != 2 || params[0] == Object.class) {
                return null;
            }
            return params;
        }
    };

    /** A Boolean service property, also accepted as the string {@code "true"} (e.g. from a .cfg file). */
    private static boolean flag(Map<String, ?> props, String key) {
        Object v = props.get(key);
        return Boolean.TRUE.equals(v) || "true".equals(v);
    }

    String name() {
        return name;
    }

    boolean allowOob() {
        return allowOob;
    }

    /** The handler returns promptly: it may run on the thread that read the request. */
    boolean nonBlocking() {
        return nonBlocking;
    }

    long serviceId() {
        return serviceId;
    }

    Object handler() {
        return handler;
    }

    boolean async() {
        return async;
    }

    Type argumentType() {
        return argumentType;
    }

    Type resultType() {
        return resultType;
    }

    List<String> features() {
        return features;
    }

    String description() {
        return description;
    }

    /** The reason this arrival cannot be used, or {@code null} when it is valid. */
    String failure() {
        return failure;
    }

    boolean isValid() {
        return failure == null;
    }

    Set<Invocation> inflight() {
        return inflight;
    }

    boolean departed() {
        return departed;
    }

    /** The service left: its invocations still running are answered with an error at once. */
    void depart() {
        departed = true;
        for (Invocation inv : new java.util.ArrayList<>(inflight)) {
            inv.departed(this);
        }
    }

    /**
     * The same command with another handler object of the same class: a session-local command is
     * captured once per (class, properties) and copied for each session, which keeps the per-connection
     * cost of a frontend's local commands to one object.
     *
     * @param other the handler, of the class this one was captured from ({@code null} for a template
     *        that must not keep the first handler, and what it refers to, alive)
     * @return the copy, with an in-flight set of its own
     */
    CommandInfo withHandler(Object other) {
        CommandInfo copy = new CommandInfo(name, allowOob, nonBlocking, allowBeforeNegotiation, description, serviceId,
                ranking, bundle, other, async, argumentType, resultType, failure);
        copy.argumentModel = argumentModel;
        copy.features = features;
        copy.timeoutMillis = timeoutMillis;
        return copy;
    }

    /** The argument type's model, or {@code null} for an arrival that is refused. */
    QType argumentModel() {
        return argumentModel;
    }

    /**
     * What frontends and tools see of this handler; built once (a QMP session asks for it for every
     * request it reads while negotiating). A benign race: two threads may each build an equal one.
     */
    CommandDescriptor descriptor() {
        CommandDescriptor d = descriptor;
        if (d == null) {
            d = new CommandDescriptor(name, description, async, allowOob, nonBlocking, allowBeforeNegotiation,
                    argumentType, resultType, bundle, serviceId, ranking, features, timeoutMillis);
            descriptor = d;
        }
        return d;
    }

    /** Cached by {@link #descriptor()}; written once per copy, racily but idempotently. */
    private volatile CommandDescriptor descriptor;

    /** The declared default deadline in ms, 0 for none. */
    long timeoutMillis() {
        return timeoutMillis;
    }

    /** Winner first: higher ranking, then lower service id (the OSGi service ordering). */
    @Override
    public int compareTo(CommandInfo o) {
        if (ranking != o.ranking) {
            return ranking > o.ranking ? -1 : 1;
        }
        return Long.compare(serviceId, o.serviceId);
    }

    @Override
    public String toString() {
        return "CommandInfo[" + name + ", service.id=" + serviceId + ", ranking=" + ranking + ", bundle=" + bundle
                + (failure != null ? ", failure=" + failure : "") + "]";
    }
}

package org.qmon.hmp.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard of {@link HmpCommand} services: each arrival is read once into its
 * {@link HmpDefinition}, and the tables every human monitor reads are rebuilt and published through a
 * volatile field (copy-on-write), so that a line is looked up in one snapshot without a lock.
 *
 * <p>A clash of words (two definitions of {@code stop}, or of {@code info status}) is resolved by
 * {@code service.ranking}, then by the lower service id; the loser is kept and takes over when the
 * winner leaves. A service whose definition cannot be read is logged and ignored; binding never throws.
 *
 * <p>Locking: {@code this} guards {@link #bound}; bind and unbind are synchronized and end by publishing
 * a new {@link #tables} snapshot, then telling the {@link #listeners} (the shell commands) outside the
 * lock.
 */
@Component(service = HmpRegistry.class)
public final class HmpRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(HmpRegistry.class);

    /** One bound definition with the identity that orders clashes. */
    private record Bound(HmpDefinition definition, long serviceId, int ranking) {
        String key() {
            return (definition.isInfo() ? "info " : "") + definition.name();
        }
    }

    /** Precedence: higher ranking first, then lower service id. */
    private static final Comparator<Bound> PRECEDENCE = Comparator.comparingInt(Bound::ranking).reversed()
            .thenComparingLong(Bound::serviceId);

    /** Every bound definition by service id; guarded by {@code this}. */
    private final Map<Long, Bound> bound = new HashMap<>();
    private volatile HmpTables tables = HmpTables.EMPTY;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /**
     * Binds a definition service (multiple, dynamic, greedy: every arrival and departure is seen).
     *
     * @param command the service
     * @param ref its reference
     */
    @Reference(service = HmpCommand.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindCommand(HmpCommand command, ServiceReference<?> ref) {
        long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        Object r = ref.getProperty(Constants.SERVICE_RANKING);
        HmpDefinition d;
        try {
            d = command.definition();
            if (d == null) {
                throw new IllegalArgumentException("definition() returned null");
            }
        } catch (RuntimeException e) {
            LOG.warn("Ignoring HMP command service {} of bundle {}: {}", id,
                    ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName(), e.toString());
            return;
        }
        add(d, id, r instanceof Integer i ? i : 0);
    }

    void unbindCommand(HmpCommand command, ServiceReference<?> ref) {
        remove((Long) ref.getProperty(Constants.SERVICE_ID));
    }

    /**
     * Adds a definition (also for tests without a framework).
     *
     * @param d the definition
     * @param serviceId its identity
     * @param ranking its ranking
     */
    void add(HmpDefinition d, long serviceId, int ranking) {
        synchronized (this) {
            bound.put(serviceId, new Bound(d, serviceId, ranking));
            publish();
        }
        LOG.debug("Added HMP command {}", d);
        changed();
    }

    /**
     * Removes a definition.
     *
     * @param serviceId its identity
     */
    void remove(long serviceId) {
        synchronized (this) {
            if (bound.remove(serviceId) == null) {
                return;
            }
            publish();
        }
        changed();
    }

    /** Rebuilds the tables from the winners. Called with the lock held. */
    private void publish() {
        Map<String, Bound> winners = new HashMap<>();
        for (Bound b : bound.values()) {
            winners.merge(b.key(), b, (x, y) -> PRECEDENCE.compare(x, y) <= 0 ? x : y);
        }
        List<HmpEntry> top = new ArrayList<>();
        List<HmpEntry> info = new ArrayList<>();
        for (Bound b : winners.values()) {
            if (!b.definition().isInfo() && (b.definition().name().equals("help") || b.definition().name().equals("info"))) {
                LOG.warn("Ignoring HMP command {}: the frontend answers '{}' itself", b.definition(), b.definition().name());
                continue;
            }
            (b.definition().isInfo() ? info : top).add(HmpEntry.of(b.definition()));
        }
        tables = new HmpTables(top, info);
    }

    private void changed() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("An HMP table listener failed", e);
            }
        }
    }

    /**
     * The tables now.
     *
     * @return an immutable snapshot
     */
    HmpTables tables() {
        return tables;
    }

    /**
     * Registers an action run after every change of the tables (on the thread that changed them).
     *
     * @param listener the action
     */
    void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * Removes an action.
     *
     * @param listener the action
     */
    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }
}

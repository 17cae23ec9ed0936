package org.qmon.client;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A listener's registration for QMP events, made with {@link QmpClient#subscribe(Set, Consumer)}
 * (by event name) or {@link QmpClient#subscribe(Predicate, Consumer)} (by filter).
 *
 * <p>The reader thread never waits for a listener: it appends each matching event to this
 * subscription's bounded buffer ({@link QmpClientOptions#eventBufferSize()}) and returns. A drain
 * task on the client's callback executor delivers the buffered events to the listener one at a
 * time, in arrival order. When the buffer is full, the oldest undelivered event is dropped and
 * counted in {@link #dropped()}. An exception thrown by the listener is logged and does not end the
 * subscription.
 *
 * <p>Closing the subscription stops delivery (events still buffered are discarded). When the
 * connection ends, the events already buffered are still delivered, then the subscription becomes
 * inactive.
 */
public final class EventSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventSubscription.class.getName());
    /** Events delivered per drain task before it yields the executor thread to other work. */
    private static final int DRAIN_BATCH = 64;

    private final QmpClient client;
    private final Set<String> eventNames;
    /** Decides on the reader thread which events are buffered; see {@link QmpClient#subscribe(Predicate, Consumer)}. */
    private final Predicate<? super QmpEvent> filter;
    private final Consumer<? super QmpEvent> listener;
    private final int capacity;
    /** For {@link QmpClient#nextEvent(String)}: accept one event only, then stop buffering. */
    private final boolean once;
    /** For {@link QmpClient#nextEvent(String)}: told, after the buffer drained, that the connection ended. */
    private final Consumer<Throwable> onConnectionClosed;

    // Guarded by this.
    private final ArrayDeque<QmpEvent> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean accepted;
    private long dropped;
    private long delivered;
    private boolean cancelled;
    private boolean connectionEnded;
    private Throwable connectionCause;
    private boolean closeNotified;

    EventSubscription(QmpClient client, Set<String> eventNames, Predicate<? super QmpEvent> filter,
            Consumer<? super QmpEvent> listener, int capacity, boolean once, Consumer<Throwable> onConnectionClosed) {
        this.client = client;
        this.eventNames = Set.copyOf(eventNames);
        this.filter = filter;
        this.listener = listener;
        this.capacity = capacity;
        this.once = once;
        this.onConnectionClosed = onConnectionClosed;
    }

    /**
     * The event names this subscription was made for with {@link QmpClient#subscribe(Set, Consumer)}.
     *
     * @return the names; empty means every event, or a subscription made with a filter
     */
    public Set<String> eventNames() {
        return eventNames;
    }

    /**
     * How many events were dropped because the buffer was full.
     *
     * @return the number of dropped events
     */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * How many events were handed to the listener (counted as the listener is called).
     *
     * @return the number of delivered events
     */
    public synchronized long delivered() {
        return delivered;
    }

    /**
     * How many events are buffered and not yet delivered.
     *
     * @return the buffered events
     */
    public synchronized int buffered() {
        return queue.size();
    }

    /**
     * Whether events may still be delivered: not closed, and the connection has not ended (or its
     * last buffered events are still being delivered).
     *
     * @return {@code true} while active
     */
    public synchronized boolean isActive() {
        return !cancelled && (!connectionEnded || !queue.isEmpty() || draining);
    }

    /** Stops delivery and discards buffered events. Idempotent; never throws. */
    @Override
    public void close() {
        synchronized (this) {
            cancelled = true;
            queue.clear();
        }
        client.unsubscribe(this);
    }

    /** Called by the reader thread for every event. A filter that throws counts as "no", and is logged. */
    boolean accepts(QmpEvent event) {
        if (!eventNames.isEmpty() && !eventNames.contains(event.name())) {
            return false;
        }
        if (filter == null) {
            return true;
        }
        try {
            return filter.test(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event filter failed on " + event.name() + "; event not delivered to " + this, e);
            return false;
        }
    }

    /** Called by the reader thread; never blocks on the listener. */
    void offer(QmpEvent event) {
        synchronized (this) {
            if (cancelled || connectionEnded || (once && accepted)) {
                return;
            }
            accepted = true;
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped++;
            }
            queue.addLast(event);
            if (draining) {
                return;
            }
            draining = true;
        }
        client.dispatch(this::drain);
    }

    /** The connection ended ({@code cause} is {@code null} after a local close): deliver what is buffered, then notify. Idempotent. */
    void connectionClosed(Throwable cause) {
        synchronized (this) {
            if (connectionEnded) {
                return;
            }
            connectionEnded = true;
            connectionCause = cause;
            if (draining) {
                return;
            }
            draining = true;
        }
        client.dispatch(this::drain);
    }

    private void drain() {
        for (int n = 0; n < DRAIN_BATCH; n++) {
            QmpEvent event;
            boolean notifyClosed = false;
            Throwable cause = null;
            synchronized (this) {
                event = queue.pollFirst();
                if (event == null) {
                    if (connectionEnded && !closeNotified && !cancelled) {
                        closeNotified = true;
                        notifyClosed = true;
                        cause = connectionCause;
                    }
                    draining = false;
                } else {
                    delivered++;
                }
            }
            if (event == null) {
                if (notifyClosed && onConnectionClosed != null) {
                    onConnectionClosed.accept(cause);
                }
                return;
            }
            try {
                listener.accept(event);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "event listener failed on " + event.name(), e);
            }
        }
        client.dispatch(this::drain);
    }

    @Override
    public String toString() {
        return "EventSubscription" + (filter != null ? "[filter]" : eventNames.isEmpty() ? "[all]" : eventNames);
    }
}

package org.qmon.qmp.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.qmon.api.event.MonitorEvent;

/**
 * QEMU's event rate limiting ({@code monitor_qapi_event_conf} in {@code monitor/monitor.c}): for the
 * listed events, at most one per second per key reaches the clients. The first is emitted at once and
 * arms a one-second timer; events arriving while it runs replace the stored one (only the last
 * survives); when the timer fires the stored event is emitted and the timer re-armed, else the state is
 * dropped. Every other event passes straight through.
 *
 * <p>{@link #states} is guarded by {@code this}; emission happens outside the lock.
 */
final class EventThrottle implements AutoCloseable {

    /** Rate per throttled event, and the data member (if any) that is part of the key. */
    private record Rule(long millis, String keyMember) {
    }

    private static final Map<String, Rule> RULES = Map.of(
            "RTC_CHANGE", new Rule(1000, null),
            "WATCHDOG", new Rule(1000, null),
            "BALLOON_CHANGE", new Rule(1000, null),
            "QUORUM_REPORT_BAD", new Rule(1000, "node-name"),
            "QUORUM_FAILURE", new Rule(1000, null),
            "VSERPORT_CHANGE", new Rule(1000, "id"),
            "MEMORY_DEVICE_SIZE_CHANGE", new Rule(1000, "qom-path"),
            "HV_BALLOON_STATUS_REPORT", new Rule(1000, null));

    /** Built at the first throttled event (a holder class: no mapper for a monitor that has none). */
    private static final class Keys {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final class State {
        MonitorEvent pending;
    }

    private final Consumer<MonitorEvent> emit;
    private final Map<String, State> states = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmon-qmp-event-throttle");
        t.setDaemon(true);
        return t;
    });

    EventThrottle(Consumer<MonitorEvent> emit) {
        this.emit = emit;
    }

    void submit(MonitorEvent e) {
        Rule rule = RULES.get(e.name());
        if (rule == null) {
            emit.accept(e);
            return;
        }
        String key = e.name() + "/" + keyValue(e, rule);
        synchronized (this) {
            State s = states.get(key);
            if (s != null) {
                s.pending = e;
                return;
            }
            states.put(key, new State());
            timer.schedule(() -> fire(key, rule), rule.millis(), TimeUnit.MILLISECONDS);
        }
        emit.accept(e);
    }

    private void fire(String key, Rule rule) {
        MonitorEvent e;
        synchronized (this) {
            State s = states.get(key);
            if (s == null) {
                return;
            }
            e = s.pending;
            if (e == null) {
                states.remove(key);
                return;
            }
            s.pending = null;
            timer.schedule(() -> fire(key, rule), rule.millis(), TimeUnit.MILLISECONDS);
        }
        emit.accept(e);
    }

    private static String keyValue(MonitorEvent e, Rule rule) {
        if (rule.keyMember() == null || e.data() == null) {
            return "";
        }
        JsonNode data = Keys.MAPPER.valueToTree(e.data());
        return Objects.toString(data.path(rule.keyMember()).asText(null), "");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

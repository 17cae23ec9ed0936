package org.qmon.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;
import org.qmon.api.device.MachineState;
import org.qmon.api.event.MonitorEvent;

/**
 * The machine's run state, and the STOP / RESUME events that go with changing it. Events are sent with
 * {@code EventAdmin.sendEvent} (synchronously), so that every client has them queued before the reply
 * of the command that caused them, as in QEMU.
 *
 * <p>{@code this} guards {@link #state}: a transition and its events are one step, so two sessions
 * that stop and continue at the same time see a consistent sequence.
 *
 * <p>Also published as {@link MachineState}, so that devices (a display freezes while the machine is
 * stopped) read the state without depending on this bundle's private package.
 */
@Component(service = {RunStateService.class, MachineState.class})
public final class RunStateService implements MachineState {

    private final EventAdmin events;
    /** Written under this object's lock (transitions and their events are serialised); read without it. */
    private volatile RunState state = RunState.RUNNING;

    @Activate
    public RunStateService(@Reference EventAdmin events) {
        this.events = events;
    }

    /** @return the current state; lock-free, so query-status never waits for a transition's events */
    public RunState state() {
        return state;
    }

    @Override
    public boolean isRunning() {
        return state == RunState.RUNNING;
    }

    /** Pauses; emits STOP only when the machine was running (QEMU's {@code do_vm_stop}). */
    public synchronized void stop() {
        if (state == RunState.RUNNING) {
            state = RunState.PAUSED;
            events.sendEvent(MonitorEvent.of("STOP").toOsgiEvent());
        }
    }

    /**
     * Resumes; emits RESUME only when the machine was not running. Continuing a running machine is a
     * no-op without events, as in QEMU 7.2 (checked by the differential tests).
     */
    public synchronized void cont() {
        if (state != RunState.RUNNING) {
            state = RunState.RUNNING;
            events.sendEvent(MonitorEvent.of("RESUME").toOsgiEvent());
        }
    }

    /** Enters the shutdown state and emits SHUTDOWN with QEMU's data ({@code guest}, then {@code reason}). */
    public synchronized void shutdown(CoreEvents.ShutdownCause reason) {
        state = RunState.SHUTDOWN;
        events.sendEvent(new MonitorEvent("SHUTDOWN", new CoreEvents.ShutdownInfo(false, reason)).toOsgiEvent());
    }
}

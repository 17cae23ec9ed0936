package org.qmon.api.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine's run state as devices need it, provided by the platform: a device that animates (a
 * display) freezes while the machine is stopped, as an emulated device stops with its virtual CPUs.
 *
 * <p>A service rather than only the {@code STOP} and {@code RESUME} events: a device created while the
 * machine is paused must know it without having seen the event.
 */
@ProviderType
public interface MachineState {

    /**
     * Whether the machine runs (QMP's {@code query-status} {@code running}).
     *
     * @return {@code true} while running
     */
    boolean isRunning();
}

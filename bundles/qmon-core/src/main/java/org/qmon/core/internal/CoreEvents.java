package org.qmon.core.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.qmon.api.event.EventType;

/**
 * Declares core's events: {@code STOP} and {@code RESUME} (no data), {@code SHUTDOWN}
 * ({@link ShutdownInfo}) and {@code DEVICE_DELETED}, so that {@code query-qmp-schema} lists them as
 * QEMU does.
 */
@Component(immediate = true, service = {})
public final class CoreEvents {

    /** QEMU's {@code ShutdownCause}: why the machine shut down. */
    public enum ShutdownCause {
        /** No shutdown request pending. */
        none,
        /** An error prevents further use of the guest. */
        @JsonProperty("host-error") HOST_ERROR,
        /** Reaction to a QMP {@code quit}. */
        @JsonProperty("host-qmp-quit") HOST_QMP_QUIT,
        /** Reaction to a QMP {@code system_reset}. */
        @JsonProperty("host-qmp-system-reset") HOST_QMP_SYSTEM_RESET,
        /** Reaction to a signal, such as SIGINT. */
        @JsonProperty("host-signal") HOST_SIGNAL,
        /** Reaction to a UI event. */
        @JsonProperty("host-ui") HOST_UI,
        /** The guest requested it. */
        @JsonProperty("guest-shutdown") GUEST_SHUTDOWN,
        /** The guest requested a reset. */
        @JsonProperty("guest-reset") GUEST_RESET,
        /** The guest panicked. */
        @JsonProperty("guest-panic") GUEST_PANIC,
        /** A subsystem reset. */
        @JsonProperty("subsystem-reset") SUBSYSTEM_RESET,
        /** A snapshot was loaded. */
        @JsonProperty("snapshot-load") SNAPSHOT_LOAD
    }

    /**
     * {@code SHUTDOWN}'s data, in QEMU's member order.
     *
     * @param guest whether the guest asked for it
     * @param reason why
     */
    public record ShutdownInfo(boolean guest, ShutdownCause reason) {
    }

    private final List<ServiceRegistration<EventType>> registrations = new ArrayList<>();

    /**
     * Declares the events.
     *
     * @param context this bundle's context
     */
    @Activate
    public CoreEvents(BundleContext context) {
        for (EventType t : List.of(new EventType("STOP", null), new EventType("RESUME", null),
                new EventType("SHUTDOWN", ShutdownInfo.class),
                new EventType("DEVICE_DELETED", org.qmon.core.internal.devices.DeviceRegistry.DeviceDeleted.class))) {
            registrations.add(context.registerService(EventType.class, t, null));
        }
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
    }
}

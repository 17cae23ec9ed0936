package org.qmon.core.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/** QEMU's {@code RunState} values, as they appear on the wire. */
public enum RunState {
    @JsonProperty("debug") DEBUG,
    @JsonProperty("inmigrate") INMIGRATE,
    @JsonProperty("internal-error") INTERNAL_ERROR,
    @JsonProperty("io-error") IO_ERROR,
    @JsonProperty("paused") PAUSED,
    @JsonProperty("postmigrate") POSTMIGRATE,
    @JsonProperty("prelaunch") PRELAUNCH,
    @JsonProperty("finish-migrate") FINISH_MIGRATE,
    @JsonProperty("restore-vm") RESTORE_VM,
    @JsonProperty("running") RUNNING,
    @JsonProperty("save-vm") SAVE_VM,
    @JsonProperty("shutdown") SHUTDOWN,
    @JsonProperty("suspended") SUSPENDED,
    @JsonProperty("watchdog") WATCHDOG,
    @JsonProperty("guest-panicked") GUEST_PANICKED,
    @JsonProperty("colo") COLO
}

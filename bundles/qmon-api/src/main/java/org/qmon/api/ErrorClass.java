package org.qmon.api;

/**
 * The QMP error classes (QEMU's {@code QapiErrorClass}), reported as the {@code class} member of an
 * error reply. Clients must tolerate classes they do not know; this set is QEMU's.
 */
public enum ErrorClass {
    /** The default for every error. */
    GenericError,
    /** Unknown or disabled command, or a command not available in the session's current state. */
    CommandNotFound,
    /** A device exists but is not active. */
    DeviceNotActive,
    /** No device of the given name. QEMU's text: {@code Device '%s' not found}. */
    DeviceNotFound,
    /** The KVM accelerator lacks a capability. */
    KVMMissingCap
}

package org.qmon.api.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code VersionInfo}: the shape of {@code query-version}'s result and of the QMP greeting's
 * {@code version} member. No other members are allowed (QEMU's own test parses it strictly).
 *
 * <p>Data only. The platform's version is registered as a service of this type by qmon-core (the
 * version of the core bundle), so that {@code query-version} and the greeting of every frontend have
 * one source.
 *
 * @param qemu the version triple; for qmon, qmon's own version
 * @param pkg the package string, sent as {@code package}
 */
public record VersionInfo(Triple qemu, @JsonProperty("package") String pkg) {

    /**
     * A version triple.
     *
     * @param major the major number
     * @param minor the minor number
     * @param micro the micro number
     */
    public record Triple(int major, int minor, int micro) {
    }
}

package org.qmon.api.runtime;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

/**
 * QEMU's {@code VersionInfo}: the shape of {@code query-version}'s result and of the QMP greeting's
 * {@code version} member. No other members are allowed (QEMU's own test parses it strictly).
 *
 * @param qemu the version triple; for qmon, qmon's own version
 * @param pkg the package string, sent as {@code package}
 */
public record VersionInfo(Triple qemu, @com.fasterxml.jackson.annotation.JsonProperty("package") String pkg) {

    /**
     * A version triple.
     *
     * @param major the major number
     * @param minor the minor number
     * @param micro the micro number
     */
    public record Triple(int major, int minor, int micro) {
    }

    /**
     * qmon's version: the version of the qmon API bundle (one source for the greeting and
     * {@code query-version}), with package {@code qmon-MAJOR.MINOR.MICRO}.
     *
     * @return the version info
     */
    public static VersionInfo current() {
        Bundle b = FrameworkUtil.getBundle(VersionInfo.class);
        Version v = b != null ? b.getVersion() : new Version(0, 1, 0);
        return new VersionInfo(new Triple(v.getMajor(), v.getMinor(), v.getMicro()),
                "qmon-" + v.getMajor() + "." + v.getMinor() + "." + v.getMicro());
    }
}

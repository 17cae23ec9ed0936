package org.qmon.core.internal;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.qmon.api.runtime.VersionInfo;

/**
 * The platform's version, registered as a {@link VersionInfo} service: the version of this bundle,
 * with package {@code qmon-MAJOR.MINOR.MICRO}. One source for {@code query-version} and for the
 * greeting of every frontend. A record cannot be a DS component's service object, so it is
 * registered by hand for as long as this component is active. The capability declares that service
 * in the manifest, as Declarative Services' annotations do for their own, so that resolvers that check
 * service requirements (Karaf's features resolver) know that this bundle provides it.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.qmon.api.runtime.VersionInfo",
        uses = VersionInfo.class)
@Component(immediate = true, service = {})
public final class PlatformVersion {

    private final ServiceRegistration<VersionInfo> registration;

    /**
     * Registers the version.
     *
     * @param context this bundle's context
     */
    @Activate
    public PlatformVersion(BundleContext context) {
        registration = context.registerService(VersionInfo.class, of(context.getBundle().getVersion()), null);
    }

    /**
     * QEMU's {@code VersionInfo} for a bundle version.
     *
     * @param v the version
     * @return the version info
     */
    static VersionInfo of(Version v) {
        return new VersionInfo(new VersionInfo.Triple(v.getMajor(), v.getMinor(), v.getMicro()),
                "qmon-" + v.getMajor() + "." + v.getMinor() + "." + v.getMicro());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}

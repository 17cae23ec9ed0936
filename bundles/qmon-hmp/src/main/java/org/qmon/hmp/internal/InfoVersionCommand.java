package org.qmon.hmp.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code info version}: {@code query-version} shown as QEMU's {@code hmp_info_version} shows it. */
@Component(service = HmpCommand.class)
public final class InfoVersionCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.info("version")
                .help("show the version of QEMU")
                .calls("query-version")
                .formatter(InfoVersionCommand::format)
                .build();
    }

    /**
     * QEMU's {@code MAJOR.MINOR.MICROPACKAGE}: the package string appended without a separator (QEMU
     * 7.2 from Debian prints {@code 7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3}; qmon prints
     * {@code 0.1.0qmon-0.1.0}).
     *
     * @param result {@code VersionInfo} in neutral form
     * @param arguments unused
     * @return the line
     */
    static String format(Object result, Map<String, Object> arguments) {
        Map<?, ?> info = (Map<?, ?>) result;
        Map<?, ?> v = (Map<?, ?>) info.get("qemu");
        Object pkg = info.get("package");
        return v.get("major") + "." + v.get("minor") + "." + v.get("micro") + (pkg == null ? "" : pkg) + "\n";
    }
}

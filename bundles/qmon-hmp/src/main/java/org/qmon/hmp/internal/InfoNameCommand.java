package org.qmon.hmp.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code info name}: {@code query-name}; the name on a line of its own, nothing when there is none. */
@Component(service = HmpCommand.class)
public final class InfoNameCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.info("name")
                .help("show the current VM name")
                .calls("query-name")
                .formatter(InfoNameCommand::format)
                .build();
    }

    /**
     * QEMU's {@code hmp_info_name}.
     *
     * @param result {@code NameInfo} in neutral form
     * @param arguments unused
     * @return the name and a line end, or empty
     */
    static String format(Object result, Map<String, Object> arguments) {
        Object name = ((Map<?, ?>) result).get("name");
        return name == null ? "" : name + "\n";
    }
}

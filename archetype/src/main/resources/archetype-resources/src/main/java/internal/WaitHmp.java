package ${package}.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/** The human monitor form of {@code ${commandPrefix}-wait}: {@code ${commandPrefix.replace('-', '_')}_wait MILLISECONDS}, silent on success. */
@Component(service = HmpCommand.class)
public final class WaitHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("${commandPrefix.replace('-', '_')}_wait")
                .parameters(HmpParameter.integer("milliseconds"))
                .params("milliseconds")
                .help("wait, then return to the prompt")
                .calls("${commandPrefix}-wait")
                .build();
    }
}

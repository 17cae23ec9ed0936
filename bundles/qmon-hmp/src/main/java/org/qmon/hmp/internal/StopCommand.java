package org.qmon.hmp.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code stop|s}: {@code stop}, silent on success, {@code Error: ...} otherwise. */
@Component(service = HmpCommand.class)
public final class StopCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("stop").aliases("s").help("stop emulation").calls("stop").build();
    }
}

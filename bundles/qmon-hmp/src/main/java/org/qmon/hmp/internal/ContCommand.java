package org.qmon.hmp.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code cont|c}: {@code cont}, silent on success, {@code Error: ...} otherwise. */
@Component(service = HmpCommand.class)
public final class ContCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("cont").aliases("c").help("resume emulation").calls("cont").build();
    }
}

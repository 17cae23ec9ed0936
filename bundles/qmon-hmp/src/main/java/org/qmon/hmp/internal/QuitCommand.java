package org.qmon.hmp.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code quit|q}: {@code quit}, silent on success, {@code Error: ...} otherwise. */
@Component(service = HmpCommand.class)
public final class QuitCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("quit").aliases("q").help("quit the emulator").calls("quit").build();
    }
}

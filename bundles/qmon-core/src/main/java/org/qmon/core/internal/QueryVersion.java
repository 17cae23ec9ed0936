package org.qmon.core.internal;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.VersionInfo;

/** {@code query-version}: qmon's version in QEMU's {@code VersionInfo} shape, as in the greeting. */
@Component(service = Command.class)
@QmpCommand(name = "query-version", nonBlocking = true, description = "show the version of qmon")
public final class QueryVersion implements Command<NoArguments, VersionInfo> {

    @Override
    public VersionInfo execute(NoArguments arguments, CommandContext context) {
        return VersionInfo.current();
    }
}

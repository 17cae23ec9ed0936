package org.qmon.core.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;
import org.qmon.api.runtime.VersionInfo;

/** {@code query-version}: the platform's version in QEMU's {@code VersionInfo} shape, as in the greeting. */
@Component(service = Command.class)
@QmpCommand(name = "query-version", nonBlocking = true, description = "show the version of qmon")
public final class QueryVersion implements Command<NoArguments, VersionInfo> {

    private final VersionInfo version;

    /**
     * Creates the command.
     *
     * @param version the platform's version
     */
    @Activate
    public QueryVersion(@Reference VersionInfo version) {
        this.version = version;
    }

    @Override
    public VersionInfo execute(NoArguments arguments, CommandContext context) {
        return version;
    }
}

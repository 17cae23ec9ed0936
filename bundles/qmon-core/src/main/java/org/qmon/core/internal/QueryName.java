package org.qmon.core.internal;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code query-name}: the guest name given with the framework property {@value #PROPERTY} (QEMU's
 * {@code -name}); {@code {}} when there is none.
 */
@Component(service = Command.class)
@QmpCommand(name = "query-name", nonBlocking = true, description = "show the current VM name")
public final class QueryName implements Command<NoArguments, QueryName.NameInfo> {

    /** The framework property holding the name. */
    public static final String PROPERTY = "qmon.name";

    /**
     * QEMU's {@code NameInfo}; {@code name} is omitted when unset (an optional member in the schema).
     *
     * @param name the name or {@code null}
     */
    public record NameInfo(@JsonInclude(JsonInclude.Include.NON_NULL) String name) {
    }

    private final NameInfo info;

    @Activate
    public QueryName(BundleContext context) {
        String name = context.getProperty(PROPERTY);
        this.info = new NameInfo(name == null || name.isEmpty() ? null : name);
    }

    @Override
    public NameInfo execute(NoArguments arguments, CommandContext context) {
        return info;
    }
}

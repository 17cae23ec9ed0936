package org.qmon.itest.hot;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code itest-park}: never completes by itself; it stays pending until it is cancelled (its client
 * leaves, or this bundle is uninstalled while it runs).
 */
@Component(service = AsyncCommand.class)
@QmpCommand(name = "itest-park")
public final class Park implements AsyncCommand<NoArguments, Void> {

    @Override
    public void execute(NoArguments arguments, Completion<Void> completion, CommandContext context) {
        // Intentionally left pending.
    }
}

package org.qmon.itest.hot;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.annotations.QmpCommand;

/** {@code itest-hello}: greets; the command the itests hot-install. */
@Component(service = Command.class)
@QmpCommand(name = "itest-hello")
public final class Hello implements Command<Hello.Arguments, Hello.Greeting> {

    /** @param name who to greet */
    public record Arguments(String name) {
    }

    /** @param greeting the text */
    public record Greeting(String greeting) {
    }

    @Override
    public Greeting execute(Arguments arguments, CommandContext context) {
        return new Greeting("Hello, " + arguments.name());
    }
}

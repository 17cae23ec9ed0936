package ${package}.internal;

import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code ${commandPrefix}-hello}: a synchronous command. The dispatcher binds the request's arguments to
 * {@link Arguments} (strictly, with QEMU's error texts) before {@code execute} runs, and sends the
 * returned {@link Greeting} as the reply's {@code return} member.
 *
 * <pre>
 * -&gt; {"execute": "${commandPrefix}-hello", "arguments": {"name": "world", "times": 2}}
 * &lt;- {"return": {"greeting": "Hello, world! Hello, world!"}}
 * </pre>
 *
 * <p>{@code nonBlocking}: it neither waits nor computes for long, so it may run on the I/O thread.
 */
@Component(service = Command.class)
@QmpCommand(name = "${commandPrefix}-hello", nonBlocking = true, description = "Greets someone, once or a few times.")
public final class HelloCommand implements Command<HelloCommand.Arguments, HelloCommand.Greeting> {

    /** The most greetings in one answer. */
    static final int MAX_TIMES = 10;

    /**
     * The arguments; an {@link Optional} member is optional on the wire.
     *
     * @param name who to greet
     * @param times how many times, 1 to {@value MAX_TIMES}; once when absent
     */
    public record Arguments(String name, Optional<Integer> times) {
    }

    /**
     * The result.
     *
     * @param greeting the text
     */
    public record Greeting(String greeting) {
    }

    @Override
    public Greeting execute(Arguments arguments, CommandContext context) throws CommandException {
        int times = arguments.times().orElse(1);
        if (times < 1 || times > MAX_TIMES) {
            // QEMU's text for an argument with a wrong value; GenericError is its class.
            throw CommandException.generic("Parameter 'times' expects a value from 1 to " + MAX_TIMES);
        }
        String once = "Hello, " + arguments.name() + "!";
        return new Greeting(String.join(" ", java.util.Collections.nCopies(times, once)));
    }
}

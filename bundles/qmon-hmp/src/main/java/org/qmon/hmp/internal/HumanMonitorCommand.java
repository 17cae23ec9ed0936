package org.qmon.hmp.internal;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.qmon.api.AsyncCommand;
import org.qmon.api.CommandContext;
import org.qmon.api.CommandException;
import org.qmon.api.Completion;
import org.qmon.api.runtime.DispatchSession;
import org.qmon.api.runtime.Dispatcher;

/**
 * QMP's {@code human-monitor-command}: runs one HMP line, as QEMU's throw-away monitor does (no banner,
 * no prompt, no echo), and returns its output with {@code \r\n} line ends, {@code ""} when there is
 * none. HMP-level errors are output, not QMP errors ({@code {"return": "unknown command: 'foo'\r\n"}}),
 * exactly as in QEMU.
 *
 * <p>Asynchronous: it completes when the line's QMP command completes. That command runs in a dispatcher
 * session of its own, opened for the call and closed when it answers; when this command is cancelled
 * (its client left, the timeout passed), closing that session cancels the inner command too.
 *
 * <p>{@code cpu-index} is accepted, as in QEMU's schema. qmon has no virtual CPUs and no HMP command
 * that depends on a current CPU, so a non-negative index changes nothing; a negative one is refused
 * with QEMU's text.
 */
final class HumanMonitorCommand implements AsyncCommand<HumanMonitorCommand.Arguments, String> {

    /** The command's name. */
    static final String NAME = "human-monitor-command";

    /**
     * QEMU's arguments.
     *
     * @param commandLine the HMP line
     * @param cpuIndex the CPU to make current (accepted; see the class comment)
     */
    public record Arguments(@JsonProperty("command-line") String commandLine,
            @JsonProperty("cpu-index") Optional<Long> cpuIndex) {
    }

    private final Dispatcher dispatcher;
    private final HmpInterpreter interpreter;

    HumanMonitorCommand(Dispatcher dispatcher, HmpInterpreter interpreter) {
        this.dispatcher = dispatcher;
        this.interpreter = interpreter;
    }

    @Override
    public void execute(Arguments arguments, Completion<String> completion, CommandContext context)
            throws CommandException {
        if (arguments.cpuIndex().isPresent() && arguments.cpuIndex().get() < 0) {
            throw CommandException.generic("Parameter 'cpu-index' expects a CPU number");
        }
        String line = arguments.commandLine();
        String error = HmpText.check(line);
        if (error != null) {
            completion.complete(error + "\r\n");
            return;
        }
        DispatchSession session = dispatcher.openSession(CommandContext.FRONTEND_HMP, Set.of());
        completion.onCancel(session::close);
        interpreter.run(line, session, output -> {
            session.close();
            completion.complete(HmpText.crlf(output));
        });
    }
}

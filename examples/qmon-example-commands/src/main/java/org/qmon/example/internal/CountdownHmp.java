package org.qmon.example.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * The human form of {@code example-countdown}: {@code example_countdown SECONDS [TAG]}. The monitor
 * waits for the answer (the prompt returns when the countdown ends), as QEMU's HMP does for its slow
 * commands; other monitors and QMP clients go on meanwhile.
 */
@Component(service = HmpCommand.class)
public final class CountdownHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("example_countdown")
                .parameters(HmpParameter.integer("seconds"), HmpParameter.string("tag").optional())
                .params("seconds [tag]")
                .help("wait for some seconds, then say so")
                .calls("example-countdown")
                .formatter(CountdownHmp::format)
                .build();
    }

    /**
     * Formats the result.
     *
     * @param result {@code example-countdown}'s result, as QMP sends it
     * @param arguments what was typed
     * @return one line
     */
    static String format(Object result, Map<String, Object> arguments) {
        Map<?, ?> r = (Map<?, ?>) result;
        String tag = String.valueOf(r.get("tag"));
        return "countdown " + (tag.isEmpty() ? "" : "'" + tag + "' ") + "done after " + r.get("elapsed-ms") + " ms";
    }
}

package ${package}.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * The human monitor form of {@code ${commandPrefix}-hello}: {@code ${commandPrefix.replace('-', '_')}_hello NAME [TIMES]}. It declares
 * how a line is parsed into the QMP command's arguments and how the result is shown; the command runs
 * through the dispatcher like any QMP request.
 */
@Component(service = HmpCommand.class)
public final class HelloHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("${commandPrefix.replace('-', '_')}_hello")
                .parameters(HmpParameter.string("name"), HmpParameter.integer("times").optional())
                .params("name [times]")
                .help("greet someone")
                .calls("${commandPrefix}-hello")
                .formatter(HelloHmp::format)
                .build();
    }

    /**
     * Shows the result.
     *
     * @param result the QMP result as QMP sends it (maps, lists, strings, numbers)
     * @param arguments what was typed, parsed
     * @return the line
     */
    static String format(Object result, Map<String, Object> arguments) {
        return String.valueOf(((Map<?, ?>) result).get("greeting"));
    }
}

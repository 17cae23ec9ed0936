package org.qmon.display.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * HMP {@code screendump filename [-f format] [device [head]]}: QEMU 7.2's syntax and help (its text, with
 * its missing spaces), over the QMP
 * {@code screendump} of this bundle. The human form comes and goes with the command.
 */
@Component(service = HmpCommand.class)
public final class ScreendumpHmp implements HmpCommand {

    /**
     * The QMP arguments, the format checked first as QEMU's {@code hmp_screendump} checks it (with
     * {@code qapi_enum_parse}, whose text differs from the QMP command's).
     *
     * @param parsed the parsed values
     * @return screendump's arguments, in order
     * @throws IllegalArgumentException {@code invalid parameter value: <format>}
     */
    static Map<String, Object> arguments(Map<String, Object> parsed) {
        Object format = parsed.get("format");
        if (format != null && !"ppm".equals(format) && !"png".equals(format)) {
            throw new IllegalArgumentException("invalid parameter value: " + format);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : new String[] {"filename", "format", "device", "head"}) {
            if (parsed.get(name) != null) {
                out.put(name, parsed.get(name));
            }
        }
        return out;
    }

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("screendump")
                .parameters(HmpParameter.filename("filename"), HmpParameter.option("format", 'f').optional(),
                        HmpParameter.string("device").optional(), HmpParameter.integer("head").optional())
                .params("filename [-f format] [device [head]]")
                .help("save screen from head 'head' of display device 'device'in specified format 'format' as image "
                        + "'filename'.Currently only 'png' and 'ppm' formats are supported.")
                .calls("screendump")
                .arguments(ScreendumpHmp::arguments)
                .build();
    }
}

package org.qmon.display.internal;

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

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("screendump")
                .parameters(HmpParameter.filename("filename"), HmpParameter.option("format", 'f').optional(),
                        HmpParameter.string("device").optional(), HmpParameter.integer("head").optional())
                .params("filename [-f format] [device [head]]")
                .help("save screen from head 'head' of display device 'device'in specified format 'format' as image "
                        + "'filename'.Currently only 'png' and 'ppm' formats are supported.")
                .calls("screendump")
                .build();
    }
}

package org.qmon.hmp.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;

/** {@code info status}: {@code query-status} shown as QEMU's {@code hmp_info_status} shows it. */
@Component(service = HmpCommand.class)
public final class InfoStatusCommand implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.info("status")
                .help("show the current VM status (running|paused)")
                .calls("query-status")
                .formatter(InfoStatusCommand::format)
                .build();
    }

    /**
     * {@code VM status: running}, or {@code VM status: paused}, followed by the run state in brackets
     * when it is neither (e.g. {@code VM status: paused (shutdown)}), and QEMU 7.2's
     * {@code (single step mode)} when set.
     *
     * @param result {@code StatusInfo} in neutral form
     * @param arguments unused
     * @return the line
     */
    static String format(Object result, Map<String, Object> arguments) {
        Map<?, ?> info = (Map<?, ?>) result;
        boolean running = Boolean.TRUE.equals(info.get("running"));
        StringBuilder sb = new StringBuilder("VM status: ").append(running ? "running" : "paused");
        if (Boolean.TRUE.equals(info.get("singlestep"))) {
            sb.append(" (single step mode)");
        }
        Object status = info.get("status");
        if (!running && status != null && !"paused".equals(status)) {
            sb.append(" (").append(status).append(')');
        }
        return sb.append('\n').toString();
    }
}

package org.qmon.example.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.hmp.HmpCommand;
import org.qmon.api.hmp.HmpDefinition;
import org.qmon.api.hmp.HmpParameter;

/**
 * The human form of {@code example-checksum}: {@code example_checksum [-a adler32] TEXT}, printing
 * {@code crc32 0x3610a686 (5 bytes)}. It parses the line into the QMP command's arguments and formats
 * its result; the command itself runs through the dispatcher like any QMP request.
 */
@Component(service = HmpCommand.class)
public final class ChecksumHmp implements HmpCommand {

    @Override
    public HmpDefinition definition() {
        return HmpDefinition.command("example_checksum")
                .parameters(HmpParameter.option("algorithm", 'a'), HmpParameter.rest("data"))
                .params("[-a crc32|adler32] text")
                .help("print the checksum of a text")
                .calls("example-checksum")
                .formatter(ChecksumHmp::format)
                .build();
    }

    /**
     * Formats the result.
     *
     * @param result {@code example-checksum}'s result, as QMP sends it
     * @param arguments what was typed
     * @return one line
     */
    static String format(Object result, Map<String, Object> arguments) {
        Map<?, ?> r = (Map<?, ?>) result;
        return String.format("%s 0x%08x (%s bytes)", r.get("algorithm"), ((Number) r.get("value")).longValue(),
                r.get("length"));
    }
}

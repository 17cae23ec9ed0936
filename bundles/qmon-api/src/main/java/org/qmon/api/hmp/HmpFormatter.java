package org.qmon.api.hmp;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Shows a QMP command's result to a person: QEMU's {@code hmp_info_status} and friends, with no command
 * logic of their own.
 */
@ConsumerType
@FunctionalInterface
public interface HmpFormatter {

    /** Prints nothing: the formatter of commands that are silent on success ({@code stop}, {@code cont}). */
    HmpFormatter SILENT = (result, arguments) -> "";

    /**
     * Formats a result.
     *
     * @param result the QMP command's {@code return} value in neutral JSON form, exactly as QMP would send
     *        it: a {@link Map} (members in the order QMP writes them, absent optional members omitted), a
     *        {@link java.util.List}, a {@link String}, a {@link Number} ({@link Integer}, {@link Long},
     *        {@link java.math.BigInteger} or {@link Double}), a {@link Boolean}, or an empty map for
     *        {@code {}}
     * @param arguments the HMP arguments the person typed, parsed (see {@link HmpParameter}), by
     *        parameter name; absent optional parameters are missing
     * @return the text, lines separated by {@code "\n"} (the frontend writes the line endings its medium
     *         wants: CRLF on the socket and in {@code human-monitor-command}); empty for no output
     */
    String format(Object result, Map<String, Object> arguments);
}

package org.qmon.bench.commands;

import java.util.Optional;

/**
 * Arguments of the benchmark commands.
 *
 * @param ms how long the command takes, in milliseconds (default 4, QEMU's screendump on
 *     {@code -machine pc} takes 3-6 ms; at most 1000)
 */
public record Duration(Optional<Integer> ms) {

    /** Default duration: the middle of the screendump range measured on QEMU. */
    static final int DEFAULT_MS = 4;
    /** Upper bound: a benchmark command never holds anything for longer than this. */
    static final int MAX_MS = 1000;

    int millis() {
        return Math.max(0, Math.min(MAX_MS, ms.orElse(DEFAULT_MS)));
    }
}

package org.qmon.bench.commands;

import org.osgi.service.component.annotations.Component;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.annotations.QmpCommand;

/**
 * {@code bench-spin}: a synchronous command that computes for {@code ms} milliseconds on the thread
 * that runs it, the stand-in for a CPU-bound command (QEMU's screendump converts and writes a frame).
 */
@Component(service = Command.class)
@QmpCommand(name = "bench-spin")
public final class BenchSpin implements Command<Duration, BenchSpin.Spun> {

    /** @param rounds how many hash rounds fitted in the time, so the work cannot be optimised away */
    public record Spun(long rounds) {
    }

    @Override
    public Spun execute(Duration arguments, CommandContext context) {
        long end = System.nanoTime() + arguments.millis() * 1_000_000L;
        long x = 0x9E3779B97F4A7C15L;
        long rounds = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            rounds++;
        }
        return new Spun(rounds + (x == 0 ? 1 : 0));
    }
}

package org.qmon.bench.load;

import java.util.Locale;

/**
 * The machine-readable last line of every run. bench/run reads it by key ({@code ops_s},
 * {@code slow_ops_s}, {@code greet_p50_us}, ...), so the keys and their order are those of the C
 * generator it replaced; numbers are plain, one decimal for rates and microseconds.
 */
final class Results {

    private Results() {
    }

    /** The counts of a qmp-mode run; latencies and rates come separately. */
    record QmpCounts(int clients, int slowClients, int depth, double windowS, long ops, long slowOps, long errors,
            long bad, long lost, long events, long replies, long rxBytes) {

        double avgReplyBytes() {
            return replies == 0 ? 0 : (double) rxBytes / (double) replies;
        }
    }

    static String qmp(QmpCounts c, Latencies fast, Latencies slow) {
        StringBuilder sb = new StringBuilder(320);
        sb.append(String.format(Locale.ROOT,
                "RESULT mode=qmp clients=%d fast_clients=%d slow_clients=%d depth=%d window_s=%.3f ops=%d "
                        + "ops_s=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f errors=%d bad=%d "
                        + "lost=%d events=%d avg_reply_bytes=%.1f",
                c.clients, c.clients - c.slowClients, c.slowClients, c.depth, c.windowS, c.ops, c.ops / c.windowS,
                fast.percentileUs(50), fast.percentileUs(90), fast.percentileUs(99), fast.maxUs(), fast.meanUs(),
                c.errors, c.bad, c.lost, c.events, c.avgReplyBytes()));
        if (c.slowClients > 0) {
            sb.append(String.format(Locale.ROOT, " slow_ops_s=%.1f slow_p50_us=%.1f slow_p99_us=%.1f slow_max_us=%.1f",
                    c.slowOps / c.windowS, slow.percentileUs(50), slow.percentileUs(99), slow.maxUs()));
        }
        return sb.toString();
    }

    static String greet(Latencies greeting, Latencies caps) {
        return String.format(Locale.ROOT,
                "RESULT mode=greet n=%d greet_p50_us=%.1f greet_p90_us=%.1f greet_p99_us=%.1f greet_max_us=%.1f "
                        + "caps_p50_us=%.1f caps_p99_us=%.1f",
                greeting.count(), greeting.percentileUs(50), greeting.percentileUs(90), greeting.percentileUs(99),
                greeting.maxUs(), caps.percentileUs(50), caps.percentileUs(99));
    }

    static String hmp(double windowS, long ops, Latencies lat, long errors) {
        return String.format(Locale.ROOT,
                "RESULT mode=hmp window_s=%.3f ops=%d ops_s=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f "
                        + "errors=%d",
                windowS, ops, ops / windowS, lat.percentileUs(50), lat.percentileUs(90), lat.percentileUs(99),
                lat.maxUs(), errors);
    }
}

package org.qmon.bench.load;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency samples in nanoseconds: an HdrHistogram (three significant digits, so a percentile is
 * within 0.1 % of the sample) plus the exact count, sum, minimum and maximum. Recording allocates
 * nothing, however many samples a run takes.
 */
final class Latencies {

    /** Longer than any bounded run (-w + -t + -D + set-up); a longer sample is recorded as this. */
    static final long HIGHEST_NS = TimeUnit.HOURS.toNanos(2);

    private final Histogram histogram = new Histogram(1, HIGHEST_NS, 3);
    private long count;
    private double sumNs;
    private long minNs = Long.MAX_VALUE;
    private long maxNs;

    void record(long ns) {
        long v = ns < 1 ? 1 : Math.min(ns, HIGHEST_NS);
        histogram.recordValue(v);
        count++;
        sumNs += ns;
        if (ns < minNs) {
            minNs = ns;
        }
        if (ns > maxNs) {
            maxNs = ns;
        }
    }

    long count() {
        return count;
    }

    double minUs() {
        return count == 0 ? 0 : minNs / 1000.0;
    }

    double maxUs() {
        return count == 0 ? 0 : maxNs / 1000.0;
    }

    double meanUs() {
        return count == 0 ? 0 : sumNs / count / 1000.0;
    }

    /**
     * The p-th percentile in microseconds: the sample at index round(p/100 * (n-1)) of the sorted
     * samples, the rank of the C generator this one replaced, so results stay comparable with the
     * older ones in bench/results.
     */
    double percentileUs(double p) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) (p / 100.0 * (double) (count - 1) + 0.5);
        if (rank >= count) {
            rank = count - 1;
        }
        long seen = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            seen += v.getCountAtValueIteratedTo();
            if (seen > rank) {
                long ns = Math.max(minNs, Math.min(maxNs, v.getValueIteratedTo()));
                return ns / 1000.0;
            }
        }
        return maxNs / 1000.0;
    }

    /** The human-readable latency line. */
    String line(String tag) {
        return String.format(Locale.ROOT,
                "%s latency_us: n=%d min=%.1f p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f mean=%.1f", tag,
                count, minUs(), percentileUs(50), percentileUs(90), percentileUs(99), percentileUs(99.9), maxUs(),
                meanUs());
    }
}

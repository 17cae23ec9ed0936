package org.qmon.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** What bench/run parses: the RESULT line's keys and numbers, and the requests' bytes on the wire. */
class ResultsTest {

    /** 1, 2, ... 100 µs, recorded in a shuffled order. */
    private static Latencies oneToHundredMicros() {
        Latencies l = new Latencies();
        for (int i = 0; i < 100; i++) {
            l.record(((i * 37) % 100 + 1) * 1000L);
        }
        return l;
    }

    @Test
    void percentilesUseQmpLoadsRank() {
        Latencies l = oneToHundredMicros();
        // sorted[round(p/100 * (n-1))]: p50 -> index 50 (51 µs), p90 -> 89, p99 -> 98
        assertEquals(51.0, l.percentileUs(50), 0.06);
        assertEquals(90.0, l.percentileUs(90), 0.1);
        assertEquals(99.0, l.percentileUs(99), 0.1);
        assertEquals(100.0, l.maxUs());
        assertEquals(1.0, l.minUs());
        assertEquals(50.5, l.meanUs(), 1e-9);
    }

    @Test
    void qmpLineHasEveryKeyBenchRunReadsAndSlowKeysOnlyWithSlowClients() {
        Latencies fast = oneToHundredMicros();
        Latencies slow = new Latencies();
        slow.record(4_000_000);
        Results.QmpCounts fastOnly = new Results.QmpCounts(4, 0, 16, 2.0, 1000, 0, 0, 0, 0, 0, 1200, 34440);
        assertEquals("RESULT mode=qmp clients=4 fast_clients=4 slow_clients=0 depth=16 window_s=2.000 ops=1000 "
                + "ops_s=500.0 p50_us=51.0 p90_us=90.0 p99_us=99.0 max_us=100.0 mean_us=50.5 errors=0 bad=0 lost=0 "
                + "events=0 avg_reply_bytes=28.7", Results.qmp(fastOnly, fast, slow));

        Results.QmpCounts mixed = new Results.QmpCounts(4, 1, 1, 4.0, 3000, 960, 1, 2, 3, 5, 1200, 34440);
        assertEquals("RESULT mode=qmp clients=4 fast_clients=3 slow_clients=1 depth=1 window_s=4.000 ops=3000 "
                + "ops_s=750.0 p50_us=51.0 p90_us=90.0 p99_us=99.0 max_us=100.0 mean_us=50.5 errors=1 bad=2 lost=3 "
                + "events=5 avg_reply_bytes=28.7 slow_ops_s=240.0 slow_p50_us=4000.0 slow_p99_us=4000.0 "
                + "slow_max_us=4000.0", Results.qmp(mixed, fast, slow));
    }

    @Test
    void greetAndHmpLines() {
        Latencies g = oneToHundredMicros();
        assertEquals("RESULT mode=greet n=100 greet_p50_us=51.0 greet_p90_us=90.0 greet_p99_us=99.0 "
                + "greet_max_us=100.0 caps_p50_us=51.0 caps_p99_us=99.0", Results.greet(g, g));
        assertEquals("RESULT mode=hmp window_s=5.000 ops=100 ops_s=20.0 p50_us=51.0 p90_us=90.0 p99_us=99.0 "
                + "max_us=100.0 errors=0", Results.hmp(5.0, 100, g, 0));
        Latencies none = new Latencies();
        assertEquals("RESULT mode=greet n=0 greet_p50_us=0.0 greet_p90_us=0.0 greet_p99_us=0.0 greet_max_us=0.0 "
                + "caps_p50_us=0.0 caps_p99_us=0.0", Results.greet(none, none));
    }

    @Test
    void requestsAreTheCommandWithTheIdAppended() {
        ByteBuffer b = ByteBuffer.allocateDirect(256);
        b.put(QmpLoad.requestHead(" {\"execute\":\"query-status\"}\n"));
        QmpLoad.putDecimal(b, 1234567890123L);
        b.put(QmpLoad.requestHead("{ }"));
        QmpLoad.putDecimal(b, 0);
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        assertEquals("{\"execute\":\"query-status\",\"id\":1234567890123{ \"id\":0",
                new String(a, StandardCharsets.UTF_8));
        assertThrows(QmpLoad.Fatal.class, () -> QmpLoad.requestHead("{\"execute\":\"x\",\"id\":1}"));
        assertThrows(QmpLoad.Fatal.class, () -> QmpLoad.requestHead("[1]"));
    }

    @Test
    void optionsAsGetoptReadsThem() throws Exception {
        Options o = Options.parse("-e", "unix:/tmp/x.sock", "-c4", "-d", "16", "-Nq", "-mgreet", "-n", "2000");
        assertEquals(4, o.clients);
        assertEquals(16, o.depth);
        assertEquals(2000, o.maxCount);
        assertEquals("greet", o.mode);
        assertEquals(true, o.noCaps && o.quiet);
        assertThrows(Options.UsageException.class, () -> Options.parse("-e", "unix:/tmp/x.sock", "-c", "2", "-s", "2",
                "-S", "{}"));
        assertThrows(Options.UsageException.class, () -> Options.parse("-e", "tcp:192.0.2.1:4444"));
        assertThrows(Options.UsageException.class, () -> Options.parse("-c", "1"));
    }
}

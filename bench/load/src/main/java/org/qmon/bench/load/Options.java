package org.qmon.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line, parsed as POSIX getopt does ({@code -c 4}, {@code -c4}, {@code -Nq}), with the
 * same options, defaults and limits as the C generator it replaced, so bench/run and habits carry over.
 */
final class Options {

    static final String DEFAULT_COMMAND = "{\"execute\":\"query-status\"}";
    static final int MAX_ENDPOINTS = 64;
    static final int MAX_CLIENTS = 1024;
    static final int MAX_DEPTH = 4096;

    static final String USAGE = ""
            + "usage: qmp-load -e unix:PATH|tcp:HOST:PORT [-e ...] [-m qmp|greet|hmp] [-c clients]\n"
            + "                [-d depth] [-t seconds] [-n max_requests] [-w warmup_s] [-x JSON]\n"
            + "                [-S slow_JSON -s slow_clients] [-D drain_s] [-T setup_timeout_s] [-N] [-q]\n"
            + "  -N  do not send qmp_capabilities (measure pre-negotiation errors)\n";

    /** A usage or validation error: exit status 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean showUsage;

        UsageException(String message, boolean showUsage) {
            super(message);
            this.showUsage = showUsage;
        }
    }

    final List<String> endpoints = new ArrayList<>();
    /** The endpoints, parsed (and TCP hosts resolved) once, by validation. */
    final List<Endpoint> parsedEndpoints = new ArrayList<>();
    int clients = 1;
    int depth = 1;
    double durationS = 5.0;
    double warmupS = 0.0;
    long maxCount = 5_000_000;
    double drainS = 5.0;
    double setupTimeoutS = 5.0;
    String command = DEFAULT_COMMAND;
    String slowCommand;
    int slowClients;
    String mode = "qmp";
    boolean quiet;
    boolean noCaps;

    static Options parse(String... args) throws UsageException {
        Options o = new Options();
        int i = 0;
        while (i < args.length) {
            String a = args[i++];
            if (a.equals("--")) {
                break;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                throw new UsageException("unexpected argument " + a, true);
            }
            for (int k = 1; k < a.length(); k++) {
                char opt = a.charAt(k);
                if (opt == 'N') {
                    o.noCaps = true;
                    continue;
                }
                if (opt == 'q') {
                    o.quiet = true;
                    continue;
                }
                if ("ecdtnwxSsmDT".indexOf(opt) < 0) {
                    throw new UsageException(opt == 'h' ? null : "unknown option -" + opt, true);
                }
                String value;
                if (k + 1 < a.length()) {
                    value = a.substring(k + 1);
                } else if (i < args.length) {
                    value = args[i++];
                } else {
                    throw new UsageException("option -" + opt + " needs a value", true);
                }
                o.set(opt, value);
                break;
            }
        }
        if (i < args.length) {
            throw new UsageException("unexpected argument " + args[i], true);
        }
        o.validate();
        return o;
    }

    private void set(char opt, String v) throws UsageException {
        switch (opt) {
            case 'e':
                if (endpoints.size() >= MAX_ENDPOINTS) {
                    throw new UsageException("too many endpoints", false);
                }
                endpoints.add(v);
                break;
            case 'c': clients = integer(opt, v); break;
            case 'd': depth = integer(opt, v); break;
            case 't': durationS = number(opt, v); break;
            case 'n': maxCount = longInteger(opt, v); break;
            case 'w': warmupS = number(opt, v); break;
            case 'x': command = v; break;
            case 'S': slowCommand = v; break;
            case 's': slowClients = integer(opt, v); break;
            case 'm': mode = v; break;
            case 'D': drainS = number(opt, v); break;
            case 'T': setupTimeoutS = number(opt, v); break;
            default: throw new UsageException("unknown option -" + opt, true);
        }
    }

    private void validate() throws UsageException {
        if (endpoints.isEmpty()) {
            throw new UsageException("at least one -e is needed", true);
        }
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new UsageException("-c must be 1.." + MAX_CLIENTS, false);
        }
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new UsageException("-d must be 1.." + MAX_DEPTH, false);
        }
        if (!(durationS > 0 && durationS <= 3600) || !(warmupS >= 0 && warmupS <= 600)) {
            throw new UsageException("-t must be in (0,3600], -w in [0,600]", false);
        }
        if (maxCount < 1 || maxCount > 100_000_000L) {
            throw new UsageException("-n must be 1..100000000", false);
        }
        if (!(drainS > 0 && drainS <= 120) || !(setupTimeoutS > 0 && setupTimeoutS <= 120)) {
            throw new UsageException("-D and -T must be in (0,120]", false);
        }
        if (slowClients < 0 || slowClients >= clients + (slowClients == 0 ? 1 : 0)) {
            throw new UsageException("-s must leave at least one fast client", false);
        }
        if (slowClients > 0 && slowCommand == null) {
            throw new UsageException("-s needs -S", false);
        }
        if (!mode.equals("qmp") && !mode.equals("greet") && !mode.equals("hmp")) {
            throw new UsageException("unknown mode " + mode, false);
        }
        for (String e : endpoints) {
            parsedEndpoints.add(Endpoint.parse(e));
        }
    }

    /** Seconds after which the watchdog ends the process: everything is bounded well below this. */
    long watchdogSeconds() {
        if (mode.equals("greet")) {
            return (long) (warmupS + durationS + setupTimeoutS * 2 + 30);
        }
        return (long) (warmupS + durationS + drainS + setupTimeoutS * (clients + 1) + 30);
    }

    private static int integer(char opt, String v) throws UsageException {
        long n = longInteger(opt, v);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new UsageException("-" + opt + " out of range: " + v, false);
        }
        return (int) n;
    }

    private static long longInteger(char opt, String v) throws UsageException {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("-" + opt + " needs a whole number: " + v, false);
        }
    }

    private static double number(char opt, String v) throws UsageException {
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("-" + opt + " needs a number: " + v, false);
        }
    }
}

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.imageio.ImageIO;

/**
 * Turns bench/run's raw samples into the results table (Markdown) and a PNG chart of the ratios.
 * Run as {@code java bench/tools/Report.java RAW.tsv HEADER.md OUT.md OUT.png}.
 *
 * <p>RAW.tsv: one sample a line, {@code cell server repeat value load1}, tab-separated. Ratios use the
 * medians: for throughput qmon/QEMU, for times QEMU/qmon, so above 1 always means qmon is better.
 */
public final class Report {

    /** What a cell measures, which way is better, and the issue's goal for the ratio (0 = none). */
    record Cell(String id, String title, String unit, boolean higherBetter, double goal) {
    }

    static final List<Cell> CELLS = List.of(
            new Cell("rr1", "1 client, request-response", "ops/s", true, 10),
            new Cell("p16", "1 client, pipelined depth 16", "ops/s", true, 50),
            new Cell("p64", "1 client, pipelined depth 64", "ops/s", true, 50),
            new Cell("c4", "4 clients, request-response", "ops/s", true, 0),
            new Cell("c4x16", "4 clients x 16 pipelined", "ops/s", true, 30),
            new Cell("greet", "connect -> greeting, p50", "us", false, 0),
            new Cell("big1m", "1 MiB request, round trip", "ms", false, 100),
            new Cell("hmp", "HMP socket monitor: 'info status' round trips, 1 client", "ops/s", true, 0),
            new Cell("hmc", "QMP human-monitor-command 'info status', request-response", "ops/s", true, 0),
            new Cell("schema", "query-qmp-schema, request-response", "ops/s", true, 0),
            new Cell("mix-alone", "mixed: 3 clients query-status, no slow client", "ops/s", true, 0),
            new Cell("mix-alone2", "mixed: the same 3 alone again, after the mixed runs", "ops/s", true, 0),
            new Cell("mix-async", "mixed: the 3 while a 4th loops screendump (qmon: asynchronous, display0)", "ops/s", true, 0),
            new Cell("mix-sync", "mixed: the 3 while a 4th loops the slow command (qmon: sync bench-spin 4 ms)", "ops/s", true, 0),
            new Cell("slow-async", "mixed: the screendump client's own rate (qmon: paced by display0's 30 Hz refresh)", "ops/s", true, 0),
            new Cell("slow-sync", "mixed: the slow client's own rate (qmon: bench-spin)", "ops/s", true, 0),
            new Cell("boot", "boot to listening (the launcher's 'ready in'), 5 starts as the README runs it (its JVM options, in the header above), before the servers start", "ms", false, 0),
            new Cell("rss-plain", "RSS 3 s after 'ready', the same 5 starts", "MiB", false, 0),
            new Cell("boot-nocds", "boot to listening, 5 plain `java -jar` starts (no JVM options), interleaved with those", "ms", false, 0),
            new Cell("rss-nocds", "RSS 3 s after 'ready', the same 5 plain starts", "MiB", false, 0),
            new Cell("rss-idle", "RSS, idle after start, the benchmarked instance (bench bundle, HMP listener)", "MiB", false, 0),
            new Cell("rss-1000", "RSS with 1,000 idle negotiated sessions, fresh process (qmon only: QEMU serves one per socket)", "MiB", false, 0),
            new Cell("rss-after", "RSS after the whole matrix (default JVM heap sizing)", "MiB", false, 0),
            new Cell("rss-settled", "RSS once idle after the matrix (G1 periodic collection returns memory within 30-60 s)", "MiB", false, 0),
            new Cell("rss-hwm", "peak RSS (VmHWM) after the whole matrix", "MiB", false, 0));

    public static void main(String[] args) throws IOException {
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        Map<String, List<Double>> loads = new TreeMap<>();
        for (String l : Files.readAllLines(Path.of(args[0]))) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\t");
            values.computeIfAbsent(f[0], k -> new TreeMap<>()).computeIfAbsent(f[1], k -> new ArrayList<>())
                    .add(Double.parseDouble(f[3]));
            if (f.length > 4 && !f[4].isBlank()) {
                loads.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Double.parseDouble(f[4]));
            }
        }
        StringBuilder md = new StringBuilder(Files.readString(Path.of(args[1])));
        md.append("\n| cell | unit | QEMU min / median / max | qmon min / median / max | ratio | goal | met | load1 | generator ceiling |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        List<String[]> bars = new ArrayList<>();
        for (Cell c : CELLS) {
            Map<String, List<Double>> byServer = values.get(c.id);
            if (byServer == null) {
                continue;
            }
            List<Double> qemu = byServer.get("qemu");
            List<Double> qmon = byServer.get("qmon");
            List<Double> trivial = byServer.get("trivial");
            double div = c.unit.equals("MiB") ? 1024 : 1;
            String ratio = "";
            String goal = c.goal > 0 ? "≥" + fmt(c.goal) + "×" : "";
            String met = "";
            if (qemu != null && qmon != null) {
                double r = c.higherBetter ? median(qmon) / median(qemu) : median(qemu) / median(qmon);
                ratio = fmt(r) + "×";
                if (c.goal > 0) {
                    met = r >= c.goal ? "yes" : "**no**";
                }
                if (!c.id.startsWith("rss") && !c.id.startsWith("slow")) {
                    bars.add(new String[] {c.id, Double.toString(r), Double.toString(c.goal)});
                }
            }
            if (c.id.equals("rss-plain") && qmon != null) {
                goal = "qmon ≤ 80 MiB";
                met = median(qmon) / div <= 80 ? "yes" : "**no**";
            }
            if (c.id.equals("boot") && qmon != null) {
                goal = "qmon ≤ 800 ms";
                met = median(qmon) <= 800 ? "yes" : "**no**";
            }
            List<Double> load = loads.getOrDefault(c.id, List.of());
            md.append("| ").append(c.title).append(" | ").append(c.unit).append(" | ").append(span(qemu, div))
                    .append(" | ").append(span(qmon, div)).append(" | ").append(ratio).append(" | ").append(goal)
                    .append(" | ").append(met).append(" | ")
                    .append(load.isEmpty() ? "" : fmt(min(load)) + "–" + fmt(max(load)))
                    .append(" | ").append(trivial == null ? "" : fmt(median(trivial)))
                    .append(" |\n");
            List<Double> idle = values.getOrDefault("rss-idle", Map.of()).get("qmon");
            if (c.id.equals("rss-1000") && qmon != null && idle != null) {
                double perSession = (median(qmon) - median(idle)) / 1000; // KiB
                md.append("| RSS per idle negotiated session: (with 1,000 − idle) / 1,000 | KiB | n/a | ")
                        .append(fmt(perSession)).append(" |  | qmon ≤ 16 KiB | ")
                        .append(perSession <= 16 ? "yes" : "**no**").append(" |  |  |\n");
            }
        }
        md.append("\n### Slow command isolation: the three fast clients' throughput with the slow loop, "
                + "as a fraction of their throughput alone (goal for qmon: ≥ 0.9)\n\n");
        md.append("| slow command | QEMU | qmon | qmon met |\n|---|---|---|---|\n");
        List<String[]> kept = new ArrayList<>();
        for (String mix : List.of("mix-async", "mix-sync")) {
            double qemuKept = kept(values, mix, "qemu");
            double qmonKept = kept(values, mix, "qmon");
            if (Double.isNaN(qmonKept)) {
                continue;
            }
            String what = mix.equals("mix-async") ? "screendump (qmon: asynchronous, the display's worker)"
                    : "QEMU screendump / qmon bench-spin (sync, computes 4 ms)";
            md.append("| ").append(what).append(" | ").append(String.format(Locale.ROOT, "%.2f", qemuKept))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", qmonKept)).append(" | ")
                    .append(qmonKept >= 0.9 ? "yes" : "**no**").append(" |\n");
            kept.add(new String[] {mix, Double.toString(qemuKept), Double.toString(qmonKept)});
        }
        md.append("\nEach repeat measures the three alone before and after its mixed runs; a repeat's fraction is "
                + "its mixed figure over the mean of the two, and the table shows the median over the repeats.\n");
        cpuTable(values, md);
        Files.writeString(Path.of(args[2]), md.toString());
        chart(bars, kept, new File(args[3]));
    }

    /** The throughput cells whose server CPU per request is measured, and qmon's goal against the responder. */
    private static final Map<String, Double> CPU_GOALS = new java.util.LinkedHashMap<>();

    static {
        CPU_GOALS.put("rr1", 1.3);
        CPU_GOALS.put("p16", 2.0);
        CPU_GOALS.put("p64", 2.0);
        CPU_GOALS.put("c4", 0.0);
        CPU_GOALS.put("c4x16", 2.0);
    }

    /** Server CPU per request: QEMU, qmon and the trivial responder, and qmon's ratio to the responder. */
    static void cpuTable(Map<String, Map<String, List<Double>>> values, StringBuilder md) {
        md.append("\n### Server CPU per request (user + system time of the server process over the window / requests served)\n\n");
        md.append("| cell | QEMU | qmon | trivial responder | qmon / responder | goal | met |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Double> e : CPU_GOALS.entrySet()) {
            Map<String, List<Double>> byServer = values.get("cpu-" + e.getKey());
            if (byServer == null) {
                continue;
            }
            Cell c = CELLS.stream().filter(x -> x.id.equals(e.getKey())).findFirst().orElseThrow();
            double qemu = median(byServer.getOrDefault("qemu", List.of()));
            double qmon = median(byServer.getOrDefault("qmon", List.of()));
            double tr = median(byServer.getOrDefault("trivial", List.of()));
            double ratio = qmon / tr;
            md.append("| ").append(c.title).append(" | ").append(us(qemu)).append(" | ").append(us(qmon)).append(" | ")
                    .append(us(tr)).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ratio)).append(" | ")
                    .append(e.getValue() > 0 ? "≤" + e.getValue() + "×" : "").append(" | ")
                    .append(e.getValue() > 0 ? (ratio <= e.getValue() ? "yes" : "**no**") : "").append(" |\n");
        }
    }

    private static String us(double ns) {
        return Double.isNaN(ns) ? "" : String.format(Locale.ROOT, "%.2f µs", ns / 1000);
    }

    /**
     * The median over repeats of mixed / alone, alone being the mean of the runs before and after
     * (or the one before, for raw files without the second).
     */
    static double kept(Map<String, Map<String, List<Double>>> values, String mix, String server) {
        List<Double> m = values.getOrDefault(mix, Map.of()).get(server);
        List<Double> a1 = values.getOrDefault("mix-alone", Map.of()).get(server);
        List<Double> a2 = values.getOrDefault("mix-alone2", Map.of()).get(server);
        if (m == null || a1 == null || m.size() != a1.size()) {
            return Double.NaN;
        }
        List<Double> fractions = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            double alone = a2 != null && a2.size() == a1.size() ? (a1.get(i) + a2.get(i)) / 2 : a1.get(i);
            fractions.add(m.get(i) / alone);
        }
        return median(fractions);
    }

    static String span(List<Double> v, double div) {
        if (v == null || v.isEmpty()) {
            return "n/a";
        }
        return fmt(min(v) / div) + " / **" + fmt(median(v) / div) + "** / " + fmt(max(v) / div);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static String fmt(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        double a = Math.abs(d);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", d);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        return String.format(Locale.ROOT, "%.2f", d);
    }

    /** Horizontal bars of the ratios on a log scale with each goal marked, then the isolation fractions. */
    static void chart(List<String[]> bars, List<String[]> kept, File out) throws IOException {
        int rowH = 34;
        int left = 130;
        int width = 900;
        int plotW = width - left - 60;
        int height = 90 + bars.size() * rowH + 70 + (kept.size() + 1) * 26 + 20;
        BufferedImage im = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("qmon vs QEMU 7.2, same run: median ratio (log scale, >1 = qmon better; | = goal)", 12, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        double lo = Math.log10(0.1);
        double hi = Math.log10(1000);
        int top = 50;
        int plotBottom = top + bars.size() * rowH;
        for (double t : new double[] {0.1, 1, 10, 100, 1000}) {
            int x = left + (int) ((Math.log10(t) - lo) / (hi - lo) * plotW);
            g.setColor(t == 1 ? Color.GRAY : new Color(225, 225, 225));
            g.drawLine(x, top - 5, x, plotBottom);
            g.setColor(Color.DARK_GRAY);
            g.drawString(fmt(t) + "×", x - 10, plotBottom + 16);
        }
        int y = top;
        for (String[] b : bars) {
            double r = Double.parseDouble(b[1]);
            double goal = Double.parseDouble(b[2]);
            int x0 = left + (int) ((0 - lo) / (hi - lo) * plotW);
            int x1 = left + (int) ((Math.log10(Math.max(0.1, Math.min(1000, r))) - lo) / (hi - lo) * plotW);
            boolean ok = goal <= 0 ? r >= 1 : r >= goal;
            g.setColor(ok ? new Color(60, 140, 70) : new Color(200, 80, 60));
            g.fillRect(Math.min(x0, x1), y + 6, Math.abs(x1 - x0), rowH - 14);
            g.setColor(Color.BLACK);
            g.drawString(b[0], 12, y + rowH / 2 + 4);
            g.drawString(fmt(r) + "×", Math.max(x0, x1) + 6, y + rowH / 2 + 4);
            if (goal > 0) {
                int gx = left + (int) ((Math.log10(goal) - lo) / (hi - lo) * plotW);
                g.setStroke(new BasicStroke(3));
                g.setColor(Color.BLACK);
                g.drawLine(gx, y + 2, gx, y + rowH - 4);
                g.setStroke(new BasicStroke(1));
            }
            y += rowH;
        }
        y = plotBottom + 46;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Fast clients' throughput kept while one client loops a slow command (1.0 = untouched; | = 0.9 goal)", 12, y);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        y += 12;
        List<Object[]> rows = new ArrayList<>();
        if (!kept.isEmpty()) {
            rows.add(new Object[] {"QEMU, screendump", Double.parseDouble(kept.get(0)[1]), Boolean.TRUE});
        }
        for (String[] k : kept) {
            rows.add(new Object[] {k[0].equals("mix-async") ? "qmon, screendump (async)" : "qmon, bench-spin (sync)",
                    Double.parseDouble(k[2]), Boolean.FALSE});
        }
        int keptLeft = 190;
        int keptW = width - keptLeft - 60;
        for (Object[] row : rows) {
            double v = (Double) row[1];
            boolean qemu = (Boolean) row[2];
            g.setColor(Color.BLACK);
            g.drawString((String) row[0], 12, y + 17);
            int w = Double.isNaN(v) ? 0 : (int) (Math.min(1.2, v) / 1.2 * keptW);
            g.setColor(qemu ? new Color(150, 150, 150) : (v >= 0.9 ? new Color(60, 140, 70) : new Color(200, 80, 60)));
            g.fillRect(keptLeft, y + 5, w, 16);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.2f", v), keptLeft + w + 6, y + 17);
            int gx = keptLeft + (int) (0.9 / 1.2 * keptW);
            g.setStroke(new BasicStroke(3));
            g.drawLine(gx, y + 2, gx, y + 24);
            g.setStroke(new BasicStroke(1));
            y += 26;
        }
        g.dispose();
        ImageIO.write(im, "png", out);
    }
}

package org.qmon.jobs.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.qmon.api.job.JobInfo;

/**
 * Jobs as text for people ({@code info jobs}, {@code qmon:jobs}): one line per job with a progress bar,
 * and its error on the next line when it has one.
 *
 * <pre>
 * Job shots (screendump-series): running   [##########----------]  50% (5/10)
 * </pre>
 */
final class JobsText {

    /** Characters of the progress bar. */
    static final int BAR = 20;

    private JobsText() {
    }

    /**
     * The lines for jobs as {@code query-jobs} returns them in neutral JSON form (the HMP formatter's input).
     *
     * @param result a list of {@code JobInfo} maps
     * @return the text, ending with a newline; {@code No active jobs} when there are none
     */
    static String fromQmp(Object result) {
        StringBuilder sb = new StringBuilder();
        for (Object o : (List<?>) result) {
            Map<?, ?> m = (Map<?, ?>) o;
            line(sb, String.valueOf(m.get("id")), String.valueOf(m.get("type")), String.valueOf(m.get("status")),
                    number(m.get("current-progress")), number(m.get("total-progress")), (String) m.get("error"));
        }
        return sb.length() == 0 ? "No active jobs\n" : sb.toString();
    }

    /**
     * The same lines from the manager's snapshots.
     *
     * @param jobs the jobs
     * @return the text
     */
    static String of(List<JobInfo> jobs) {
        StringBuilder sb = new StringBuilder();
        for (JobInfo j : jobs) {
            line(sb, j.id(), j.type(), j.status().wireName(), j.currentProgress(), j.totalProgress(), j.error());
        }
        return sb.length() == 0 ? "No active jobs\n" : sb.toString();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static void line(StringBuilder sb, String id, String type, String status, long current, long total,
            String error) {
        int filled = total <= 0 ? 0 : (int) Math.min(BAR, current * BAR / total);
        int percent = total <= 0 ? 0 : (int) Math.min(100, current * 100 / total);
        sb.append("Job ").append(id).append(" (").append(type).append("): ")
                .append(String.format(Locale.ROOT, "%-9s [", status))
                .append("#".repeat(filled)).append("-".repeat(BAR - filled))
                .append(String.format(Locale.ROOT, "] %3d%% (%d/%d)", percent, current, total)).append('\n');
        if (error != null) {
            sb.append("    error: ").append(error).append('\n');
        }
    }
}

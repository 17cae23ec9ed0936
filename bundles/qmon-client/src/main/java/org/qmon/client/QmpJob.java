package org.qmon.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A handle on one job of the server (QEMU's job model, {@code query-jobs}, {@code job-*}): its status
 * and progress as they change, the verbs, and a future of its end.
 *
 * <pre>
 * QmpJob job = QmpJob.start(client, "shots", "screendump-series",
 *         Map.of("job-id", "shots", "directory", "frames", "count", 100, "auto-dismiss", false));
 * job.onProgress(p -&gt; System.out.printf("%d/%d%n", p.current(), p.total()));
 * QmpJob.Result r = job.done().get();
 * </pre>
 *
 * <p>The handle follows {@code JOB_STATUS_CHANGE} (QEMU's and qmon's) and qmon's {@code JOB_PROGRESS}
 * events for its id; with QEMU, which sends no progress events, {@link #refresh()} reads the progress
 * with {@code query-jobs}. Listeners run on the client's callback executor, in event order.
 *
 * <p>{@link #done()} completes when the job concludes. Its error is read with {@code query-jobs} at
 * that moment, which only works if the job stays {@code concluded}: start it with
 * {@code auto-dismiss: false} to learn why it failed: a handle that started the job then dismisses it
 * before {@link #done()} completes; one that {@linkplain #attach attached} leaves that to its owner.
 * A job that was dismissed at once still tells whether it succeeded (a failing job passes through
 * {@code aborting}), without the text.
 *
 * <p>Thread-safe. Close the handle (or let the job end) to stop following the job's events.
 */
public final class QmpJob implements AutoCloseable {

    /**
     * The progress of a job, in units the job chooses.
     *
     * @param current the work done
     * @param total the work done and to do
     */
    public record Progress(long current, long total) {

        /**
         * The fraction done.
         *
         * @return 0 to 1; 0 while the total is unknown
         */
        public double fraction() {
            return total <= 0 ? 0 : Math.min(1.0, (double) current / total);
        }
    }

    /**
     * How a job ended.
     *
     * @param id the job's id
     * @param succeeded whether it concluded without error
     * @param error the job's error, when it failed and could still be read (see {@link QmpJob})
     * @param progress its last known progress
     */
    public record Result(String id, boolean succeeded, Optional<String> error, Progress progress) {
    }

    private static final Set<String> EVENTS = Set.of("JOB_STATUS_CHANGE", "JOB_PROGRESS");

    private final QmpClient client;
    private final String id;
    private final boolean dismissWhenDone;
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final List<Consumer<? super Progress>> progressListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<? super String>> statusListeners = new CopyOnWriteArrayList<>();
    private final EventSubscription subscription;
    /** Guarded by {@code this}. */
    private String status = "undefined";
    private Progress progress = new Progress(0, 0);
    private boolean aborted;
    /** Set when the concluded job is being read (and dismissed): that path reports the end. */
    private boolean concluding;

    private QmpJob(QmpClient client, String id, boolean dismissWhenDone) {
        this.client = Objects.requireNonNull(client, "client");
        this.id = Objects.requireNonNull(id, "id");
        this.dismissWhenDone = dismissWhenDone;
        this.subscription = client.subscribe(e -> EVENTS.contains(e.name()) && id.equals(e.data().path("id").asText(null)),
                this::event, cause -> done.completeExceptionally(new QmpConnectionClosedException(
                        "connection to " + client.endpointText() + " ended before job " + id + " concluded", cause)));
        done.whenComplete((r, x) -> subscription.close());
    }

    /**
     * Starts a job with a command and follows it. The handle listens before the command is sent, so
     * no event of the job is missed.
     *
     * @param client the client
     * @param id the job's id, as the arguments name it (e.g. their {@code job-id})
     * @param command the command that starts the job, e.g. {@code screendump-series}
     * @param arguments its arguments, as for {@link QmpClient#execute(String, Object)}
     * @return the handle; if the command fails, {@link #done()} fails with its {@link QmpException}
     */
    public static QmpJob start(QmpClient client, String id, String command, Object arguments) {
        QmpJob job = new QmpJob(client, id, true);
        client.execute(command, arguments).whenComplete((v, x) -> {
            if (x != null) {
                job.done.completeExceptionally(x);
            }
        });
        return job;
    }

    /**
     * Follows a job that already exists (started by another client, or before a reconnect).
     *
     * @param client the client
     * @param id the job's id
     * @return the handle; if there is no such job, {@link #done()} fails with QEMU's {@code Job not found}
     */
    public static QmpJob attach(QmpClient client, String id) {
        QmpJob job = new QmpJob(client, id, false);
        job.refresh().whenComplete((found, x) -> {
            if (x != null) {
                job.done.completeExceptionally(x);
            } else if (!found) {
                job.done.completeExceptionally(new QmpException(QmpException.GENERIC_ERROR, "Job not found", "query-jobs"));
            } else if ("concluded".equals(job.status())) {
                job.concluded(); // concluded before we came: no event will say so
            }
        });
        return job;
    }

    /** @return the job's id */
    public String id() {
        return id;
    }

    /** @return the last status seen, e.g. {@code running}; {@code undefined} before the first */
    public synchronized String status() {
        return status;
    }

    /** @return the last progress seen */
    public synchronized Progress progress() {
        return progress;
    }

    /**
     * Calls a listener with each progress the job reports.
     *
     * @param listener receives progress, on the callback executor
     * @return this handle
     */
    public QmpJob onProgress(Consumer<? super Progress> listener) {
        progressListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Calls a listener with each status the job passes through.
     *
     * @param listener receives the status's QMP name, on the callback executor
     * @return this handle
     */
    public QmpJob onStatus(Consumer<? super String> listener) {
        statusListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Completes when the job has concluded (or disappeared).
     *
     * @return the future of its result; fails when the starting command failed, the job does not
     *     exist, or the connection ended first
     */
    public CompletableFuture<Result> done() {
        return done;
    }

    /**
     * Reads the job's status and progress with {@code query-jobs}.
     *
     * @return a future of whether the job exists
     */
    public CompletableFuture<Boolean> refresh() {
        return client.execute("query-jobs").thenApply(list -> {
            JsonNode info = find(list);
            if (info != null) {
                update(info.path("status").asText(), new Progress(info.path("current-progress").asLong(),
                        info.path("total-progress").asLong()));
            }
            return info != null;
        });
    }

    /** @return a future of {@code job-cancel} */
    public CompletableFuture<Void> cancel() {
        return verb("job-cancel");
    }

    /** @return a future of {@code job-pause} */
    public CompletableFuture<Void> pause() {
        return verb("job-pause");
    }

    /** @return a future of {@code job-resume} */
    public CompletableFuture<Void> resume() {
        return verb("job-resume");
    }

    /** @return a future of {@code job-complete} */
    public CompletableFuture<Void> complete() {
        return verb("job-complete");
    }

    /** @return a future of {@code job-finalize} */
    public CompletableFuture<Void> finalizeJob() {
        return verb("job-finalize");
    }

    /** @return a future of {@code job-dismiss} */
    public CompletableFuture<Void> dismiss() {
        return verb("job-dismiss");
    }

    private CompletableFuture<Void> verb(String command) {
        return client.execute(command, Map.of("id", id)).thenApply(v -> null);
    }

    /** Stops following the job's events; {@link #done()} stays as it is. */
    @Override
    public void close() {
        subscription.close();
    }

    // ---- events (callback executor, in order) --------------------------------------------------------

    private void event(QmpEvent e) {
        JsonNode d = e.data();
        if (e.name().equals("JOB_PROGRESS")) {
            update(null, new Progress(d.path("current-progress").asLong(), d.path("total-progress").asLong()));
            return;
        }
        String s = d.path("status").asText();
        update(s, null);
        if (s.equals("concluded")) {
            concluded();
        } else if (s.equals("null") && !concludingNow()) {
            finish(null); // dismissed by someone else before (or without) a concluded we could read
        }
    }

    private void update(String newStatus, Progress newProgress) {
        boolean statusChanged;
        boolean progressChanged;
        synchronized (this) {
            statusChanged = newStatus != null && !newStatus.equals(status);
            if (statusChanged) {
                status = newStatus;
                aborted |= newStatus.equals("aborting");
            }
            progressChanged = newProgress != null && !newProgress.equals(progress);
            if (progressChanged) {
                progress = newProgress;
            }
        }
        if (statusChanged) {
            statusListeners.forEach(l -> l.accept(newStatus));
        }
        if (progressChanged) {
            progressListeners.forEach(l -> l.accept(newProgress));
        }
    }

    /** Reads the concluded job's error while it is still there, then dismisses it if this handle started it. */
    private void concluded() {
        synchronized (this) {
            if (concluding) {
                return;
            }
            concluding = true;
        }
        client.execute("query-jobs").whenComplete((list, x) -> {
            JsonNode info = x == null ? find(list) : null;
            if (info == null) {
                finish(null);
                return;
            }
            update(null, new Progress(info.path("current-progress").asLong(), info.path("total-progress").asLong()));
            JsonNode error = info.get("error");
            String text = error == null ? null : error.asText();
            if (dismissWhenDone && "concluded".equals(info.path("status").asText())) {
                // auto-dismiss off: tidy up what this handle started, then report
                dismiss().whenComplete((v, ignored) -> finish(text));
            } else {
                finish(text);
            }
        });
    }

    private synchronized boolean concludingNow() {
        return concluding;
    }

    private void finish(String error) {
        Result r;
        synchronized (this) {
            r = new Result(id, !aborted && error == null, Optional.ofNullable(error), progress);
        }
        done.complete(r);
    }

    private JsonNode find(JsonNode list) {
        if (list != null && list.isArray()) {
            for (JsonNode j : list) {
                if (id.equals(j.path("id").asText(null))) {
                    return j;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "QmpJob[" + id + ", " + status() + "]";
    }
}

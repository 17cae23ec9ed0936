package org.qmon.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The futures the client hands out. A {@link CompletableFuture} whose blocking methods, called on a
 * thread of the client's own {@link CallbackPool}, let the pool start another thread while they
 * wait, so that a callback blocking on another call of the same client cannot starve the bounded
 * pool. Dependent futures ({@code thenApply} and the like) are of this class too.
 *
 * @param <T> the result type
 */
final class QmpFuture<T> extends CompletableFuture<T> {
    /** The client's own pool, or {@code null} when the options supply the executor. */
    private final CallbackPool pool;

    QmpFuture(CallbackPool pool) {
        this.pool = pool;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new QmpFuture<>(pool);
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (isDone() || pool == null || !pool.beginWait()) {
            return super.get();
        }
        try {
            return super.get();
        } finally {
            pool.endWait();
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (isDone() || pool == null || !pool.beginWait()) {
            return super.get(timeout, unit);
        }
        try {
            return super.get(timeout, unit);
        } finally {
            pool.endWait();
        }
    }

    @Override
    public T join() {
        if (isDone() || pool == null || !pool.beginWait()) {
            return super.join();
        }
        try {
            return super.join();
        } finally {
            pool.endWait();
        }
    }
}

package dev.hrbridge.ops;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A database read a health check waits for at most {@code limit}. While the database is gone the pool waits
 * {@code hrb.db.connect-timeout-ms} for a connection on every read, and health must say so within seconds, not after
 * that wait (nor after one such wait per check). The read runs on a thread of its own, one at a time: a check that
 * comes while the last read still hangs waits for that one instead of starting another.
 */
final class BoundedRead<T> {

    private final String threadName;
    private final Duration limit;
    private CompletableFuture<T> running;

    BoundedRead(String threadName, Duration limit) {
        this.threadName = threadName;
        this.limit = limit;
    }

    /** The read's answer; {@link TimeoutException} when it did not come within the limit. */
    synchronized T get(Callable<T> read) throws Exception {
        if (running == null || running.isDone()) {
            CompletableFuture<T> next = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    next.complete(read.call());
                } catch (Throwable e) {
                    next.completeExceptionally(e);
                }
            }, threadName);
            thread.setDaemon(true);
            thread.start();
            running = next;
        }
        try {
            return running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}

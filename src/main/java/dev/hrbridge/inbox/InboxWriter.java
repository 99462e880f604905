package dev.hrbridge.inbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for the inbox. Callers hand over a message and wait for its commit; one writer thread takes
 * everything that queued up meanwhile and commits it in one transaction. Under load that turns hundreds of
 * commits per second into a few, which is what lets a webhook be durable and still answered in milliseconds.
 */
public class InboxWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final int MAX_BATCH = 512;

    private final InboxRepository repository;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final Thread thread;
    private volatile boolean running = true;

    private record Pending(InboxMessage.New message, CompletableFuture<Boolean> stored) {
    }

    public InboxWriter(InboxRepository repository, Clock clock, int capacity) {
        this.repository = repository;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "hrb-inbox-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Completes with true once {@code message} is committed, false when its dedup key was already stored, or
     * exceptionally when the database refused (nothing of the message is then stored).
     */
    public CompletableFuture<Boolean> append(InboxMessage.New message) {
        CompletableFuture<Boolean> stored = new CompletableFuture<>();
        if (!running) {
            stored.completeExceptionally(new IllegalStateException("the inbox is closed"));
        } else if (!queue.offer(new Pending(message, stored))) {
            stored.completeExceptionally(new IllegalStateException("the inbox write queue is full"));
        }
        return stored;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        List<InboxMessage.New> messages = new ArrayList<>(batch.size());
        batch.forEach(p -> messages.add(p.message()));
        try {
            boolean[] inserted = repository.appendAll(messages, clock.instant());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored().complete(inserted[i]);
            }
        } catch (Exception e) {
            LOG.error("Inbox write of {} message(s) failed; their senders are told to retry: {}", batch.size(), e.toString());
            batch.forEach(p -> p.stored().completeExceptionally(e));
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.stored().completeExceptionally(new IllegalStateException("the inbox is closed"));
        }
    }
}

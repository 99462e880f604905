package dev.hrbridge.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One thread that takes everything queued up meanwhile, up to {@code maxBatch} items, and hands it over as one
 * batch: the group-commit loop of the inbox writer and of the journal. What is still queued when it closes is
 * handed to {@code leftOver}.
 */
final class BatchLoop<T> implements AutoCloseable {

    private final BlockingQueue<T> queue;
    private final int maxBatch;
    private final Consumer<List<T>> batchHandler;
    private final Consumer<T> leftOver;
    private final Thread thread;
    private volatile boolean running = true;

    BatchLoop(String threadName, int capacity, int maxBatch, Consumer<List<T>> batchHandler, Consumer<T> leftOver) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.batchHandler = batchHandler;
        this.leftOver = leftOver;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    boolean running() {
        return running;
    }

    /** Queues {@code item}; false when the loop is closed or its queue is full. */
    boolean offer(T item) {
        return running && queue.offer(item);
    }

    private void run() {
        List<T> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                T first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                batchHandler.accept(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                batch.clear();
            }
        }
    }

    /** Stops taking items, lets the thread finish what is queued (at most 5 s), hands over the rest. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        T left;
        while ((left = queue.poll()) != null) {
            leftOver.accept(left);
        }
    }
}

package dev.hrbridge.inbox;

import dev.hrbridge.db.Database;
import dev.hrbridge.db.StorageFiles;
import dev.hrbridge.inbox.InboxRepository.Finish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit for the inbox. Callers hand over new messages and processing results; one writer thread takes
 * everything that queued up meanwhile and commits it in one transaction. Under load that turns thousands of
 * commits per second into a few hundred, which is what lets a webhook be durable and still answered in
 * milliseconds.
 */
public class InboxWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final int MAX_BATCH = 512;

    private final InboxRepository repository;
    private final Clock clock;
    private final Duration lease;
    private final BatchLoop<Object> loop;
    private final StorageFiles storage;

    private record Append(InboxMessage.New message, CompletableFuture<Boolean> stored) {
    }

    private record Result(Finish finish, CompletableFuture<Void> recorded) {
    }

    /**
     * New messages queued as one operation (one or many): the writer takes them into one transaction, not one each as
     * it wakes up.
     */
    private record Appends(List<Append> appends) {
    }

    public InboxWriter(InboxRepository repository, Clock clock, Duration lease, int capacity, StorageFiles storage) {
        this.repository = repository;
        this.storage = storage;
        this.clock = clock;
        this.lease = lease;
        this.loop = new BatchLoop<>("hrb-inbox-writer", capacity, MAX_BATCH, this::write, InboxWriter::closed);
    }

    /**
     * Completes with true once {@code message} is committed, false when its dedup key was already stored, or
     * exceptionally when the database refused (nothing of the message is then stored).
     */
    public CompletableFuture<Boolean> append(InboxMessage.New message) {
        return appendAll(List.of(message)).get(0);
    }

    /** {@link #append} for each of {@code messages}, queued together so that they are committed together. */
    public List<CompletableFuture<Boolean>> appendAll(List<InboxMessage.New> messages) {
        List<Append> appends = messages.stream().map(m -> new Append(m, new CompletableFuture<>())).toList();
        List<CompletableFuture<Boolean>> stored = appends.stream().map(Append::stored).toList();
        if (!appends.isEmpty()) {
            enqueue(new Appends(appends));
        }
        return stored;
    }

    /** Completes once the result is committed (it is dropped if the lease was lost meanwhile). */
    public CompletableFuture<Void> record(Finish finish) {
        CompletableFuture<Void> recorded = new CompletableFuture<>();
        enqueue(new Result(finish, recorded));
        return recorded;
    }

    private void enqueue(Object operation) {
        if (!loop.running()) {
            fail(operation, new IllegalStateException("the inbox is closed"));
        } else if (!loop.offer(operation)) {
            fail(operation, new IllegalStateException("the inbox write queue is full"));
        }
    }

    private void write(List<Object> batch) {
        List<Append> appends = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (Object operation : batch) {
            if (operation instanceof Appends group) {
                // a sender that stopped waiting was answered 503 and sends again: not stored behind its back
                group.appends().stream().filter(a -> !a.stored().isDone()).forEach(appends::add);
            } else {
                results.add((Result) operation);
            }
        }
        String lost = appends.isEmpty() ? null : storage.lost();
        if (lost != null) {
            // a row committed into a file that is gone would be acknowledged and then lost at the next start
            IllegalStateException failure = new IllegalStateException("storage lost: " + lost);
            appends.forEach(a -> a.stored().completeExceptionally(failure));
            appends.clear();
        }
        if (appends.isEmpty() && results.isEmpty()) {
            return;
        }
        try {
            boolean[] inserted = repository.write(appends.stream().map(Append::message).toList(),
                    results.stream().map(Result::finish).toList(), lease, clock.instant());
            for (int i = 0; i < appends.size(); i++) {
                InboxMessage.New message = appends.get(i).message();
                if (!appends.get(i).stored().complete(inserted[i]) && inserted[i] && message.leaseOwner() != null) {
                    // committed as the database came back, after its sender stopped waiting: nobody runs this claim,
                    // so it goes back to PENDING for the poller now rather than after the lease
                    record(new Finish(message.id(), message.leaseOwner(), new InboxRepository.Result(InboxMessage.State.PENDING,
                            clock.instant(), false, null, null, null, null, "handed back: stored after its sender gave up")));
                }
            }
            results.forEach(r -> r.recorded().complete(null));
        } catch (Exception e) {
            if (appends.size() + results.size() > 1 && !Database.unreachable(e)) {
                // one row the table refuses must not fail the others of its group: each goes again on its own,
                // so only the refused one gets the error
                LOG.warn("Inbox write of {} message(s) and {} result(s) failed, writing each on its own: {}",
                        appends.size(), results.size(), e.toString());
                appends.forEach(a -> write(List.<Object>of(new Appends(List.of(a)))));
                results.forEach(r -> write(List.<Object>of(r)));
                return;
            }
            if (Database.refused(e)) {
                LOG.warn("The inbox table refused {}: {}", appends.isEmpty() ? "a result"
                        : appends.get(0).message().kind() + " " + appends.get(0).message().traceId(), e.toString());
                appends.forEach(a -> a.stored().completeExceptionally(e));
                results.forEach(r -> r.recorded().completeExceptionally(e));
                return;
            }
            // while the database is unreachable a result waits for it here; dropped, its flow (and the upstream
            // call) would run again once the lease ran out
            boolean keepResults = loop.running() && Database.unreachable(e);
            LOG.error("Inbox write of {} message(s) and {} result(s) failed; senders are told to retry, results are {}: {}",
                    appends.size(), results.size(), keepResults ? "kept until it is back" : "redone after the lease", e.toString());
            appends.forEach(a -> a.stored().completeExceptionally(e));
            results.forEach(r -> {
                if (!keepResults || !loop.offer(r)) {
                    r.recorded().completeExceptionally(e);
                }
            });
        }
    }

    @Override
    public void close() {
        loop.close();
    }

    private static void closed(Object left) {
        fail(left, new IllegalStateException("the inbox is closed"));
    }

    private static void fail(Object operation, Exception failure) {
        if (operation instanceof Appends group) {
            group.appends().forEach(a -> a.stored().completeExceptionally(failure));
        } else {
            ((Result) operation).recorded().completeExceptionally(failure);
        }
    }
}

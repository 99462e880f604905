package dev.hrbridge.inbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Moves journaled events into the {@code inbox} table, oldest first, in transactions of up to a few hundred, and
 * starts their processing. A record whose dedup key is already in the table (a redelivery, or a record replayed
 * after a crash that had been moved already) is dropped there, so each key is processed once. During a burst of
 * acknowledgements it waits (see {@link BurstHold}).
 */
public class JournalIngester implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalIngester.class);
    /** Records per inbox transaction: workers wait for their results' commit, which shares that transaction. */
    private static final int BATCH = 100;
    /** While a burst holds processing back, how often the ingester looks again. */
    private static final long HOLD_CHECK_MILLIS = 50;

    private final InboxJournal journal;
    private final InboxWriter writer;
    private final InboxDispatcher dispatcher;
    private final Consumer<InboxMessage.New> moved;
    private final BurstHold hold;
    private final Duration commitTimeout;
    private final Thread thread;
    private final AtomicLong ingested = new AtomicLong();
    private volatile boolean running = true;

    /** {@code moved} hears of every record once it is in the table (or found there already). */
    public JournalIngester(InboxJournal journal, InboxWriter writer, InboxDispatcher dispatcher,
                           Duration commitTimeout, BurstHold hold, Consumer<InboxMessage.New> moved) {
        this.journal = journal;
        this.hold = hold;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.commitTimeout = commitTimeout;
        this.moved = moved;
        this.thread = new Thread(this::run, "hrb-inbox-ingester");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Records moved into the table since start. */
    public long ingested() {
        return ingested.get();
    }

    private void run() {
        long backoff = 100;
        while (running) {
            InboxJournal.Segment segment = journal.segments().peekFirst();
            try (FileChannel file = FileChannel.open(segment.path, StandardOpenOption.READ)) {
                drain(segment, file);
                backoff = 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                // the table refused (or the file could not be read): nothing was dropped, try the same records again
                LOG.warn("Moving journaled events into the inbox failed, retrying in {} ms: {}", backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    /** Moves {@code segment} into the table, following its growth; deletes it once it is sealed and moved. */
    private void drain(InboxJournal.Segment segment, FileChannel file) throws Exception {
        long position = 0;
        long[] next = new long[1];
        while (running) {
            if (hold.holding(System.nanoTime())) {
                Thread.sleep(HOLD_CHECK_MILLIS);
                continue;
            }
            long seen = journal.appendedEvents();
            boolean sealed = segment.sealed;
            long end = segment.end;
            List<InboxMessage.New> batch = new ArrayList<>(BATCH);
            long after = position;
            InboxMessage.New record;
            while (batch.size() < BATCH && (record = InboxJournal.read(file, after, end, next)) != null) {
                batch.add(record);
                after = next[0];
            }
            if (!batch.isEmpty()) {
                ingest(batch);
                position = after;
            } else if (sealed) {
                if (position < end) {
                    LOG.warn("Inbox journal {}: {} byte(s) after the last intact record were never acknowledged; "
                            + "dropped", segment.path.getFileName(), end - position);
                }
                Files.deleteIfExists(segment.path);
                journal.segments().remove(segment);
                return;
            } else {
                journal.awaitAppend(seen, 100);
            }
        }
    }

    private void ingest(List<InboxMessage.New> records) throws Exception {
        List<InboxMessage.New> toStore = new ArrayList<>(records.size());
        for (InboxMessage.New record : records) {
            // a free worker takes it in the same commit and runs it straight after, without a claim round trip;
            // during a burst (no room) it stays PENDING for the poller after the burst
            toStore.add(dispatcher.hasRoom() ? record.claimedBy(dispatcher.nodeId()) : record);
        }
        List<CompletableFuture<Boolean>> commits = toStore.stream().map(writer::append).toList();
        Instant now = Instant.now();
        for (int i = 0; i < toStore.size(); i++) {
            try {
                commits.get(i).get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // what is not committed yet is called off (a claim committed anyway goes back to the poller) and the
                // batch is read again from the journal; what did commit is started, its repeat found as stored
                for (int j = i; j < toStore.size(); j++) {
                    if (!commits.get(j).cancel(false)) {
                        started(toStore.get(j), commits.get(j), now);
                    }
                }
                throw e;
            }
            started(toStore.get(i), commits.get(i), now);
        }
        ingested.addAndGet(records.size());
    }

    /** Starts {@code message} if {@code commit} stored it, and forgets its key as on its way. */
    private void started(InboxMessage.New message, CompletableFuture<Boolean> commit, Instant now) {
        if (commit.isCompletedExceptionally()) {
            return;
        }
        if (commit.join() && message.leaseOwner() != null) {
            dispatcher.run(message.asClaimed(now));
        } else if (commit.join()) {
            dispatcher.submit(message.id());
        }
        moved.accept(message);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

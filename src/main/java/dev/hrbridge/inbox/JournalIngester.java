package dev.hrbridge.inbox;

import dev.hrbridge.db.Database;
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
 * <p>
 * A record the table refuses (a value too long for its column, a broken constraint) would be refused on every try
 * and hold up everything behind it: it is set aside as a dead letter of kind {@code ingest}, with its raw payload and
 * the database's error, and the ingester moves on. Anything else (the database unreachable) is tried again.
 */
public class JournalIngester implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalIngester.class);
    /** Records per inbox transaction: workers wait for their results' commit, which shares that transaction. */
    private static final int BATCH = 100;
    /** While a burst holds processing back, how often the ingester looks again. */
    private static final long HOLD_CHECK_MILLIS = 50;

    private final InboxJournal journal;
    private final InboxRepository repository;
    private final InboxWriter writer;
    private final InboxDispatcher dispatcher;
    private final Consumer<InboxMessage.New> moved;
    private final BurstHold hold;
    private final Duration commitTimeout;
    private final Thread thread;
    private final AtomicLong ingested = new AtomicLong();
    private final AtomicLong setAside = new AtomicLong();
    private volatile boolean running = true;
    /** When the current run of failed attempts began (System.nanoTime), 0 while the last attempt succeeded. */
    private volatile long failingSince;
    private volatile String lastFailure;
    private volatile boolean replaying;

    /** {@code moved} hears of every record once it is in the table, found there already, or set aside. */
    public JournalIngester(InboxJournal journal, InboxRepository repository, InboxWriter writer, InboxDispatcher dispatcher,
                           Duration commitTimeout, BurstHold hold, Consumer<InboxMessage.New> moved) {
        this.journal = journal;
        this.repository = repository;
        this.hold = hold;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.commitTimeout = commitTimeout;
        this.moved = moved;
        this.replaying = journal.fromEarlierRun(journal.segments().peekFirst());
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

    /** Records the table refused and that were set aside as {@code ingest} dead letters since start. */
    public long setAside() {
        return setAside.get();
    }

    /** How long the ingester has been failing without a success in between; zero when it is not failing. */
    public Duration failingFor() {
        long since = failingSince;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** The last failure, for the operator's log and health message. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Whether it is still moving in what an earlier run acknowledged and left in the journal. */
    public boolean replaying() {
        return replaying;
    }

    /** Whether a burst of acknowledgements holds it back right now. */
    public boolean holding() {
        return hold.holding(System.nanoTime());
    }

    private void run() {
        long backoff = 100;
        while (running) {
            InboxJournal.Segment segment = journal.segments().peekFirst();
            replaying = journal.fromEarlierRun(segment);
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
                // the database is unreachable (or the file could not be read): nothing was dropped, try the same records
                // again
                if (failingSince == 0) {
                    failingSince = System.nanoTime();
                }
                lastFailure = e.toString();
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
                failingSince = 0;
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
            toStore.add(dispatcher.toStore(record));
        }
        List<CompletableFuture<Boolean>> commits = writer.appendAll(toStore);
        Instant now = Instant.now();
        for (int i = 0; i < toStore.size(); i++) {
            try {
                try {
                    commits.get(i).get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!Database.refused(e.getCause())) {
                        throw e;
                    }
                    setAside(records.get(i), e.getCause());
                    continue;
                }
            } catch (Exception e) {
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

    /** A record the table refused: kept as an {@code ingest} dead letter, so that the ones behind it move on. */
    private void setAside(InboxMessage.New record, Throwable refusal) throws Exception {
        repository.setAside(record, refusal.toString(), Instant.now());
        setAside.incrementAndGet();
        LOG.error("The inbox table refused acknowledged event {} ({}); it is set aside as dead letter {} of kind ingest "
                + "with its payload (GET /api/v1/dead-letters/{}), and the events behind it move on: {}",
                record.traceId(), record.eventType(), record.id(), record.id(), refusal.toString());
        moved.accept(record);
    }

    /** Starts {@code message} if {@code commit} stored it, and forgets its key as on its way. */
    private void started(InboxMessage.New message, CompletableFuture<Boolean> commit, Instant now) {
        if (commit.isCompletedExceptionally()) {
            return;
        }
        if (commit.join()) {
            dispatcher.start(message, now);
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

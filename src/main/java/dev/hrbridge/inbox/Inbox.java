package dev.hrbridge.inbox;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.Database;
import dev.hrbridge.feishu.FeishuWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The durable inbox as the routes see it: store a message (committed before the caller's answer), and have it
 * processed at once by its flow.
 */
public class Inbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    /** The events route for every Feishu event: it picks the flow by event type. */
    public static final String EVENT_FLOW = "event-router";
    /** Messages {@link #storeAll} hands to the writer before waiting: about one writer transaction. */
    private static final int STORE_ALL_CHUNK = 500;

    private final InboxRepository repository;
    private final InboxWriter writer;
    private final InboxDispatcher dispatcher;
    private final Duration commitTimeout;
    private final InboxJournal journal;
    private final JournalIngester ingester;
    private final int maxBacklog;
    private final JournalLimits limits;
    private final long startedAt = System.nanoTime();
    /** Journaled events not yet in the table, by dedup key: the write that took the key, for its duplicates. */
    private final Map<String, Unmoved> unmoved = new ConcurrentHashMap<>();
    private ScheduledExecutorService watchdog;
    private volatile String stuck;

    /** A journal write on its way into the table, and when it was handed to the journal (System.nanoTime). */
    private record Unmoved(CompletableFuture<Boolean> write, long since) {
    }

    /**
     * How far the journal may run ahead of the table: beyond {@code maxBacklog} waiting events webhooks are answered
     * 503; while more than {@code holdAbovePerSecond} events a second are acknowledged (0: never), processing waits,
     * for {@code holdLongestMillis} at most; beyond half of {@code maxBacklog} held events move into the table. An
     * acknowledged event still outside the table after {@code maxLag} (a hold's own wait excepted), or an ingester
     * failing that long, makes the inbox {@link #stuck()}.
     */
    public record JournalLimits(int maxBacklog, long holdAbovePerSecond, long holdLongestMillis, Duration maxLag) {
    }

    /** An inbox that commits every event straight into the table (PostgreSQL, or the journal switched off). */
    public Inbox(InboxRepository repository, InboxWriter writer, InboxDispatcher dispatcher, Duration commitTimeout) {
        this(repository, writer, dispatcher, commitTimeout, null, new JournalLimits(0, 0, 0, Duration.ZERO));
    }

    /** An inbox that acknowledges webhook events once they are in {@code journal} (embedded H2). */
    public Inbox(InboxRepository repository, InboxWriter writer, InboxDispatcher dispatcher, Duration commitTimeout,
                 InboxJournal journal, JournalLimits limits) {
        this.repository = repository;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.commitTimeout = commitTimeout;
        this.journal = journal;
        this.maxBacklog = limits.maxBacklog();
        this.limits = limits;
        if (journal == null) {
            this.ingester = null;
        } else {
            BurstHold hold = new BurstHold(limits.holdAbovePerSecond(), limits.holdLongestMillis(),
                    limits.maxBacklog() / 2, journal::appendedEvents, unmoved::size, System.nanoTime());
            dispatcher.holdWhile(hold::on);
            this.ingester = new JournalIngester(journal, repository, writer, dispatcher, commitTimeout, hold,
                    moved -> unmoved.remove(moved.dedupKey()));
        }
    }

    /**
     * Starts processing: the dispatcher takes work, and journaled events move into the table. Called once every
     * route, external ones too, is running.
     */
    public void start() {
        dispatcher.open();
        if (ingester != null) {
            ingester.start();
            watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "hrb-inbox-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            watchdog.scheduleWithFixedDelay(this::watch, 5, 5, TimeUnit.SECONDS);
        }
    }

    /** Logs when acknowledged events get stuck on their way into the table, and when they move again. */
    private void watch() {
        String now = stuck();
        if (now != null && stuck == null) {
            LOG.error("Acknowledged events are stuck outside the inbox table, so readiness reports DOWN: {}", now);
        } else if (now == null && stuck != null) {
            LOG.info("Acknowledged events move into the inbox table again");
        }
        stuck = now;
    }

    /**
     * Why acknowledged events are stuck on their way from the journal into the table, or null when they are not: the
     * ingester has failed for {@code maxLag}, or the oldest of them is older than that (beyond a burst hold's wait).
     * "Acknowledged but never processed" is what an operator must see first.
     */
    public String stuck() {
        if (ingester == null) {
            return null;
        }
        Duration failing = ingester.failingFor();
        if (failing.compareTo(limits.maxLag()) >= 0) {
            return "moving them in has failed for " + failing.toSeconds() + " s: " + ingester.lastFailure();
        }
        Duration oldest = oldestUnmovedAge();
        Duration allowed = ingester.holding() ? limits.maxLag().plusMillis(limits.holdLongestMillis()) : limits.maxLag();
        if (oldest.compareTo(allowed) > 0) {
            return "the oldest was acknowledged " + oldest.toSeconds() + " s ago and is not in the table yet";
        }
        return null;
    }

    /** How long the oldest acknowledged event not yet in the table has waited (zero without a journal). */
    public Duration oldestUnmovedAge() {
        if (ingester == null) {
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        // what an earlier run left in the journal counts from this run's start
        long oldest = ingester.replaying() ? startedAt : now;
        for (Unmoved waiting : unmoved.values()) {
            if (waiting.since() - oldest < 0) {
                oldest = waiting.since();
            }
        }
        return Duration.ofNanos(now - oldest);
    }

    /** How long moving journaled events into the table has failed without a success in between. */
    public Duration ingestFailingFor() {
        return ingester == null ? Duration.ZERO : ingester.failingFor();
    }

    /** Journaled events the table refused since start, set aside as {@code ingest} dead letters. */
    public long ingestSetAside() {
        return ingester == null ? 0 : ingester.setAside();
    }

    /** Stores a verified Feishu event once per dedup key and answers the JSON Feishu gets with its 200. */
    public String storeEvent(FeishuWebhook.Event event) throws Exception {
        InboxMessage.New message = checkBounds(new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT,
                event.dedupKey(), EVENT_FLOW, event.eventType(), event.eventId(), event.json())
                .fromTenant(event.feishuApp(), event.tenantKey()).receivedVia(event.receivedVia()));
        boolean stored = journal != null ? journal(message) : store(message);
        return "{\"status\":\"" + (stored ? "stored" : "duplicate") + "\",\"event_id\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(event.eventId())) + "\"}";
    }

    /**
     * Appends {@code message} to the journal unless its dedup key is known; true when appended. A duplicate that
     * arrives while the first delivery is still on its way into the table waits for that delivery's write, so it is
     * never answered 200 for an event whose write then failed.
     */
    private boolean journal(InboxMessage.New message) throws Exception {
        Unmoved mine = new Unmoved(new CompletableFuture<>(), System.nanoTime());
        Unmoved earlier = unmoved.putIfAbsent(message.dedupKey(), mine);
        if (earlier != null) {
            awaitWrite(message, earlier.write());
            return false;
        }
        if (unmoved.size() > maxBacklog) {
            mine.write().completeExceptionally(new IllegalStateException(
                    unmoved.size() + " journaled events wait to move into the inbox table"));
        } else {
            journal.append(message).whenComplete((appended, failure) -> {
                if (failure == null) {
                    mine.write().complete(appended);
                } else {
                    mine.write().completeExceptionally(failure);
                }
            });
        }
        // only an appended event is moved into the table, which is when the ingester forgets its key
        mine.write().whenComplete((appended, failure) -> {
            if (failure != null || !appended) {
                unmoved.remove(message.dedupKey(), mine);
            }
        });
        return awaitWrite(message, mine.write());
    }

    private boolean awaitWrite(InboxMessage.New message, CompletableFuture<Boolean> write) throws ApiException {
        try {
            return write.get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw unavailable(message, e instanceof ExecutionException ? e.getCause().toString()
                    : e instanceof TimeoutException ? "journal write timed out" : "interrupted");
        }
    }

    private static ApiException unavailable(InboxMessage.New message, String cause) {
        LOG.warn("Could not store {} {} in the inbox: {}", message.kind(), message.traceId(), cause);
        return new ApiException(503, "storage_unavailable",
                "HR Bridge cannot store the message right now; send it again later");
    }

    /**
     * The columns a producer fills, checked against their bounds before anything is stored or acknowledged: a message
     * the table would refuse is turned away whole (400 {@code field_too_long}), never accepted and then stuck.
     */
    static InboxMessage.New checkBounds(InboxMessage.New message) {
        ApiException.checkLength("dedup_key", message.dedupKey(), ColumnLimits.DEDUP_KEY);
        ApiException.checkLength("trace_id", message.traceId(), ColumnLimits.TRACE_ID);
        ApiException.checkLength("event_type", message.eventType(), ColumnLimits.EVENT_TYPE);
        ApiException.checkLength("flow", message.flow(), ColumnLimits.FLOW);
        ApiException.checkLength("feishu_app", message.feishuApp(), ColumnLimits.APP_NAME);
        ApiException.checkLength("tenant_key", message.tenantKey(), ColumnLimits.TENANT_KEY);
        return message;
    }

    /** Journaled events not yet moved into the table (0 without a journal). */
    public int journalBacklog() {
        return unmoved.size();
    }

    /**
     * Commits {@code message}; true when new (processing is started), false when its dedup key was already stored.
     * A database that cannot take it within the commit timeout is a 503: the sender keeps the message and
     * tries again (Feishu redelivers), and since nothing was acknowledged nothing is lost.
     */
    public boolean store(InboxMessage.New message) throws Exception {
        checkBounds(message);
        // when a worker is free, the message is stored as claimed by it and runs straight after the commit
        InboxMessage.New toStore = dispatcher.toStore(message);
        boolean stored;
        CompletableFuture<Boolean> commit = writer.append(toStore);
        try {
            stored = commit.get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // cancelled, the writer skips it (one it already took and commits later goes back to the poller);
            // not cancellable, it was committed this very moment
            if (e instanceof ExecutionException && Database.refused(e.getCause())) {
                throw new ApiException(400, "unstorable", "HR Bridge's storage refused this message; it was not stored");
            }
            if (commit.cancel(false) || commit.isCompletedExceptionally()) {
                throw unavailable(message, e instanceof ExecutionException ? e.getCause().toString() : "commit timed out");
            }
            stored = commit.join();
        }
        if (stored) {
            dispatcher.start(toStore, Instant.now());
        }
        return stored;
    }

    /**
     * Commits many messages at once, e.g. the 10,000 tasks one event can make: they go through the same group-commit
     * writer in chunks (a few hundred per transaction, not one commit each) and stay PENDING; this node's workers
     * start on them as they have room, the poller hands out the rest. Answers, per message, whether it was new.
     */
    public boolean[] storeAll(List<InboxMessage.New> messages) throws Exception {
        messages.forEach(Inbox::checkBounds);
        boolean[] stored = new boolean[messages.size()];
        for (int from = 0; from < messages.size(); from += STORE_ALL_CHUNK) {
            List<InboxMessage.New> chunk = messages.subList(from, Math.min(messages.size(), from + STORE_ALL_CHUNK));
            List<CompletableFuture<Boolean>> commits = writer.appendAll(chunk);
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    stored[from + i] = commits.get(i).get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("could not store " + chunk.size() + " inbox message(s)", e);
                }
                if (stored[from + i] && dispatcher.hasRoom()) {
                    dispatcher.submit(chunk.get(i).id());
                }
            }
        }
        return stored;
    }

    public InboxRepository repository() {
        return repository;
    }

    public InboxDispatcher dispatcher() {
        return dispatcher;
    }

    @Override
    public void close() {
        if (journal != null) {
            if (watchdog != null) {
                watchdog.shutdownNow();
            }
            journal.close();
            ingester.close();
        }
        dispatcher.close();
        writer.close();
    }
}

package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.feishu.FeishuWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The durable inbox as the routes see it: store a message (committed before the caller's answer), and have it
 * processed at once by its flow.
 */
public class Inbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The events route for every Feishu event: it picks the flow by event type. */
    public static final String EVENT_FLOW = "event-router";
    /** Messages {@link #storeAll} hands to the writer before waiting: about one writer transaction. */
    private static final int STORE_ALL_CHUNK = 500;

    private final InboxRepository repository;
    private final InboxWriter writer;
    private final InboxDispatcher dispatcher;
    private final Duration commitTimeout;

    public Inbox(InboxRepository repository, InboxWriter writer, InboxDispatcher dispatcher, Duration commitTimeout) {
        this.repository = repository;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.commitTimeout = commitTimeout;
    }

    /** Stores a verified Feishu event once per dedup key and answers the JSON Feishu gets with its 200. */
    public String storeEvent(FeishuWebhook.Event event) throws Exception {
        InboxMessage.New message = new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT,
                event.dedupKey(), EVENT_FLOW, event.eventType(), event.eventId(), event.json());
        boolean stored = store(message);
        return JSON.writeValueAsString(Map.of("status", stored ? "stored" : "duplicate", "event_id", event.eventId()));
    }

    /**
     * Commits {@code message}; true when new (processing is started), false when its dedup key was already stored.
     * A database that cannot take it within the commit timeout is a 503: the sender keeps the message and
     * tries again (Feishu redelivers), and since nothing was acknowledged nothing is lost.
     */
    public boolean store(InboxMessage.New message) throws Exception {
        // when a worker is free, the message is stored as claimed by it and runs straight after the commit
        InboxMessage.New toStore = dispatcher.hasRoom() ? message.claimedBy(dispatcher.nodeId()) : message;
        boolean stored;
        CompletableFuture<Boolean> commit = writer.append(toStore);
        try {
            stored = commit.get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // cancelled, the writer skips it (one it already took and commits later goes back to the poller);
            // not cancellable, it was committed this very moment
            if (commit.cancel(false) || commit.isCompletedExceptionally()) {
                LOG.warn("Could not store {} {} in the inbox: {}", message.kind(), message.traceId(),
                        e instanceof ExecutionException ? e.getCause().toString() : "commit timed out");
                throw new ApiException(503, "storage_unavailable",
                        "HR Bridge cannot store the message right now; send it again later");
            }
            stored = commit.join();
        }
        if (stored && toStore.leaseOwner() != null) {
            dispatcher.run(toStore.asClaimed(Instant.now()));
        } else if (stored) {
            dispatcher.submit(message.id());
        }
        return stored;
    }

    /**
     * Commits many messages at once, e.g. the 10,000 tasks one event can make: they go through the same group-commit
     * writer in chunks (a few hundred per transaction, not one commit each) and stay PENDING; this node's workers
     * start on them as they have room, the poller hands out the rest. Answers, per message, whether it was new.
     */
    public boolean[] storeAll(List<InboxMessage.New> messages) throws Exception {
        boolean[] stored = new boolean[messages.size()];
        for (int from = 0; from < messages.size(); from += STORE_ALL_CHUNK) {
            List<InboxMessage.New> chunk = messages.subList(from, Math.min(messages.size(), from + STORE_ALL_CHUNK));
            List<CompletableFuture<Boolean>> commits = chunk.stream().map(writer::append).toList();
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
        dispatcher.close();
        writer.close();
    }
}

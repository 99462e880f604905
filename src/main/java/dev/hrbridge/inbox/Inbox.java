package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.feishu.FeishuWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
        try {
            stored = writer.append(toStore).get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Could not store {} {} in the inbox: {}", message.kind(), message.traceId(),
                    e instanceof ExecutionException ? e.getCause().toString() : "commit timed out");
            throw new ApiException(503, "storage_unavailable",
                    "HR Bridge cannot store the message right now; send it again later");
        }
        if (stored && toStore.leaseOwner() != null) {
            dispatcher.run(toStore.asClaimed(Instant.now()));
        } else if (stored) {
            dispatcher.submit(message.id());
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

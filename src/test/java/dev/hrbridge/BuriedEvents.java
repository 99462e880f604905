package dev.hrbridge;

import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.inbox.MessageIds;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A dead event stored as the dispatcher buries one whose retries ran out: its inbox row (flow {@code event-router}) DEAD
 * with outcome {@code retries_exhausted} and HTTP 503, and its dead letter of flow {@code test-flow}.
 */
public final class BuriedEvents {

    private BuriedEvents() {
    }

    /** Buries a fresh test event in {@code bridge}; answers the id of its dead letter. */
    public static String bury(TestBridge bridge) throws Exception {
        return bury(bridge, "{}").letterId();
    }

    /** One buried event: its inbox message and its dead letter. */
    public record Buried(String messageId, String letterId) {
    }

    /** Buries a fresh test event whose {@code event} object is {@code eventJson}. */
    public static Buried bury(TestBridge bridge, String eventJson) throws Exception {
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        String eventId = UUID.randomUUID().toString();
        InboxMessage.New message = new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT, "test:" + eventId,
                "event-router", "test.unrouted_v1", eventId, FeishuPush.v2Event("test.unrouted_v1", eventId, "t", eventJson))
                .claimedBy("buried-events");
        inbox.write(List.of(message), List.of(), Duration.ofMinutes(1), Instant.now());
        inbox.bury(inbox.find(message.id()).orElseThrow(), "test-flow", new InboxRepository.Finish(message.id(), "buried-events",
                new InboxRepository.Result(InboxMessage.State.DEAD, null, true, "retries_exhausted", 503, null, null, "HTTP 503")),
                MessageIds.next(), null, Instant.now());
        try (var connection = inbox.dataSource().getConnection();
             var select = connection.prepareStatement("SELECT id FROM dead_letter WHERE message_id = ?")) {
            select.setString(1, message.id());
            var rows = select.executeQuery();
            rows.next();
            return new Buried(message.id(), rows.getString(1));
        }
    }
}

package dev.hrbridge.ops;

import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.inbox.MessageIds;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A dead event stored as the dispatcher buries one whose retries ran out: its inbox row DEAD and its dead letter. */
final class BuriedEvents {

    private BuriedEvents() {
    }

    /** Buries a fresh test event in {@code bridge}; answers the id of its dead letter. */
    static String bury(TestBridge bridge) throws Exception {
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        String eventId = UUID.randomUUID().toString();
        InboxMessage.New message = new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT, "test:" + eventId,
                "event-router", "test.unrouted_v1", eventId, FeishuPush.v2Event("test.unrouted_v1", eventId, "t", "{}"))
                .claimedBy("buried-events");
        inbox.write(List.of(message), List.of(), Duration.ofMinutes(1), Instant.now());
        inbox.bury(inbox.find(message.id()).orElseThrow(), "test-flow", "buried-events",
                new InboxRepository.Result(InboxMessage.State.DEAD, null, true, "retries_exhausted", 503, null, null, "HTTP 503"),
                Instant.now());
        try (var connection = inbox.dataSource().getConnection();
             var select = connection.prepareStatement("SELECT id FROM dead_letter WHERE message_id = ?")) {
            select.setString(1, message.id());
            var rows = select.executeQuery();
            rows.next();
            return rows.getString(1);
        }
    }
}

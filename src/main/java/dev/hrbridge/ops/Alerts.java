package dev.hrbridge.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.MessageIds;
import dev.hrbridge.outbound.SignedPost;
import org.apache.camel.Exchange;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optional alert webhook ({@code hrb.alerts.url}, signed with {@code hrb.alerts.secret} as the QR-code notification
 * is): a message went DEAD, a flow has failed for {@code hrb.alerts.flow-failing-after}, a failing flow succeeded again.
 * Each alert is a task in the inbox ({@value #FLOW}), stored in the transaction that decides it, so a crash between the
 * decision and the POST loses nothing, and the POST is retried like any flow's call.
 */
public class Alerts {

    public static final String FLOW = "alert-notify";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SignedPost post;
    private final Duration flowFailingAfter;

    public Alerts(String url, String secret, Duration flowFailingAfter) {
        this.post = new SignedPost("hrb.alerts", "hrb.alerts.url", url, secret);
        this.flowFailingAfter = flowFailingAfter;
    }

    public boolean enabled() {
        return post.enabled();
    }

    /** How long every attempt of a flow must have failed before it is reported. */
    public Duration flowFailingAfter() {
        return flowFailingAfter;
    }

    /** What a dead message is reported with. */
    public record Dead(String messageId, String kind, String flow, String traceId, String eventType, String deadLetterId,
                       Integer httpStatus, Integer platformCode, String platformMsg, String error, int attempts, Instant at) {
    }

    /** The alert task for a message gone DEAD; none for the alerts' own flow (its receiver is what failed). */
    public InboxMessage.New dead(Dead dead) {
        if (!enabled() || FLOW.equals(dead.flow())) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "message.dead");
        body.put("message_id", dead.messageId());
        body.put("kind", dead.kind());
        body.put("flow", dead.flow());
        body.put("trace_id", dead.traceId());
        putIfSet(body, "event_type", dead.eventType());
        body.put("dead_letter_id", dead.deadLetterId());
        putIfSet(body, "http_status", dead.httpStatus());
        putIfSet(body, "platform_code", dead.platformCode());
        putIfSet(body, "platform_msg", dead.platformMsg());
        body.put("error", dead.error());
        body.put("attempts", dead.attempts());
        body.put("at", dead.at().toString());
        return task("alert:dead:" + dead.deadLetterId(), dead.traceId(), body);
    }

    /** What a flow's failing episode is reported with. */
    public record Failing(String flow, Instant failingSince, Instant lastFailureAt, Instant lastSuccessAt, String lastError,
                          Integer lastPlatformCode, Instant at) {
    }

    /** The alert task for a flow that has failed for {@link #flowFailingAfter()}: one per episode (its dedup key). */
    public InboxMessage.New flowFailing(Failing failing) {
        if (!enabled() || FLOW.equals(failing.flow())) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "flow.failing");
        body.put("flow", failing.flow());
        body.put("failing_since", failing.failingSince().toString());
        body.put("last_failure_at", failing.lastFailureAt().toString());
        putIfSet(body, "last_success_at", failing.lastSuccessAt() == null ? null : failing.lastSuccessAt().toString());
        putIfSet(body, "last_error", failing.lastError());
        putIfSet(body, "platform_code", failing.lastPlatformCode());
        body.put("window_seconds", flowFailingAfter.toSeconds());
        body.put("at", failing.at().toString());
        return task("alert:flow-failing:" + failing.flow() + ":" + failing.at().toEpochMilli(), failing.flow(), body);
    }

    /** The alert task for a flow whose failing episode ended with a successful attempt. */
    public InboxMessage.New flowRecovered(String flow, Instant alertedAt, Instant succeededAt) {
        if (!enabled() || FLOW.equals(flow)) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "flow.recovered");
        body.put("flow", flow);
        body.put("failing_alerted_at", alertedAt.toString());
        body.put("succeeded_at", succeededAt.toString());
        return task("alert:flow-recovered:" + flow + ":" + alertedAt.toEpochMilli(), flow, body);
    }

    /** Turns the task's payload into the signed POST to {@code hrb.alerts.url}. */
    public void prepare(Exchange exchange) {
        post.prepare(exchange);
    }

    private static InboxMessage.New task(String dedupKey, String traceId, Map<String, Object> body) {
        try {
            return new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.TASK, dedupKey, FLOW, null, traceId,
                    JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIfSet(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}

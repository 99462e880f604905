package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.qrcode.QrCodeRepository.SeenCode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The rotation of onboarding QR codes: what an inactive event schedules, and the steps of one rotation task.
 * <p>
 * Each code is rotated by a task message of its own (dedup key {@code qr-rotate:<code id>}), so a redelivered
 * event or overlapping sweeps never make a second replacement, and each rotation retries and dead-letters alone.
 * The link old → new is set once, in SQL, only while the old code has no replacement.
 */
public class QrCodeRotation {

    public static final String FLOW = "qr-rotate";
    /** The flow of the inactive event (routes/onboarding-qr-codes.camel.yaml), and that event. */
    public static final String INACTIVE_FLOW = "onboarding-qr-codes";
    public static final String INACTIVE_EVENT_TYPE = "corehr.onboarding_qr_code.inactive_v2";
    static final String OLD_CODE = "qrOldCode";
    static final String ALREADY_REPLACED = "qrAlreadyReplaced";
    private static final Logger LOG = LoggerFactory.getLogger(QrCodeRotation.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QrCodeRepository codes;
    private final Inbox inbox;
    private final QrNotification notification;
    private final Clock clock;

    public QrCodeRotation(QrCodeRepository codes, Inbox inbox, QrNotification notification, Clock clock) {
        this.codes = codes;
        this.inbox = inbox;
        this.notification = notification;
        this.clock = clock;
    }

    /**
     * {@code corehr.onboarding_qr_code.inactive_v2} (seed 000): managed codes become inactive and get a rotation
     * task each; codes we did not create are recorded and notified, not recreated.
     */
    public void onInactive(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        String eventId = message.getHeader("HrbTraceId", String.class);
        Map<String, SeenCode> seen = new LinkedHashMap<>();
        int overlong = 0;
        for (JsonNode code : JSON.readTree(message.getBody(String.class)).path("event").path("code_lists")) {
            String id = code.path("id").asText("");
            if (id.length() > ColumnLimits.QR_CODE_ID) {
                // longer than any id Feishu gives a code, so not one of ours; it must not fail the event's other codes
                overlong++;
            } else if (!id.isBlank()) {
                seen.putIfAbsent(id, new SeenCode(id, code.path("url").asText(null), code.path("png").asText(null)));
            }
        }
        Instant now = clock.instant();
        List<String> ids = List.copyOf(seen.keySet());
        Set<String> toRotate = codes.markInactive(ids, now);
        Set<String> managed = codes.managed(ids);
        List<SeenCode> unmanaged = seen.values().stream().filter(code -> !managed.contains(code.id())).toList();
        codes.recordUnmanaged(unmanaged, eventId, now);
        int scheduled = count(scheduleRotations(toRotate, eventId));
        if (notification.enabled()) {
            inbox.storeAll(unmanaged.stream().map(code -> notification.inactive(code, eventId)).toList());
        }
        LOG.info("QR codes inactive (event {}): {} named, {} managed, {} rotation(s) newly scheduled, {} unmanaged recorded{}",
                eventId, ids.size(), managed.size(), scheduled, unmanaged.size(),
                overlong == 0 ? "" : ", " + overlong + " with an id over " + ColumnLimits.QR_CODE_ID + " characters ignored");
        message.setHeader("HrbOutcome", scheduled > 0 ? "rotation_scheduled" : "recorded");
    }

    /** Stores one rotation task per code; per code, whether its task is new (false: one exists already). */
    public boolean[] scheduleRotations(Collection<String> codeIds, String traceId) throws Exception {
        List<InboxMessage.New> tasks = new ArrayList<>();
        for (String id : codeIds) {
            tasks.add(new InboxMessage.New(UUID.randomUUID().toString(), InboxMessage.Kind.TASK, rotationKey(id), FLOW, null,
                    traceId, JSON.writeValueAsString(Map.of("code_id", id))));
        }
        return inbox.storeAll(tasks);
    }

    public static String rotationKey(String codeId) {
        return FLOW + ":" + codeId;
    }

    /** Rotation step 1: the old code; the body becomes the create request with its dimension values. */
    public void replacementRequest(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        String id = JSON.readTree(message.getBody(String.class)).path("code_id").asText("");
        ManagedQrCode old = codes.find(id).orElseThrow(() -> new PermanentFailure(FLOW, null, null, null,
                "no managed QR code " + id + " to rotate"));
        exchange.setProperty(OLD_CODE, old);
        if (old.replacedBy() != null) {
            // a repeated task: the replacement exists; make sure its notification does too
            exchange.setProperty(ALREADY_REPLACED, true);
            message.setHeader("HrbOutcome", "already_replaced");
            codes.find(old.replacedBy()).ifPresent(replacement -> notifyRotation(old, replacement, message));
            return;
        }
        exchange.setProperty(ALREADY_REPLACED, false);
        message.setBody("{\"dimension_value_list\":" + old.dimensionValueList() + "}");
    }

    /** Rotation step 2: Feishu created the replacement; link and store it, then schedule the notification. */
    public void recordReplacement(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        ManagedQrCode old = exchange.getProperty(OLD_CODE, ManagedQrCode.class);
        Instant now = clock.instant();
        FeishuQrCode created = FeishuQrCode.of(message.getBody(), now);
        ManagedQrCode replacement = ManagedQrCode.replacing(old, created.id(), created.url(), created.png(), created.createdAt());
        if (!codes.replace(replacement, now)) {
            // only a concurrent rotation of the same code gets here, which the task's dedup key rules out
            LOG.warn("QR code {} was replaced meanwhile; Feishu code {} is not linked", old.id(), created.id());
            message.setHeader("HrbOutcome", "already_replaced");
            return;
        }
        LOG.info("QR code {} rotated: replaced by {}", old.id(), replacement.id());
        message.setHeader("HrbOutcome", "rotated");
        notifyRotation(old, replacement, message);
    }

    private void notifyRotation(ManagedQrCode old, ManagedQrCode replacement, Message message) {
        if (!notification.enabled()) {
            return;
        }
        try {
            inbox.store(notification.rotated(old, replacement, message.getHeader("HrbTraceId", String.class)));
        } catch (Exception e) {
            // the rotation stands; the task runs again, sees it and schedules the notification then
            throw new IllegalStateException("QR code " + old.id() + " rotated, but its notification could not be stored", e);
        }
    }

    private static int count(boolean[] flags) {
        int count = 0;
        for (boolean flag : flags) {
            count += flag ? 1 : 0;
        }
        return count;
    }
}

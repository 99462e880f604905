package dev.hrbridge.qrcode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.outbound.SignedPost;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The notification of a rotated (or unmanaged inactive) code to {@code qr.notify.url}: its task message; the
 * {@code signed-post} route sends it ({@link SignedPost}).
 */
public class QrNotification {

    public static final String FLOW = "qr-notify";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SignedPost post;

    public QrNotification(String url, String secret) {
        this.post = new SignedPost("qr.notify", "qr.notify.url", url, secret);
    }

    /** Whether notifications are configured at all; without a URL no task is made. */
    public boolean enabled() {
        return post.enabled();
    }

    public InboxMessage.New rotated(ManagedQrCode old, ManagedQrCode replacement, String traceId) {
        return task(old.id(), traceId, body("qr_code.rotated", link(old.id(), old.url(), old.png()),
                link(replacement.id(), replacement.url(), replacement.png())));
    }

    public InboxMessage.New inactive(QrCodeRepository.SeenCode code, String traceId) {
        return task(code.id(), traceId, body("qr_code.inactive", link(code.id(), code.url(), code.png()), null));
    }

    /** Turns the task's payload into the signed POST to {@code qr.notify.url}. */
    public void prepare(Exchange exchange) {
        post.prepare(exchange);
    }
    private static InboxMessage.New task(String oldId, String traceId, String payload) {
        return new InboxMessage.New(UUID.randomUUID().toString(), InboxMessage.Kind.TASK, "qr-notify:" + oldId, FLOW,
                null, traceId, payload);
    }

    private static Map<String, String> link(String id, String url, String png) {
        Map<String, String> code = new LinkedHashMap<>();
        code.put("id", id);
        code.put("url", url);
        code.put("png", png);
        return code;
    }

    private static String body(String event, Map<String, String> old, Map<String, String> replacement) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("old", old);
        if (replacement != null) {
            body.put("new", replacement);
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.hrbridge.qrcode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The notification of a rotated (or unmanaged inactive) code to {@code qr.notify.url}: its task message, the
 * signed request, and what the receiver's answer means. The body is fixed when the task is stored, so every
 * retry sends, and signs, the same bytes.
 */
public class QrNotification {

    public static final String FLOW = "qr-notify";
    public static final String SIGNATURE_HEADER = "X-HRB-Signature";
    private static final String API = "qr.notify";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final byte[] secret;

    public QrNotification(String url, String secret) {
        this.url = url;
        this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether notifications are configured at all; without a URL no task is made. */
    public boolean enabled() {
        return url != null;
    }

    public InboxMessage.New rotated(ManagedQrCode old, ManagedQrCode replacement, String traceId) {
        return task(old.id(), traceId, body("qr_code.rotated", link(old.id(), old.url(), old.png()),
                link(replacement.id(), replacement.url(), replacement.png())));
    }

    public InboxMessage.New inactive(QrCodeRepository.SeenCode code, String traceId) {
        return task(code.id(), traceId, body("qr_code.inactive", link(code.id(), code.url(), code.png()), null));
    }

    /** Lowercase hex HMAC-SHA256 of {@code body} keyed with {@code secret}. */
    public static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Turns the task's payload into the signed POST; nothing else of the exchange travels. */
    public void prepare(Exchange exchange) {
        if (url == null) {
            throw new PermanentFailure(API, null, null, null, "qr.notify.url is not set (any more); notification not sent");
        }
        Message message = exchange.getMessage();
        byte[] body = message.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader(SIGNATURE_HEADER, signature(secret, body));
        message.setBody(body);
    }

    /** 2xx delivered; 408, 429 and 5xx retried; any other answer is permanent (the receiver refuses it). */
    public void answered(Exchange exchange) {
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        answer.getHeaders().clear();
        answer.setHeader("HrbHttpStatus", status);
        if (status >= 200 && status < 300) {
            answer.setHeader("HrbOutcome", "delivered");
            return;
        }
        String message = "qr.notify.url answered HTTP " + status;
        if (status >= 500 || status == 408 || status == 429) {
            throw new RetryableFailure(API, status, null, null, message, null, null);
        }
        throw new PermanentFailure(API, status, null, null, message);
    }

    /** No answer: connection refused, reset or timed out. */
    public void unanswered(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        throw new RetryableFailure(API, null, null, null, "qr.notify.url not answered: " + cause, null,
                cause instanceof IOException ? cause : null);
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

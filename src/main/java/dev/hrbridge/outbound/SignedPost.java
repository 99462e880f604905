package dev.hrbridge.outbound;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * A signed POST to a receiver an operator runs ({@code qr.notify.url}, {@code hrb.alerts.url}), made by the
 * {@code signed-post} route: the stored body as it is, {@code X-HRB-Signature} the lowercase hex HMAC-SHA256 of those
 * bytes keyed with the receiver's secret, and what its answer means. The body is fixed when the task is stored, so every
 * retry sends, and signs, the same bytes.
 */
public class SignedPost {

    public static final String SIGNATURE_HEADER = "X-HRB-Signature";
    /** Exchange properties the {@code signed-post} route reads: where to post, and the API name failures carry. */
    public static final String URL = "HrbSignedPostUrl";
    public static final String API = "HrbSignedPostApi";

    private final String api;
    private final String urlSetting;
    private final String url;
    private final byte[] secret;

    /** The receiver at {@code url} (the value of {@code urlSetting}; null: not configured), named {@code api} in failures. */
    public SignedPost(String api, String urlSetting, String url, String secret) {
        this.api = api;
        this.urlSetting = urlSetting;
        this.url = url;
        this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a receiver is configured; without one no task is made. */
    public boolean enabled() {
        return url != null;
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
            throw new PermanentFailure(api, null, null, null, urlSetting + " is not set (any more); not sent");
        }
        Message message = exchange.getMessage();
        byte[] body = message.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader(SIGNATURE_HEADER, signature(secret, body));
        message.setBody(body);
        exchange.setProperty(URL, url);
        exchange.setProperty(API, api);
    }

    /** 2xx delivered; 408, 429 and 5xx retried; any other answer is permanent (the receiver refuses it). */
    public static void answered(Exchange exchange) {
        String api = exchange.getProperty(API, String.class);
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        answer.getHeaders().clear();
        answer.setHeader("HrbHttpStatus", status);
        if (status >= 200 && status < 300) {
            answer.setHeader("HrbOutcome", "delivered");
            return;
        }
        String message = api + " answered HTTP " + status;
        if (status >= 500 || status == 408 || status == 429) {
            throw new RetryableFailure(api, status, null, null, message, null, null);
        }
        throw new PermanentFailure(api, status, null, null, message);
    }

    /** No answer: connection refused, reset or timed out. */
    public static void unanswered(Exchange exchange) {
        String api = exchange.getProperty(API, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        throw new RetryableFailure(api, null, null, null, api + " not answered: " + cause, null,
                cause instanceof IOException ? cause : null);
    }
}

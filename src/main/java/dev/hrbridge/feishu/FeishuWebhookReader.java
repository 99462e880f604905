package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.api.RequestHeaders;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.ops.InboundLog;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an inbound webhook of one configured Feishu app ({@code POST /webhooks/feishu/events} for the default app,
 * {@code /webhooks/feishu/<name>/events} for a named one) into a verified {@link FeishuWebhook}, or refuses it
 * with the fitting 4xx: wrong content type 415, body over {@code hrb.webhook.max-body-bytes} 413, malformed JSON / missing fields / bad
 * base64 / undecryptable 400, a value longer than its column 400 {@code field_too_long}, wrong signature or
 * verification token 401, a signed request older than {@code feishu.webhook.max-age} 401 {@code stale_request},
 * an event of another app than this one's app id 401 {@code unknown_app}. Nothing is stored before this passes.
 * <p>
 * With an encrypt key the signature is checked before anything is decrypted. Only Feishu's URL handshake may come
 * unsigned; an unsigned body that does not decrypt to one gets the same 401 as a badly signed one, so an unsigned
 * caller learns nothing about our key from the answers.
 */
public class FeishuWebhookReader {

    private static final String SIGNATURE = "X-Lark-Signature";
    private static final String TIMESTAMP = "X-Lark-Request-Timestamp";
    private static final String NONCE = "X-Lark-Request-Nonce";
    /** The event type of the app_ticket Feishu pushes to store apps. */
    public static final String APP_TICKET = "app_ticket";

    private final String feishuApp;
    private final ObjectMapper json;
    private final FeishuCrypto crypto;
    private final byte[] verificationToken;
    private final String appId;
    private final Duration maxAge;
    private final Clock clock;
    private final long maxBodyBytes;

    /**
     * {@code encryptKey}, {@code verificationToken} and {@code appId} may be null: that check is then off.
     * {@code maxAge} bounds how old the timestamp of a signed request may be, {@code maxBodyBytes} how large a body is.
     */
    public FeishuWebhookReader(String encryptKey, String verificationToken, String appId, Duration maxAge, Clock clock,
                               long maxBodyBytes) {
        this(FeishuApp.DEFAULT, encryptKey, verificationToken, appId, maxAge, clock, maxBodyBytes);
    }

    /** The reader of the configured app {@code feishuApp}, which each event it reads names. */
    public FeishuWebhookReader(String feishuApp, String encryptKey, String verificationToken, String appId, Duration maxAge,
                               Clock clock, long maxBodyBytes) {
        this.feishuApp = feishuApp;
        this.maxBodyBytes = maxBodyBytes;
        this.json = new ObjectMapper();
        this.crypto = encryptKey == null ? null : new FeishuCrypto(encryptKey);
        this.verificationToken = verificationToken == null ? null : verificationToken.getBytes(StandardCharsets.UTF_8);
        this.appId = appId;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The route step: reads the raw body and headers of {@code exchange}, answers with the verified webhook. */
    public FeishuWebhook read(Exchange exchange) {
        Message in = exchange.getIn();
        // the signing headers as the request carried them, never a query parameter of the same name
        Map<String, Object> signing = new HashMap<>();
        for (String name : List.of(TIMESTAMP, NONCE, SIGNATURE)) {
            String value = RequestHeaders.single(exchange, name);
            if (value != null) {
                signing.put(name, value);
            }
        }
        FeishuWebhook webhook = read(JsonRequestBody.bytes(in), in.getHeader(Exchange.CONTENT_TYPE, String.class), signing);
        if (webhook instanceof FeishuWebhook.Event event) {
            exchange.setProperty(InboundLog.TRACE_ID, event.eventId());
        }
        return webhook;
    }

    public FeishuWebhook read(byte[] sent, String contentType, Map<String, Object> headers) {
        JsonRequestBody.checkContentType(contentType);
        byte[] body = sent == null ? new byte[0] : sent;
        boolean signed = crypto != null && header(headers, SIGNATURE) != null;
        if (signed) {
            // before anything of the body is parsed or decrypted
            checkSignature(body, headers);
        }
        JsonNode outer;
        try {
            // the header is read, the event only checked: a tree of 10,000 QR codes is not worth building here
            outer = JsonRequestBody.parseObject(body, maxBodyBytes, 2, "encrypt");
        } catch (ApiException e) {
            throw crypto != null && !signed && e.status() == 400 ? badSignature() : e;
        }
        JsonNode message = outer;
        String plaintext = null;
        JsonNode encrypted = outer.get("encrypt");
        if (encrypted != null) {
            if (crypto == null) {
                throw notConfigured();
            }
            try {
                byte[] decrypted = decrypt(encrypted);
                message = JsonRequestBody.parseObject(decrypted, maxBodyBytes, 2);
                plaintext = new String(decrypted, StandardCharsets.UTF_8);
            } catch (FeishuCrypto.UndecryptableException | ApiException e) {
                if (!signed) {
                    throw badSignature();
                }
                throw e instanceof FeishuCrypto.UndecryptableException undecryptable
                        ? ApiException.badRequest(undecryptable.badBase64() ? "bad_base64" : "undecryptable", e.getMessage())
                        : (ApiException) e;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if ("url_verification".equals(message.path("type").asText())) {
            // Feishu may send the handshake unsigned, but it always carries the verification token
            checkToken(message.path("token"));
            return new FeishuWebhook.UrlVerification(requireText(message, "challenge", "challenge"));
        }
        if (crypto != null && !signed) {
            throw badSignature();
        }
        String json = plaintext != null ? plaintext : new String(body, StandardCharsets.UTF_8);
        return "2.0".equals(message.path("schema").asText()) ? readV2(message, json, true) : readV1(message, json, true);
    }

    /**
     * An event Feishu pushed over the long connection: the payload of a data frame, the same envelope a webhook carries
     * in plaintext (or {@code {"encrypt": ...}} when the app has an encrypt key). The connection itself was opened with
     * the app's secret, so there is no signature or timestamp to check; the app id, the bounds of every stored value
     * and strict JSON are checked as for a webhook. A URL handshake has no place here and is a 400.
     */
    public FeishuWebhook.Event readPushed(byte[] payload) {
        JsonNode outer = JsonRequestBody.parseObject(payload == null ? new byte[0] : payload, maxBodyBytes, 2, "encrypt");
        JsonNode message = outer;
        String json;
        JsonNode encrypted = outer.get("encrypt");
        if (encrypted != null) {
            try {
                byte[] decrypted = decrypt(encrypted);
                message = JsonRequestBody.parseObject(decrypted, maxBodyBytes, 2);
                json = new String(decrypted, StandardCharsets.UTF_8);
            } catch (FeishuCrypto.UndecryptableException e) {
                throw ApiException.badRequest(e.badBase64() ? "bad_base64" : "undecryptable", e.getMessage());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            json = new String(payload, StandardCharsets.UTF_8);
        }
        return "2.0".equals(message.path("schema").asText()) ? readV2(message, json, false)
                : (FeishuWebhook.Event) readV1(message, json, false);
    }

    /** The plaintext of an envelope's {@code encrypt} value. */
    private byte[] decrypt(JsonNode encrypted) throws FeishuCrypto.UndecryptableException, java.io.IOException {
        if (crypto == null) {
            throw notConfigured();
        }
        if (!encrypted.isBinary()) {
            throw new FeishuCrypto.UndecryptableException("encrypt must be a base64 string", true);
        }
        return crypto.decrypt(encrypted.binaryValue());
    }

    private static ApiException notConfigured() {
        return ApiException.badRequest("encryption_not_configured",
                "the event is encrypted but no encrypt key is configured (feishu.encrypt-key)");
    }

    /** The JSON answer to the handshake. */
    public String challengeAnswer(FeishuWebhook.UrlVerification verification) throws JsonProcessingException {
        return json.writeValueAsString(Map.of("challenge", verification.challenge()));
    }

    /** {@code tokenChecked}: a webhook carries the verification token; over the long connection the socket vouches. */
    private FeishuWebhook.Event readV2(JsonNode message, String json, boolean tokenChecked) {
        JsonNode header = message.path("header");
        if (!header.isObject()) {
            throw ApiException.badRequest("missing_field", "a v2 event needs its header object").with("field", "header");
        }
        if (tokenChecked) {
            checkToken(header.path("token"));
        }
        String eventId = bounded(requireText(header, "event_id", "header.event_id"), "header.event_id", ColumnLimits.TRACE_ID);
        String eventType = bounded(requireText(header, "event_type", "header.event_type"), "header.event_type",
                ColumnLimits.EVENT_TYPE);
        String app = checkApp(bounded(requireText(header, "app_id", "header.app_id"), "header.app_id", ColumnLimits.APP_ID));
        String tenantKey = bounded(optionalText(header, "tenant_key", "header.tenant_key"), "header.tenant_key",
                ColumnLimits.TENANT_KEY);
        if (!message.path("event").isObject()) {
            throw ApiException.badRequest("missing_field", "a v2 event needs its event object").with("field", "event");
        }
        return new FeishuWebhook.Event(feishuApp, "2.0", app, eventType, eventId, tenantKey, text(header, "create_time"), json,
                channel(tokenChecked));
    }

    /**
     * A v1 event; by webhook ({@code tokenChecked}) an {@code app_ticket} is a {@link FeishuWebhook.AppTicket}. Over the
     * long connection, which only self-built apps have, an {@code app_ticket} has no meaning and is kept as an event.
     */
    private FeishuWebhook readV1(JsonNode message, String json, boolean tokenChecked) {
        if (!"event_callback".equals(message.path("type").asText())) {
            throw ApiException.badRequest("unknown_envelope",
                    "neither a v2 event (schema 2.0), a v1 event (type event_callback) nor url_verification");
        }
        if (tokenChecked) {
            checkToken(message.path("token"));
        }
        String uuid = bounded(requireText(message, "uuid", "uuid"), "uuid", ColumnLimits.TRACE_ID);
        JsonNode event = message.path("event");
        String eventType = bounded(requireText(event, "type", "event.type"), "event.type", ColumnLimits.EVENT_TYPE);
        String app = bounded(optionalText(event, "app_id", "event.app_id"), "event.app_id", ColumnLimits.APP_ID);
        String tenantKey = bounded(optionalText(event, "tenant_key", "event.tenant_key"), "event.tenant_key",
                ColumnLimits.TENANT_KEY);
        if (tokenChecked && APP_TICKET.equals(eventType)) {
            // 商店应用 app_ticket 事件: {ts, uuid, token, type: event_callback, event: {app_id, app_ticket, type}}
            String appId = checkApp(bounded(requireText(event, "app_id", "event.app_id"), "event.app_id", ColumnLimits.APP_ID));
            String ticket = bounded(requireText(event, "app_ticket", "event.app_ticket"), "event.app_ticket",
                    ColumnLimits.APP_TICKET);
            return new FeishuWebhook.AppTicket(feishuApp, appId, ticket, text(message, "ts"));
        }
        return new FeishuWebhook.Event(feishuApp, "1.0", app == null ? "" : checkApp(app), eventType, uuid, tenantKey,
                text(message, "ts"), json, channel(tokenChecked));
    }

    /** Only a webhook carries the verification token; an event read without it came over the long connection. */
    private static String channel(boolean tokenChecked) {
        return tokenChecked ? FeishuWebhook.BY_WEBHOOK : FeishuWebhook.BY_LONG_CONNECTION;
    }

    private void checkSignature(byte[] body, Map<String, Object> headers) {
        String timestamp = header(headers, TIMESTAMP);
        if (!crypto.signatureMatches(timestamp, header(headers, NONCE), body, header(headers, SIGNATURE))) {
            throw badSignature();
        }
        // signed by Feishu, but when? A request captured and sent again later must not count as a new delivery
        Instant sent;
        try {
            sent = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new ApiException(401, "stale_request", "X-Lark-Request-Timestamp is not a time in seconds");
        }
        if (Duration.between(sent, clock.instant()).abs().compareTo(maxAge) > 0) {
            throw new ApiException(401, "stale_request", "X-Lark-Request-Timestamp is further than "
                    + maxAge + " from now (feishu.webhook.max-age); Feishu stops redelivering long before that");
        }
    }

    private static ApiException badSignature() {
        return new ApiException(401, "bad_signature", "X-Lark-Signature is missing or does not match the body");
    }

    private void checkToken(JsonNode token) {
        if (verificationToken == null) {
            return;
        }
        byte[] presented = token.isTextual() ? token.asText().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(verificationToken, presented)) {
            throw new ApiException(401, "bad_token", "the verification token does not match");
        }
    }

    /** With an app id configured, events of any other app are refused. */
    private String checkApp(String presented) {
        if (appId != null && !appId.equals(presented)) {
            throw new ApiException(401, "unknown_app", "the event belongs to another Feishu app than "
                    + FeishuApps.key(feishuApp, "app-id"));
        }
        return presented;
    }

    private static String bounded(String value, String path, int max) {
        return ApiException.checkLength(path, value, max);
    }

    private static String requireText(JsonNode node, String field, String path) {
        String value = optionalText(node, field, path);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("missing_field", path + " is required").with("field", path);
        }
        return value;
    }

    /** The string at {@code field}, or null when absent or null; any other type is a 400. */
    private static String optionalText(JsonNode node, String field, String path) {
        JsonNode raw = node.get(field);
        if (raw != null && !raw.isNull() && !raw.isTextual()) {
            throw ApiException.badRequest("invalid_field", path + " must be a string").with("field", path);
        }
        return text(node, field);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    private static String header(Map<String, Object> headers, String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }
}

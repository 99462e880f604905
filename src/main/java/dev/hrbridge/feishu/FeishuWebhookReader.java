package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.ops.InboundLog;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Turns an inbound {@code POST /webhooks/feishu/events} into a verified {@link FeishuWebhook}, or refuses it
 * with the fitting 4xx: wrong content type 415, body over 1 MiB 413, malformed JSON / missing fields / bad
 * base64 / undecryptable 400, wrong signature or verification token 401. Nothing is stored before this passes.
 */
public class FeishuWebhookReader {

    private final ObjectMapper json;
    private final FeishuCrypto crypto;
    private final byte[] verificationToken;

    /** {@code encryptKey} and {@code verificationToken} may be null: that check is then off. */
    public FeishuWebhookReader(String encryptKey, String verificationToken) {
        this.json = new ObjectMapper();
        this.crypto = encryptKey == null ? null : new FeishuCrypto(encryptKey);
        this.verificationToken = verificationToken == null ? null : verificationToken.getBytes(StandardCharsets.UTF_8);
    }

    /** The route step: reads the raw body and headers of {@code exchange}, answers with the verified webhook. */
    public FeishuWebhook read(Exchange exchange) {
        Message in = exchange.getIn();
        FeishuWebhook webhook = read(JsonRequestBody.bytes(in), in.getHeader(Exchange.CONTENT_TYPE, String.class),
                in.getHeaders());
        if (webhook instanceof FeishuWebhook.Event event) {
            exchange.setProperty(InboundLog.TRACE_ID, event.eventId());
        }
        return webhook;
    }

    public FeishuWebhook read(byte[] body, String contentType, Map<String, Object> headers) {
        JsonRequestBody.checkContentType(contentType);
        JsonNode outer = JsonRequestBody.parseObject(body);
        JsonNode encrypted = outer.get("encrypt");
        JsonNode message = outer;
        String plaintext = null;
        if (encrypted != null) {
            if (crypto == null) {
                throw ApiException.badRequest("encryption_not_configured",
                        "the event is encrypted but no encrypt key is configured (feishu.encrypt-key)");
            }
            if (!encrypted.isTextual()) {
                throw ApiException.badRequest("bad_base64", "encrypt must be a base64 string");
            }
            try {
                plaintext = crypto.decrypt(encrypted.asText());
                message = JsonRequestBody.parseObject(plaintext.getBytes(StandardCharsets.UTF_8));
            } catch (FeishuCrypto.UndecryptableException e) {
                throw ApiException.badRequest(e.badBase64() ? "bad_base64" : "undecryptable", e.getMessage());
            }
        }
        if ("url_verification".equals(message.path("type").asText())) {
            // Feishu may send the handshake unsigned, but it always carries the verification token
            checkToken(message.path("token"));
            return new FeishuWebhook.UrlVerification(requireText(message, "challenge", "challenge"));
        }
        checkSignature(body, headers);
        String json = plaintext != null ? plaintext : new String(body, StandardCharsets.UTF_8);
        return "2.0".equals(message.path("schema").asText()) ? readV2(message, json) : readV1(message, json);
    }

    /** The JSON answer to the handshake. */
    public String challengeAnswer(FeishuWebhook.UrlVerification verification) throws JsonProcessingException {
        return json.writeValueAsString(Map.of("challenge", verification.challenge()));
    }

    private FeishuWebhook.Event readV2(JsonNode message, String json) {
        JsonNode header = message.path("header");
        if (!header.isObject()) {
            throw ApiException.badRequest("missing_field", "a v2 event needs its header object").with("field", "header");
        }
        checkToken(header.path("token"));
        String eventId = requireText(header, "event_id", "header.event_id");
        String eventType = requireText(header, "event_type", "header.event_type");
        String appId = requireText(header, "app_id", "header.app_id");
        if (!message.path("event").isObject()) {
            throw ApiException.badRequest("missing_field", "a v2 event needs its event object").with("field", "event");
        }
        return new FeishuWebhook.Event("2.0", appId, eventType, eventId, text(header, "tenant_key"),
                text(header, "create_time"), json);
    }

    private FeishuWebhook.Event readV1(JsonNode message, String json) {
        if (!"event_callback".equals(message.path("type").asText())) {
            throw ApiException.badRequest("unknown_envelope",
                    "neither a v2 event (schema 2.0), a v1 event (type event_callback) nor url_verification");
        }
        checkToken(message.path("token"));
        String uuid = requireText(message, "uuid", "uuid");
        JsonNode event = message.path("event");
        String eventType = requireText(event, "type", "event.type");
        return new FeishuWebhook.Event("1.0", text(event, "app_id") == null ? "" : text(event, "app_id"), eventType, uuid,
                text(event, "tenant_key"), text(message, "ts"), json);
    }

    private void checkSignature(byte[] body, Map<String, Object> headers) {
        if (crypto == null) {
            return;
        }
        String timestamp = header(headers, "X-Lark-Request-Timestamp");
        String nonce = header(headers, "X-Lark-Request-Nonce");
        String signature = header(headers, "X-Lark-Signature");
        if (!crypto.signatureMatches(timestamp, nonce, body, signature)) {
            throw new ApiException(401, "bad_signature", "X-Lark-Signature does not match the body");
        }
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

    private static String requireText(JsonNode node, String field, String path) {
        JsonNode raw = node.get(field);
        if (raw != null && !raw.isNull() && !raw.isTextual()) {
            throw ApiException.badRequest("invalid_field", path + " must be a string").with("field", path);
        }
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("missing_field", path + " is required").with("field", path);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    /** Camel's header map ignores case, as HTTP does. */
    private static String header(Map<String, Object> headers, String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }
}

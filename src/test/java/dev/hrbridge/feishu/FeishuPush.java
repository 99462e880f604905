package dev.hrbridge.feishu;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** Sends webhook calls the way Feishu does: plain or encrypted, signed with the encrypt key. */
public final class FeishuPush {

    /** The app id of the seed documents' example events, which every test event carries. */
    public static final String APP_ID = "cli_9f5343c580712544";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI endpoint;
    private final String encryptKey;

    public FeishuPush(URI endpoint, String encryptKey) {
        this.endpoint = endpoint;
        this.encryptKey = encryptKey;
    }

    /** The body as given, signed when an encrypt key is known. */
    public HttpResponse<String> plain(String json) throws Exception {
        return send(json.getBytes(StandardCharsets.UTF_8), true, "application/json; charset=utf-8");
    }

    /** {"encrypt": ...} of the JSON, signed. */
    public HttpResponse<String> encrypted(String json) throws Exception {
        return send(encryptedBody(json), true, "application/json");
    }

    public byte[] encryptedBody(String json) {
        String encrypted = new FeishuCrypto(encryptKey).encrypt(json);
        return ("{\"encrypt\":\"" + encrypted + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    public HttpResponse<String> unsigned(String json) throws Exception {
        return send(json.getBytes(StandardCharsets.UTF_8), false, "application/json");
    }

    public HttpResponse<String> send(byte[] body, boolean sign, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (sign && encryptKey != null) {
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            String nonce = UUID.randomUUID().toString();
            request.header("X-Lark-Request-Timestamp", timestamp)
                    .header("X-Lark-Request-Nonce", nonce)
                    .header("X-Lark-Signature", new FeishuCrypto(encryptKey).signature(timestamp, nonce, body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> sendWithHeaders(byte[] body, String... headers) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).headers(headers)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A v2 event of {@code type} with a fresh event id, carrying {@code token}. */
    public static String v2Event(String type, String eventId, String token, String eventJson) {
        return "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"" + eventId + "\",\"event_type\":\"" + type
                + "\",\"create_time\":\"1608725989000\",\"token\":\"" + token + "\",\"app_id\":\"" + APP_ID + "\","
                + "\"tenant_key\":\"2ca1d211f64f6438\"},\"event\":" + eventJson + "}";
    }

    /** The same kind of event as a v1 envelope: {uuid, token, ts, type: event_callback, event: {type, ...}}. */
    public static String v1Event(String type, String uuid, String token) {
        return "{\"uuid\":\"" + uuid + "\",\"token\":\"" + token + "\",\"ts\":\"1608725989.000\",\"type\":\"event_callback\","
                + "\"event\":{\"type\":\"" + type + "\",\"app_id\":\"" + APP_ID + "\",\"tenant_key\":\"2ca1d211f64f6438\"}}";
    }
}

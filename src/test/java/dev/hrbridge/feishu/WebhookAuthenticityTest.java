package dev.hrbridge.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In live mode only Feishu's signed requests for our own app are taken: the signature comes before decryption, an
 * old captured request is refused, and an event of another app is refused.
 */
class WebhookAuthenticityTest {

    private static final String KEY = "authenticity-encrypt-key";
    private static final String TOKEN = "authenticity-verification-token";
    private static final String TYPE = "test.authenticity_probe_v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static FeishuPush feishu;

    @BeforeAll
    static void start() throws Exception {
        // live mode: our app is the one of the seed documents' events; nothing is called outward by these tests
        bridge = TestBridge.start(dir, Map.of("feishu.app-id", FeishuPush.APP_ID, "feishu.app-secret", "s",
                "hrb.api.token", "api-token", "feishu.base-url", "http://127.0.0.1:9",
                "feishu.encrypt-key", KEY, "feishu.verification-token", TOKEN));
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), KEY);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void anEventOfAnotherAppIsRefusedAndNotStored() throws Exception {
        String v2 = FeishuPush.v2Event(TYPE, "other-app-1", TOKEN, "{}").replace(FeishuPush.APP_ID, "cli_another_app");
        String v1 = FeishuPush.v1Event(TYPE, "other-app-2", TOKEN).replace(FeishuPush.APP_ID, "cli_another_app");

        assertError(feishu.encrypted(v2), 401, "unknown_app");
        assertError(feishu.encrypted(v1), 401, "unknown_app");
        assertThat(stored("cli_another_app", "other-app-1")).isFalse();
        assertThat(stored("cli_another_app", "other-app-2")).isFalse();
        assertThat(feishu.encrypted(FeishuPush.v2Event(TYPE, "our-app-1", TOKEN, "{}")).statusCode()).isEqualTo(200);
        assertThat(stored(FeishuPush.APP_ID, "our-app-1")).isTrue();
    }

    @Test
    void everyUnsignedOrBadlySignedRequestGetsTheSameAnswer() throws Exception {
        String event = FeishuPush.v2Event(TYPE, "unsigned-1", TOKEN, "{}");
        List<HttpResponse<String>> answers = new ArrayList<>();
        answers.add(feishu.unsigned(event));
        answers.add(feishu.send(feishu.encryptedBody(event), false, "application/json"));
        answers.add(feishu.unsigned("{\"encrypt\":\"%%%\"}"));
        answers.add(feishu.unsigned("{\"encrypt\":\"" + Base64.getEncoder().encodeToString(new byte[48]) + "\"}"));
        answers.add(feishu.unsigned("{\"encrypt\":\"" + new FeishuCrypto("another key").encrypt(event) + "\"}"));
        answers.add(feishu.sendWithHeaders(feishu.encryptedBody(event), "Content-Type", "application/json",
                "X-Lark-Request-Timestamp", now(), "X-Lark-Request-Nonce", "n", "X-Lark-Signature", "0".repeat(64)));
        answers.add(feishu.sendWithHeaders("{\"encrypt\":\"%%%\"}".getBytes(StandardCharsets.UTF_8), "Content-Type",
                "application/json", "X-Lark-Request-Timestamp", now(), "X-Lark-Request-Nonce", "n", "X-Lark-Signature", "x"));
        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.body()).isEqualTo(answers.get(0).body());
        }
        assertThat(JSON.readTree(answers.get(0).body()).path("error").asText()).isEqualTo("bad_signature");
        assertThat(stored(FeishuPush.APP_ID, "unsigned-1")).isFalse();
    }

    @Test
    void feishusUnsignedEncryptedUrlCheckIsStillAnswered() throws Exception {
        String handshake = "{\"type\":\"url_verification\",\"challenge\":\"ch-42\",\"token\":\"" + TOKEN + "\"}";
        HttpResponse<String> answer = feishu.send(feishu.encryptedBody(handshake), false, "application/json");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("challenge").asText()).isEqualTo("ch-42");
        String wrongToken = handshake.replace(TOKEN, "not-the-token");
        assertError(feishu.send(feishu.encryptedBody(wrongToken), false, "application/json"), 401, "bad_token");
    }

    @Test
    void aSignedRequestIsTakenWithinTheFreshnessWindowAndRefusedBeyondIt() throws Exception {
        byte[] fresh = feishu.encryptedBody(FeishuPush.v2Event(TYPE, "fresh-1", TOKEN, "{}"));
        assertThat(signedAt(fresh, 23 * 3600).statusCode()).isEqualTo(200);
        byte[] old = feishu.encryptedBody(FeishuPush.v2Event(TYPE, "captured-1", TOKEN, "{}"));
        assertError(signedAt(old, 25 * 3600), 401, "stale_request");
        assertThat(stored(FeishuPush.APP_ID, "captured-1")).isFalse();
    }

    /** {@code body} signed correctly, as Feishu signed it {@code secondsAgo} ago. */
    private static HttpResponse<String> signedAt(byte[] body, long secondsAgo) throws Exception {
        String timestamp = String.valueOf(System.currentTimeMillis() / 1000 - secondsAgo);
        return feishu.sendWithHeaders(body, "Content-Type", "application/json", "X-Lark-Request-Timestamp", timestamp,
                "X-Lark-Request-Nonce", "n", "X-Lark-Signature", new FeishuCrypto(KEY).signature(timestamp, "n", body));
    }

    private static String now() {
        return String.valueOf(System.currentTimeMillis() / 1000);
    }

    private static void assertError(HttpResponse<String> answer, int status, String error) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
    }

    /** Whether the event is in the inbox, once everything acknowledged so far has moved from the journal into the table. */
    private static boolean stored(String appId, String eventId) throws Exception {
        Inbox inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inbox", Inbox.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> inbox.journalBacklog() == 0);
        return bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class)
                .findByDedupKey("feishu:" + appId + ":" + TYPE + ":" + eventId).isPresent();
    }
}

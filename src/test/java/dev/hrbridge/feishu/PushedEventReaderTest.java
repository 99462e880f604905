package dev.hrbridge.feishu;

import dev.hrbridge.api.ApiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An event pushed over the long connection is read like a webhook's body, without the webhook's signature (the socket
 * was opened with the app secret) and without its verification token, but with every other check.
 */
class PushedEventReaderTest {

    static final String KEY = "pushed-event-key";
    final FeishuWebhookReader reader = new FeishuWebhookReader(KEY, "a-verification-token", FeishuPush.APP_ID,
            Duration.ofHours(24), Clock.systemUTC(), 8 * 1024 * 1024);

    static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPlainV2EventIsReadAsTheWebhookWouldReadItWithoutToken() {
        String json = FeishuPush.v2Event("hire.eco_account.created_v1", "ev-1", "", "{\"a\":1}");

        FeishuWebhook.Event event = reader.readPushed(bytes(json));

        assertThat(event.eventId()).isEqualTo("ev-1");
        assertThat(event.eventType()).isEqualTo("hire.eco_account.created_v1");
        assertThat(event.appId()).isEqualTo(FeishuPush.APP_ID);
        assertThat(event.json()).isEqualTo(json);
        assertThat(event.dedupKey()).isEqualTo("feishu:" + FeishuPush.APP_ID + ":hire.eco_account.created_v1:ev-1");
    }

    @Test
    void anEncryptedPayloadIsDecrypted() {
        String json = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", "ev-2", "t", "{\"code_lists\":[]}");

        FeishuWebhook.Event event = reader.readPushed(new FeishuPush(null, KEY).encryptedBody(json));

        assertThat(event.eventId()).isEqualTo("ev-2");
        assertThat(event.json()).isEqualTo(json);
    }

    @Test
    void whatCannotBeAnEventIsA400NamingWhy() {
        assertRefused("{\"schema\":\"2.0\"", "malformed_json");
        assertRefused(FeishuPush.v2Event("t", "x", "", "{}") + " {}", "malformed_json");
        assertRefused("{\"schema\":\"2.0\",\"header\":{\"event_id\":\"1\"},\"header\":{}}", "malformed_json");
        assertRefused("{\"type\":\"url_verification\",\"challenge\":\"c\",\"token\":\"a-verification-token\"}", "unknown_envelope");
        assertRefused(FeishuPush.v2Event("t", "x".repeat(129), "", "{}"), "field_too_long");
        assertRefused("{\"encrypt\":\"not base64!\"}", "bad_base64");
        assertRefused("{\"encrypt\":\"" + new FeishuCrypto("another-key").encrypt("{}") + "\"}", "undecryptable");
        assertRefused("", "malformed_json");
    }

    @Test
    void anEventOfAnotherAppIsRefused() {
        String json = FeishuPush.v2Event("t", "ev-3", "", "{}").replace(FeishuPush.APP_ID, "cli_another_app");

        assertThatThrownBy(() -> reader.readPushed(bytes(json)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errorCode()).isEqualTo("unknown_app"));
    }

    private void assertRefused(String payload, String errorCode) {
        assertThatThrownBy(() -> reader.readPushed(bytes(payload))).as(payload.length() > 80 ? payload.substring(0, 80) : payload)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(e.errorCode().equals("unknown_app") ? 401 : 400);
                    assertThat(e.errorCode()).isEqualTo(errorCode);
                });
    }
}

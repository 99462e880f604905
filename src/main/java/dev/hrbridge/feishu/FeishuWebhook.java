package dev.hrbridge.feishu;

/** What a Feishu webhook call turned out to be, once verified and decrypted. */
public sealed interface FeishuWebhook {

    /** The handshake Feishu sends when a webhook URL is configured: answer the challenge. */
    record UrlVerification(String challenge) implements FeishuWebhook {
    }

    /**
     * An event, v2 ({@code schema: "2.0"}) or v1 ({@code type: "event_callback"}). {@code json} is the plaintext
     * event as Feishu sent it (decrypted when it came encrypted).
     */
    record Event(String schema, String appId, String eventType, String eventId, String tenantKey, String createTime,
                 String json) implements FeishuWebhook {

        /** (app_id, event_type, event_id): a redelivery carries the same key. */
        public String dedupKey() {
            return "feishu:" + appId + ":" + eventType + ":" + eventId;
        }
    }
}

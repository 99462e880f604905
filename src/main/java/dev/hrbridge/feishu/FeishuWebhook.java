package dev.hrbridge.feishu;

/** What a Feishu webhook call turned out to be, once verified and decrypted. */
public sealed interface FeishuWebhook {

    /** How an event came in, as its story shows it. */
    String BY_WEBHOOK = "webhook";
    String BY_LONG_CONNECTION = "long_connection";

    /** The handshake Feishu sends when a webhook URL is configured: answer the challenge. */
    record UrlVerification(String challenge) implements FeishuWebhook {
    }

    /**
     * An event, v2 ({@code schema: "2.0"}) or v1 ({@code type: "event_callback"}), received for the configured app
     * {@code feishuApp} ({@link FeishuApp#DEFAULT} or a {@code feishu.apps.<name>}). {@code json} is the plaintext
     * event as Feishu sent it (decrypted when it came encrypted); {@code receivedVia} how it came in,
     * {@code webhook} or {@code long_connection}.
     */
    record Event(String feishuApp, String schema, String appId, String eventType, String eventId, String tenantKey,
                 String createTime, String json, String receivedVia) implements FeishuWebhook {

        /** (app_id, event_type, event_id): a redelivery carries the same key. */
        public String dedupKey() {
            return dedupKey(appId, eventType, eventId);
        }

        /** The inbox key of the event {@code eventId} of type {@code eventType} from Feishu app {@code appId}. */
        public static String dedupKey(String appId, String eventType, String eventId) {
            return "feishu:" + appId + ":" + eventType + ":" + eventId;
        }
    }

    /**
     * A store app's {@code app_ticket} event (v1 envelope, {@code event.type: "app_ticket"}), which Feishu pushes about
     * every hour and on request: the credential its app_access_token is fetched with. Kept, never routed as a flow.
     *
     * @param sentAt the envelope's {@code ts}, seconds since the epoch with a fraction, or null
     */
    record AppTicket(String feishuApp, String appId, String ticket, String sentAt) implements FeishuWebhook {

        @Override
        public String toString() {
            return "AppTicket[feishuApp=" + feishuApp + ", appId=" + appId + ", sentAt=" + sentAt + "]";
        }
    }
}

package dev.hrbridge.feishu;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.sandbox.LongConnectionSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events over the long connection, in sandbox mode with {@code feishu.event-mode=both}: the sandbox's Feishu pushes
 * them over the WebSocket HR Bridge opened, and they reach the same inbox, dedup and flows as the webhook's.
 */
class LongConnectionIngressTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static LongConnectionSandbox feishu;
    static InboxRepository inbox;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("feishu.event-mode", "both", "feishu.long-connection.ping-interval-ms", "500"));
        feishu = bridge.simulator().longConnection();
        inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 1);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void anEventOverTheLongConnectionRunsTheSameFlowAsOneByWebhookAndIsAcknowledgedOnceStored() throws Exception {
        String overSocket = EcoAccountEvents.created(newId(), "7100000000000000001");
        String byWebhook = EcoAccountEvents.created(newId(), "7100000000000000002");

        feishu.push(overSocket);
        assertThat(new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(byWebhook).statusCode()).isEqualTo(200);

        for (String accountId : new String[] {"7100000000000000001", "7100000000000000002"}) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !bridge.simulator().feishu().hire().packagesOf(accountId).isEmpty());
        }
        LongConnectionSandbox.PushedEvent pushed = awaitAcked(overSocket);
        assertThat(pushed.attempts()).isEqualTo(1);
        assertThat(pushed.deliveries().get(0).code()).isEqualTo(200);
        assertThat(pushed.deliveries().get(0).bizRt()).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(stored(overSocket)).map(InboxMessage::flow).contains("event-router");
        // each event's story says how it came in (the webhook's through the inbox journal)
        ApiClient api = new ApiClient(bridge, "sandbox-token");
        assertThat(api.getJson("/api/v1/events/" + stored(overSocket).orElseThrow().id()).at("/received/via").asText())
                .isEqualTo("long_connection");
        assertThat(api.getJson("/api/v1/events/" + stored(byWebhook).orElseThrow().id()).at("/received/via").asText())
                .isEqualTo("webhook");
    }

    @Test
    void anEventAlreadyReceivedByWebhookIsAcknowledgedAsADuplicateAndStoredOnce() throws Exception {
        String event = FeishuPush.v2Event("bench.unrouted_v1", newId(), "t", "{}");
        assertThat(new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(event).statusCode()).isEqualTo(200);

        feishu.push(event);
        feishu.push(event);

        assertThat(awaitAcked(event).deliveries()).allSatisfy(delivery -> assertThat(delivery.code()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(10)).until(() -> feishu.events().stream()
                .filter(pushed -> pushed.eventId().equals(eventId(event))).allMatch(pushed -> pushed.state().equals("acked")));
        assertThat(inbox.list(InboxMessage.Kind.EVENT, null, null, 10_000).stream()
                .filter(message -> message.traceId().equals(eventId(event)))).hasSize(1);
    }

    @Test
    void anUnknownEventTypeIsAcknowledgedAndKeptUnhandled() throws Exception {
        String event = FeishuPush.v2Event("contact.user.created_v3", newId(), "t", "{\"object\":{}}");

        feishu.push(event);

        assertThat(awaitAcked(event).deliveries().get(0).code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stored(event).map(InboxMessage::state), state -> state.equals(Optional.of(InboxMessage.State.UNHANDLED)));
    }

    @Test
    void aPayloadThatIsNoEventIsAnsweredWithAnErrorCodeAndNothingIsStored() throws Exception {
        long before = inbox.countByState().values().stream().mapToLong(Long::longValue).sum();
        String tooLong = FeishuPush.v2Event("t", "x".repeat(200), "t", "{}");

        LongConnectionSandbox.Pushed garbage = feishu.push("{\"schema\":\"2.0\",\"header\":{\"event_id\":\"no-type\"}}");
        feishu.push(tooLong);
        LongConnectionSandbox.Pushed otherApp = feishu.push(FeishuPush.v2Event("t", newId(), "t", "{}")
                .replace(FeishuPush.APP_ID, "x".repeat(129)));

        for (String eventId : new String[] {garbage.eventId(), "x".repeat(200), otherApp.eventId()}) {
            LongConnectionSandbox.Delivery first = await().atMost(Duration.ofSeconds(10))
                    .until(() -> firstDelivery(eventId), delivery -> delivery != null && delivery.code() != null);
            assertThat(first.code()).as(eventId).isEqualTo(400);
        }
        assertThat(inbox.countByState().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(before);
    }

    @Test
    void anEventSplitOverSeveralFramesIsStoredWhole() throws Exception {
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            codes.append(i == 0 ? "" : ",").append("{\"id\":\"split-").append(i)
                    .append("\",\"png\":\"https://example.feishu.cn/png\",\"url\":\"https://example.feishu.cn/url\"}");
        }
        String event = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", newId(), "t",
                "{\"code_lists\":[" + codes + "]}");

        assertThat(feishu.push(event, 4).parts()).isEqualTo(4);

        assertThat(awaitAcked(event).deliveries().get(0).code()).isEqualTo(200);
        assertThat(stored(event)).isPresent();
        assertThat(inbox.find(stored(event).orElseThrow().id()).orElseThrow().payload()).isEqualTo(event);
    }

    @Test
    void operatorsSeeTheConnectionInHealthMetricsAndJmxAndCanReplaceIt() throws Exception {
        JsonNode health = JSON.readTree(bridge.get(bridge.management("/observe/health?exposureLevel=full&data=true")).body());
        JsonNode check = null;
        for (JsonNode candidate : health.path("checks")) {
            if (candidate.path("name").asText().equals("feishu-long-connection-default")) {
                check = candidate;
            }
        }
        assertThat(check).as(health.toString()).isNotNull();
        assertThat(check.path("status").asText()).isEqualTo("UP");
        HttpResponse<String> metrics = bridge.get(bridge.management("/observe/metrics"));
        assertThat(metrics.body()).contains("hrb_feishu_long_connection_connected{app=\"default\"} 1.0")
                .contains("hrb_feishu_long_connection_frames_total");

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("dev.hrbridge:type=LongConnection,app=default,*"), null);
        assertThat(names).hasSize(1);
        ObjectName name = names.iterator().next();
        assertThat(server.getAttribute(name, "State")).isEqualTo("CONNECTED");
        String before = (String) server.getAttribute(name, "ConnectionId");

        server.invoke(name, "reconnect", new Object[0], new String[0]);

        await().atMost(Duration.ofSeconds(20)).until(() -> "CONNECTED".equals(server.getAttribute(name, "State"))
                && !before.equals(server.getAttribute(name, "ConnectionId")));
        String event = FeishuPush.v2Event("bench.unrouted_v1", newId(), "t", "{}");
        feishu.push(event);
        assertThat(awaitAcked(event).deliveries().get(0).connection()).isEqualTo(server.getAttribute(name, "ConnectionId"));
        assertThat(bridge.get(bridge.management("/observe/metrics")).body()).contains("hrb_feishu_long_connection_acks_total")
                .contains("hrb_feishu_long_connection_ack_latency_seconds");
    }

    static LongConnectionSandbox.PushedEvent awaitAcked(String event) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> feishu.event(eventId(event)),
                pushed -> pushed != null && pushed.state().equals("acked"));
    }

    static LongConnectionSandbox.Delivery firstDelivery(String eventId) {
        LongConnectionSandbox.PushedEvent pushed = feishu.event(eventId);
        return pushed == null || pushed.deliveries().isEmpty() ? null : pushed.deliveries().get(0);
    }

    static Optional<InboxMessage> stored(String event) throws Exception {
        return inbox.findByDedupKey("feishu:" + FeishuPush.APP_ID + ":" + JSON.readTree(event).at("/header/event_type").asText()
                + ":" + eventId(event));
    }

    static String eventId(String event) {
        try {
            return JSON.readTree(event).at("/header/event_id").asText();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The seed's hire.eco_account.created_v1, for an account of the shipped catalogue's customer 7233333. */
    static final class EcoAccountEvents {
        static String created(String eventId, String accountId) {
            return FeishuPush.v2Event("hire.eco_account.created_v1", eventId, "t", """
                    {"scope": 1, "account_id": "%s", "account_name": "account %s", "usage_list": [1, 2],
                     "custom_field_list": [{"key":"ord_id","value":"7233333"}]}""".formatted(accountId, accountId));
        }
    }
}

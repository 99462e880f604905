package dev.hrbridge.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.sandbox.LongConnectionFault;
import dev.hrbridge.sandbox.LongConnectionSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code feishu.event-mode=long-connection}: the webhook is not served, and what the connection goes through is what
 * readiness says: connected UP; reconnecting UP but degraded; Feishu refusing the app DOWN until an operator acts.
 */
class LongConnectionModeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> FAST = Map.of("feishu.event-mode", "long-connection",
            "feishu.long-connection.ping-interval-ms", "300", "feishu.long-connection.pong-timeout-ms", "1000",
            "feishu.long-connection.reconnect-max-backoff-ms", "300");

    @TempDir
    Path dir;

    @Test
    void overTheLongConnectionAloneTheWebhookPathIsNotServed() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, FAST)) {
            LongConnectionSandbox feishu = bridge.simulator().longConnection();
            await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 1);

            int status = new FeishuPush(bridge.api("/webhooks/feishu/events"), null)
                    .plain(FeishuPush.v2Event("bench.unrouted_v1", "by-webhook", "t", "{}")).statusCode();

            assertThat(status).isEqualTo(404);
            assertThat(check(bridge).path("status").asText()).isEqualTo("UP");
            String event = FeishuPush.v2Event("bench.unrouted_v1", UUID.randomUUID().toString(), "t", "{}");
            feishu.push(event);
            await().atMost(Duration.ofSeconds(10)).until(() -> feishu.event(JSON.readTree(event).at("/header/event_id").asText()),
                    pushed -> pushed != null && pushed.state().equals("acked"));
        }
    }

    @Test
    void eachSelfBuiltAppHasItsOwnLongConnectionWhileAStoreAppKeepsItsWebhook() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(FAST);
        settings.putAll(Map.of("feishu.apps.hr2.app-id", "cli_hr2_not_known_to_the_sandbox", "feishu.apps.hr2.app-secret", "s2",
                "feishu.apps.shop.app-id", "cli_shop", "feishu.apps.shop.app-secret", "s3", "feishu.apps.shop.type", "store"));
        try (TestBridge bridge = TestBridge.start(dir, settings)) {
            assertThat(bridge.bridge().context().getRoute("feishu-long-connection")).isNotNull();
            assertThat(bridge.bridge().context().getRoute("feishu-long-connection-hr2")).isNotNull();
            assertThat(bridge.bridge().context().getRoute("feishu-long-connection-shop")).isNull();
            ObjectName hr2 = new ObjectName("dev.hrbridge:context=hr-bridge-" + bridge.api("/").getPort()
                    + ",type=LongConnection,app=hr2");
            // the sandbox's Feishu knows only its own app: it refuses hr2's, which proves hr2 asked with its own
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    ManagementFactory.getPlatformMBeanServer().getAttribute(hr2, "State").equals("REFUSED"));

            String handshake = "{\"type\":\"url_verification\",\"challenge\":\"c-1\",\"token\":\"\"}";
            assertThat(new FeishuPush(bridge.api("/webhooks/feishu/hr2/events"), null).plain(handshake).statusCode())
                    .isEqualTo(404);
            HttpResponse<String> store = new FeishuPush(bridge.api("/webhooks/feishu/shop/events"), null).plain(handshake);
            assertThat(store.statusCode()).isEqualTo(200);
            assertThat(store.body()).contains("c-1");
        }
    }

    @Test
    void aSilentFeishuIsNoticedByItsMissingPongsAndTheConnectionReplaced() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, FAST)) {
            LongConnectionSandbox feishu = bridge.simulator().longConnection();
            await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 1);
            String first = feishu.connections().get(0).id();

            feishu.fault(LongConnectionFault.silent());
            await().atMost(Duration.ofSeconds(10)).until(() -> check(bridge).path("data").path("state").asText(),
                    state -> state.equals("RECONNECTING") || state.equals("CONNECTING"));
            assertThat(check(bridge).path("status").asText()).isEqualTo("UP");
            feishu.fault(LongConnectionFault.none());

            await().atMost(Duration.ofSeconds(10)).until(() -> check(bridge).path("data").path("state").asText().equals("CONNECTED"));
            assertThat(feishu.connections()).filteredOn(connection -> connection.id().equals(first))
                    .singleElement().satisfies(connection -> assertThat(connection.state()).isEqualTo("closed"));
            assertThat(feishu.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void feishuRefusingTheAppTakesReadinessDownUntilAnOperatorReconnects() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, FAST)) {
            LongConnectionSandbox feishu = bridge.simulator().longConnection();
            await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 1);

            // the app secret was rotated in the console: Feishu refuses the next endpoint request
            feishu.fault(LongConnectionFault.refuseEndpoint(10014, 0));
            feishu.dropConnections();

            await().atMost(Duration.ofSeconds(10)).until(() -> check(bridge).path("status").asText().equals("DOWN"));
            assertThat(check(bridge).path("data").path("state").asText()).isEqualTo("REFUSED");
            assertThat(JSON.readTree(bridge.get(bridge.management("/observe/health")).body()).path("status").asText())
                    .isEqualTo("DOWN");
            int endpointRequestsWhileRefused = feishu.connections().size();

            feishu.fault(LongConnectionFault.none());
            ObjectName name = new ObjectName("dev.hrbridge:context=hr-bridge-" + bridge.api("/").getPort()
                    + ",type=LongConnection,app=default");
            ManagementFactory.getPlatformMBeanServer().invoke(name, "reconnect", new Object[0], new String[0]);

            await().atMost(Duration.ofSeconds(10)).until(() -> check(bridge).path("status").asText().equals("UP")
                    && check(bridge).path("data").path("state").asText().equals("CONNECTED"));
            assertThat(endpointRequestsWhileRefused).isEqualTo(1);
        }
    }

    static JsonNode check(TestBridge bridge) throws Exception {
        JsonNode health = JSON.readTree(bridge.get(bridge.management("/observe/health?exposureLevel=full&data=true")).body());
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("feishu-long-connection-default")) {
                return check;
            }
        }
        throw new AssertionError("no long-connection check in " + health);
    }
}

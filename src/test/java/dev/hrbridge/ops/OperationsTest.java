package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.feishu.TenantTokenCache;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** What operators rely on: the project's MBeans, metrics, the API token, and a management port on loopback. */
class OperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static FeishuPush feishu;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of());
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void theInboxMBeanCountsTrafficOnThePlatformMBeanServer() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName inbox = new ObjectName("dev.hrbridge:context=" + bridge.bridge().context().getManagementName() + ",type=Inbox");
        long before = (Long) server.getAttribute(inbox, "Unhandled");
        feishu.plain(FeishuPush.v2Event("test.unrouted_v1", UUID.randomUUID().toString(), "t", "{}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> (Long) server.getAttribute(inbox, "Unhandled") > before);
        assertThat((Long) server.getAttribute(inbox, "Pending")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void theProjectMBeansAreReadAndInvokedOverJolokia() throws Exception {
        String context = bridge.bridge().context().getManagementName();
        HttpResponse<String> read = bridge.get(bridge.management("/observe/jolokia/read/dev.hrbridge:context=" + context + ",type=Inbox"));
        assertThat(JSON.readTree(read.body()).path("value").has("OldestOpenAgeSeconds")).isTrue();

        TenantTokenCache tokens = bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class);
        tokens.token();
        assertThat(tokens.expiresAt()).isNotNull();
        HttpResponse<String> invalidate = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.management("/observe/jolokia"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"dev.hrbridge:context=" + context
                        + ",type=TenantToken\",\"operation\":\"invalidate\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(invalidate.body()).path("status").asInt()).isEqualTo(200);
        assertThat(tokens.expiresAt()).isNull();
        HttpResponse<String> token = bridge.get(bridge.management("/observe/jolokia/read/dev.hrbridge:context=" + context
                + ",type=TenantToken/Refreshes"));
        assertThat(JSON.readTree(token.body()).path("value").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void metricsCarryPerRouteAndPerApiSeriesAfterTraffic() throws Exception {
        feishu.plain(FeishuPush.v2Event("test.unrouted_v1", UUID.randomUUID().toString(), "t", "{}"));
        bridge.bridge().context().createProducerTemplate().send("direct:feishu-call", exchange -> {
            exchange.getIn().setHeader("HrbApi", "test.unknown");
            exchange.getIn().setHeader("HrbHttpMethod", "POST");
            exchange.getIn().setHeader("HrbPath", "/open-apis/test/unknown");
            exchange.getIn().setBody("{}");
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = bridge.get(bridge.management("/observe/metrics")).body();
            assertThat(metrics).contains("routeId=\"feishu-webhook\"").contains("routeId=\"event-router\"")
                    .contains("hrb_outbound_calls_total{api=\"test.unknown\"")
                    .contains("hrb_outbound_latency_seconds_bucket{api=\"test.unknown\"")
                    .contains("hrb_inbox_messages{state=\"UNHANDLED\"}");
        });
    }

    @Test
    void everyApiPathAnswers401WithoutTheRightToken() throws Exception {
        List<String> checked = new java.util.ArrayList<>();
        for (Route route : bridge.bridge().context().getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http && http.getPath().startsWith("/api/")) {
                String method = Optional.ofNullable(http.getHttpMethodRestrict()).orElse("GET").split(",")[0];
                String path = http.getPath().replaceAll("\\{[^}]+}", "x");
                for (String authorization : new String[]{null, "Bearer wrong-token", "Basic c2FuZGJveC10b2tlbg==", "Bearer "}) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(bridge.api(path))
                            .method(method, HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
                    if (authorization != null) {
                        request.header("Authorization", authorization);
                    }
                    HttpResponse<String> answer = TestBridge.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(method + " " + path + " with " + authorization).isEqualTo(401);
                    JsonNode error = JSON.readTree(answer.body());
                    assertThat(error.path("error").asText()).isEqualTo("unauthorized");
                }
                checked.add(method + " " + path);
            }
        }
        assertThat(checked).contains("GET /api/v1/events", "POST /api/v1/iot/employees");
    }

    @Test
    void theManagementPortIsNotReachableOnANonLoopbackAddress() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> { try { return i.isUp() && !i.isLoopback(); } catch (Exception e) { return false; } })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        assumeThat(external).as("this machine has a non-loopback IPv4 address").isPresent();
        int port = bridge.management("/").getPort();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external.get(), port), 2000);
            }
        }).isInstanceOf(ConnectException.class);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
    }

    @Test
    void unknownPathsWrongMethodsAndOversizedBodiesGetJsonErrorsFromTheServer() throws Exception {
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/no/such/path")).build(),
                HttpResponse.BodyHandlers.ofString()), 404, "not_found");
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/webhooks/feishu/events")).build(),
                HttpResponse.BodyHandlers.ofString()), 405, "method_not_allowed");
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/dead-letters/x"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()), 405,
                "method_not_allowed");
        byte[] fiveMiB = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(fiveMiB, (byte) ' ');
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/webhooks/feishu/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(fiveMiB)).build(),
                HttpResponse.BodyHandlers.ofString()), 413, "body_too_large");
    }

    private static void assertJsonError(HttpResponse<String> answer, int status, String error) throws Exception {
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo(error);
    }

    @Test
    void healthReportsTheDatabaseAndTheDegradedChecks() throws Exception {
        JsonNode health = JSON.readTree(bridge.get(bridge.management("/observe/health?exposureLevel=full")).body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("checks").findValuesAsText("name")).contains("database", "feishu-token", "dead-letters");
    }
}

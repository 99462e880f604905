package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.inbox.MessageIds;
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
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
    void aDeadLetterIsCountedAndReplayedOverJmx() throws Exception {
        String context = bridge.bridge().context().getManagementName();
        String mbean = "dev.hrbridge:context=" + context + ",type=DeadLetters";
        long before = JSON.readTree(bridge.get(bridge.management("/observe/jolokia/read/" + mbean + "/Dead")).body())
                .path("value").asLong();
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        String eventId = UUID.randomUUID().toString();
        InboxMessage.New message = new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT, "test:" + eventId,
                "event-router", "test.unrouted_v1", eventId, FeishuPush.v2Event("test.unrouted_v1", eventId, "t", "{}"))
                .claimedBy("operations-test");
        inbox.write(List.of(message), List.of(), Duration.ofMinutes(1), Instant.now());
        inbox.bury(inbox.find(message.id()).orElseThrow(), "test-flow", new InboxRepository.Finish(message.id(), "operations-test",
                new InboxRepository.Result(InboxMessage.State.DEAD, null, true, "retries_exhausted", 503, null, null, "HTTP 503")),
                MessageIds.next(), null, Instant.now());
        assertThat(JSON.readTree(bridge.get(bridge.management("/observe/jolokia/read/" + mbean + "/Dead")).body())
                .path("value").asLong()).isEqualTo(before + 1);
        String letterId;
        try (var connection = inbox.dataSource().getConnection();
             var select = connection.prepareStatement("SELECT id FROM dead_letter WHERE message_id = ?")) {
            select.setString(1, message.id());
            var rows = select.executeQuery();
            rows.next();
            letterId = rows.getString(1);
        }
        String replayed = exec(mbean, "replay", letterId).path("value").asText();
        assertThat(replayed).contains("\"state\":\"replayed\"");
        JsonNode again = exec(mbean, "replay", letterId);
        assertThat(again.path("status").asInt()).isEqualTo(409);
        assertThat(again.path("error").asText()).startsWith("already_replayed");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                inbox.find(message.id()).orElseThrow().state() == InboxMessage.State.UNHANDLED);
    }

    @Test
    void theQrCodeSweepRunsNowOverJmxAndReportsItsResult() throws Exception {
        String mbean = "dev.hrbridge:context=" + bridge.bridge().context().getManagementName() + ",type=QrCodes";
        assertThat(exec(mbean, "runSweepNow").path("status").asInt()).isEqualTo(200);
        JsonNode qr = JSON.readTree(bridge.get(bridge.management("/observe/jolokia/read/" + mbean)).body()).path("value");
        assertThat(qr.path("LastSweepAt").asText()).isNotEmpty();
        assertThat(qr.path("LastSweepResult").asText()).endsWith("rotation(s) scheduled");
        assertThat(qr.has("InactiveNotReplaced")).isTrue();
    }

    private static JsonNode exec(String mbean, String operation, String... arguments) throws Exception {
        StringBuilder body = new StringBuilder("{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation
                + "\",\"arguments\":[");
        for (int i = 0; i < arguments.length; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(arguments[i]).append('"');
        }
        body.append("]}");
        return JSON.readTree(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.management("/observe/jolokia"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void metricsCarryPerRouteAndPerApiSeriesAfterTraffic() throws Exception {
        feishu.plain(FeishuPush.v2Event("test.unrouted_v1", UUID.randomUUID().toString(), "t", "{}"));
        bridge.bridge().context().createProducerTemplate().send(
                "kamelet:feishu-openapi-action?api=test.unknown&method=POST&path=/open-apis/test/unknown",
                exchange -> exchange.getIn().setBody("{}"));
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
                // the right token, but in the URL, where access logs keep it
                HttpResponse<String> inQuery = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api(path + "?Authorization="
                                + URLEncoder.encode("Bearer sandbox-token", StandardCharsets.UTF_8)))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(inQuery.statusCode()).as(method + " " + path + " with the token in the query").isEqualTo(401);
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
        // webhooks take up to hrb.webhook.max-body-bytes (8 MiB), API bodies 1 MiB
        byte[] nineMiB = new byte[9 * 1024 * 1024];
        java.util.Arrays.fill(nineMiB, (byte) ' ');
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/webhooks/feishu/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(nineMiB)).build(),
                HttpResponse.BodyHandlers.ofString()), 413, "body_too_large");
        byte[] twoMiB = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(twoMiB, (byte) ' ');
        assertJsonError(TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/offboardings/revoke"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(twoMiB)).build(),
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

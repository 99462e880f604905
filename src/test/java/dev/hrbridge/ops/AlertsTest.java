package dev.hrbridge.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.REVOKE;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN_PATH;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.feishuError;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The alert webhook ({@code hrb.alerts.url}, a WireMock receiver): a message gone DEAD is one POST signed as the QR-code
 * notification is, with its message id, flow and platform code; a flow whose every attempt fails for
 * {@code hrb.alerts.flow-failing-after} is one alert, then one recovery alert once it succeeds again. The secret never
 * reaches a log line.
 */
class AlertsTest {

    static final String API_TOKEN = "alerts-token";
    static final String SECRET = "alerts-secret-" + UUID.randomUUID();
    static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static WireMockServer feishu;
    static WireMockServer receiver;
    static TestBridge bridge;
    static ApiClient api;
    static final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(TOKEN)));
        receiver = new WireMockServer(options().dynamicPort());
        receiver.start();
        receiver.stubFor(post("/alerts").willReturn(ok()));
        bridge = TestBridge.start(dir, Map.ofEntries(
                Map.entry("feishu.base-url", feishu.baseUrl()),
                Map.entry("feishu.app-id", FeishuPush.APP_ID),
                Map.entry("feishu.app-secret", "alerts-app-secret"),
                Map.entry("hrb.api.token", API_TOKEN),
                Map.entry("hrb.inbox.poll-interval-ms", "50"),
                Map.entry("hrb.alerts.url", receiver.baseUrl() + "/alerts"),
                Map.entry("hrb.alerts.secret", SECRET),
                Map.entry("hrb.alerts.flow-failing-after", "2s"),
                Map.entry("hrb.flows.refresh-ms", "200"),
                Map.entry("hrb.retry.offboarding-revoke.max-attempts", "100"),
                Map.entry("hrb.retry.offboarding-revoke.initial-delay-ms", "100"),
                Map.entry("hrb.retry.offboarding-revoke.max-delay-ms", "200")));
        api = new ApiClient(bridge, API_TOKEN);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
        if (bridge != null) {
            bridge.close();
        }
        feishu.stop();
        receiver.stop();
    }

    @Test
    void aMessageGoneDeadIsOneSignedPostWithItsIdFlowAndPlatformCode() throws Exception {
        String eventId = eventFeishuRefuses();

        LoggedRequest alert = await().atMost(Duration.ofSeconds(10)).until(() -> alerts("message.dead").stream()
                .filter(request -> body(request).path("trace_id").asText().equals(eventId)).findFirst().orElse(null),
                java.util.Objects::nonNull);
        JsonNode body = body(alert);

        String messageId = body.path("message_id").asText();
        assertThat(api.getJson("/api/v1/events/" + messageId).path("event_id").asText()).isEqualTo(eventId);
        assertThat(body.path("flow").asText()).isEqualTo("eco-account-binding");
        assertThat(body.path("platform_code").asInt()).isEqualTo(1002002);
        assertThat(body.path("platform_msg").asText()).isEqualTo("Parameter illegal");
        assertThat(body.path("event_type").asText()).isEqualTo("hire.eco_account.created_v1");
        assertThat(body.path("dead_letter_id").asText()).isEqualTo(
                api.getJson("/api/v1/events/" + messageId).path("dead_letters").get(0).path("id").asText());
        assertThat(alert.getHeader("X-HRB-Signature")).isEqualTo(hmac(alert.getBody()));
        assertThat(alert.getHeader("Content-Type")).startsWith("application/json");
        // one POST for one dead message, however long one waits
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> alerts("message.dead").stream()
                .filter(request -> body(request).path("message_id").asText().equals(messageId)).count() == 1);
        assertNoSecretLogged();
    }

    @Test
    void aFlowFailingForTheWindowIsOneAlertAndItsRecoveryAnother() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(feishuError(400, 1160101, "unknown error")));
        String request = revoke(api, id);

        LoggedRequest failing = await().atMost(Duration.ofSeconds(10)).until(() -> revokeAlerts("flow.failing").stream()
                .findFirst().orElse(null), java.util.Objects::nonNull);
        JsonNode body = body(failing);
        assertThat(body.path("platform_code").asInt()).isEqualTo(1160101);
        assertThat(body.path("window_seconds").asLong()).isEqualTo(2);
        assertThat(java.time.Instant.parse(body.path("failing_since").asText()))
                .isBefore(java.time.Instant.parse(body.path("at").asText()).minusSeconds(2));
        assertThat(failing.getHeader("X-HRB-Signature")).isEqualTo(hmac(failing.getBody()));
        assertThat(api.getJson("/api/v1/flows/offboarding-revoke").path("failing_since").asText()).isNotBlank();
        // still failing: no second alert for the same episode
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> revokeAlerts("flow.failing").size() == 1);

        feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        awaitState(api, request, "SUCCEEDED");

        await().atMost(Duration.ofSeconds(10)).until(() -> revokeAlerts("flow.recovered").size() == 1);
        assertThat(revokeAlerts("flow.failing")).hasSize(1);
        // the flows' state as of the last refresh
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode flow = api.getJson("/api/v1/flows/offboarding-revoke");
            assertThat(flow.has("failing_alerted_at")).isFalse();
            assertThat(flow.has("failing_since")).isFalse();
            assertThat(flow.path("last_success_at").asText()).isNotBlank();
        });
        assertNoSecretLogged();
    }

    @Test
    void anAlertTheReceiverRefusesForNowIsSentAgain() throws Exception {
        var down = receiver.stubFor(post("/alerts").withRequestBody(matchingJsonPath("$.event", equalTo("message.dead")))
                .inScenario("down").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        String eventId = eventFeishuRefuses();

        await().atMost(Duration.ofSeconds(15)).until(() -> alerts("message.dead").stream()
                .filter(request -> body(request).path("trace_id").asText().equals(eventId)).count() == 2);
        List<LoggedRequest> sent = alerts("message.dead").stream()
                .filter(request -> body(request).path("trace_id").asText().equals(eventId)).toList();
        assertThat(sent.get(0).getBodyAsString()).isEqualTo(sent.get(1).getBodyAsString());
        receiver.removeStub(down);
    }

    /** A Hire eco account event whose catalogue push Feishu refuses for good: its message goes DEAD. */
    private static String eventFeishuRefuses() throws Exception {
        String eventId = UUID.randomUUID().toString().replace("-", "");
        String accountId = newOffboardingId();
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).withRequestBody(matchingJsonPath("$.account_id", equalTo(accountId)))
                .willReturn(feishuError(400, 1002002, "Parameter illegal")));
        new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(FeishuPush.v2Event("hire.eco_account.created_v1",
                eventId, "t", "{\"scope\":1,\"account_id\":\"" + accountId + "\",\"account_name\":\"a\",\"usage_list\":[1],"
                        + "\"custom_field_list\":[{\"key\":\"ord_id\",\"value\":\"7233333\"}]}"));
        return eventId;
    }

    private static void assertNoSecretLogged() {
        assertThat(log.list).isNotEmpty().noneMatch(event -> event.getFormattedMessage().contains(SECRET));
        assertThat(SecretMasking.masked("secret " + SECRET)).isEqualTo("secret ****");
    }

    private static List<LoggedRequest> alerts(String event) {
        return receiver.findAll(postRequestedFor(urlPathEqualTo("/alerts"))).stream()
                .filter(request -> body(request).path("event").asText().equals(event)).toList();
    }

    private static List<LoggedRequest> revokeAlerts(String event) {
        return alerts(event).stream().filter(request -> body(request).path("flow").asText().equals("offboarding-revoke"))
                .toList();
    }

    private static JsonNode body(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}

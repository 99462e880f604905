package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.sandbox.SandboxFault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The onboarding QR code flow of a sandbox instance: create through the simulated Feishu (seed 001), an inactive
 * event (seed 000) pushed to the webhook, the rotation and its signed notification (received by WireMock).
 */
class OnboardingQrCodeFlowTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "qr-test-token";
    static final String NOTIFY_SECRET = "notify-secret-never-logged";
    static final String DIMENSIONS = "[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"7147562782945478177\"}},"
            + "{\"dimension\":{\"api_name\":\"multi_select_field__c\"},\"value\":{\"multi_select_value\":[\"7147562782945478177\",\"7147562782945478190\"]}},"
            + "{\"dimension\":{\"api_name\":\"bool_field__c\"},\"value\":{\"bool_value\":true}}]";

    @TempDir
    static Path dir;

    static WireMockServer receiver;
    static TestBridge bridge;
    static FeishuPush feishu;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WireMockServer(options().dynamicPort());
        receiver.start();
        bridge = TestBridge.start(dir, Map.of(
                "hrb.api.token", TOKEN,
                "qr.notify.url", receiver.baseUrl() + "/hooks/qr",
                "qr.notify.secret", NOTIFY_SECRET,
                "qr.sweep.cron", "0 0 3 1 1 ?",
                "hrb.retry.qr-rotate.max-attempts", "2",
                "hrb.retry.qr-rotate.initial-delay-ms", "50",
                "hrb.retry.qr-rotate.max-delay-ms", "100"));
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        receiver.stop();
    }

    @BeforeEach
    void freshReceiver() {
        receiver.resetAll();
        receiver.stubFor(post("/hooks/qr").willReturn(ok()));
        bridge.simulator().clearFaults();
    }

    @Test
    void anInactiveCodeIsReplacedOnceWithEqualDimensionsAndTheRotationIsNotifiedSigned() throws Exception {
        JsonNode created = created();
        String oldId = created.path("id").asText();
        assertThat(created.path("active").asBoolean()).isTrue();
        assertThat(created.path("dimension_value_list").get(0).path("dimension").path("display_name").has("zh_cn")).isTrue();

        HttpResponse<String> ack = feishu.plain(inactiveEvent(UUID.randomUUID().toString(), created));
        assertThat(ack.statusCode()).isEqualTo(200);

        JsonNode replacement = awaitReplacementOf(oldId);
        assertThat(replacement.path("replaces").asText()).isEqualTo(oldId);
        assertThat(replacement.path("status").asText()).isEqualTo("active");
        assertThat(replacement.path("dimension_value_list")).isEqualTo(JSON.readTree(DIMENSIONS));
        JsonNode old = listed("").get(oldId);
        assertThat(old.path("status").asText()).isEqualTo("replaced");
        assertThat(old.path("replaced_by").asText()).isEqualTo(replacement.path("id").asText());
        assertThat(listed("?status=replaced")).containsKey(oldId).doesNotContainKey(replacement.path("id").asText());

        await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr"))).isEmpty());
        LoggedRequest notified = receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr"))).get(0);
        assertThat(notified.getHeader("X-HRB-Signature")).isEqualTo(hmacSha256Hex(NOTIFY_SECRET, notified.getBody()));
        assertThat(notified.containsHeader("HrbTraceId")).isFalse();
        JsonNode body = JSON.readTree(notified.getBody());
        assertThat(body.path("event").asText()).isEqualTo("qr_code.rotated");
        assertThat(body.path("old").path("id").asText()).isEqualTo(oldId);
        assertThat(body.path("old").path("url").asText()).isEqualTo(created.path("url").asText());
        assertThat(body.path("new").path("id").asText()).isEqualTo(replacement.path("id").asText());
        assertThat(body.path("new").path("png").asText()).isEqualTo(replacement.path("png").asText());
    }

    @Test
    void theSameEventThreeTimesAndAnotherEventForTheCodeStillMakeOneReplacement() throws Exception {
        JsonNode created = created();
        String oldId = created.path("id").asText();
        String event = inactiveEvent(UUID.randomUUID().toString(), created);
        for (int i = 0; i < 3; i++) {
            assertThat(feishu.plain(event).statusCode()).isEqualTo(200);
        }
        awaitReplacementOf(oldId);
        assertThat(feishu.plain(inactiveEvent(UUID.randomUUID().toString(), created)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox().list(InboxMessage.Kind.EVENT, InboxMessage.State.PROCESSING, null, 10).isEmpty()
                && inbox().list(InboxMessage.Kind.EVENT, InboxMessage.State.PENDING, null, 10).isEmpty());

        assertThat(listed("").values()).filteredOn(code -> code.path("replaces").asText().equals(oldId)).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr")))).hasSize(1));
    }

    @Test
    void aRotationThatDiedWhileFeishuWasDownIsCompletedByTheNextSweep() throws Exception {
        JsonNode created = created();
        String oldId = created.path("id").asText();
        bridge.simulator().injectFault(SandboxFault.answer("/open-apis/corehr/", 0, 503, 1160101, "internal error"));

        feishu.plain(inactiveEvent(UUID.randomUUID().toString(), created));
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox().findByDedupKey("qr-rotate:" + oldId)
                .map(task -> task.state() == InboxMessage.State.DEAD).orElse(false));
        assertThat(listed("").get(oldId).path("status").asText()).isEqualTo("inactive");

        bridge.simulator().clearFaults();
        HttpResponse<String> sweep = send(HttpRequest.newBuilder(bridge.api("/api/v1/onboarding-qr-codes/sweep"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(sweep.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(sweep.body()).path("scheduled").asInt()).isEqualTo(1);

        JsonNode replacement = awaitReplacementOf(oldId);
        assertThat(replacement.path("dimension_value_list")).isEqualTo(JSON.readTree(DIMENSIONS));
        assertThat(inbox().findByDedupKey("qr-rotate:" + oldId).orElseThrow().state()).isEqualTo(InboxMessage.State.SUCCEEDED);
    }

    @Test
    void anUnmanagedInactiveCodeIsRecordedAndNotifiedNotRecreated() throws Exception {
        JsonNode stranger = JSON.readTree("{\"id\":\"6892698621939026184\",\"url\":\"https://open.feishu.cn/people/welcome/scan?signKey=x\","
                + "\"png\":\"https://open.feishu.cn/people/api/onboarding/scan_code/png?scan_code=x\"}");
        feishu.plain(inactiveEvent(UUID.randomUUID().toString(), stranger));

        await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr"))).isEmpty());
        JsonNode body = JSON.readTree(receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr"))).get(0).getBodyAsString());
        assertThat(body.path("event").asText()).isEqualTo("qr_code.inactive");
        assertThat(body.path("old").path("id").asText()).isEqualTo("6892698621939026184");
        assertThat(body.has("new")).isFalse();
        assertThat(listed("")).doesNotContainKey("6892698621939026184");
        assertThat(inbox().findByDedupKey("qr-rotate:6892698621939026184")).isEmpty();
    }

    @Test
    void codesTooLongToBeFeishusOrToStoreDoNotStopTheEventsOtherCodes() throws Exception {
        JsonNode created = created();
        String oldId = created.path("id").asText();
        JsonNode overlongId = JSON.readTree("{\"id\":\"" + "9".repeat(65) + "\",\"url\":\"u\",\"png\":\"p\"}");
        JsonNode overlongLinks = JSON.readTree("{\"id\":\"6892698621939026185\",\"url\":\"https://x/" + "u".repeat(3000)
                + "\",\"png\":\"https://x/" + "p".repeat(3000) + "\"}");
        String eventId = UUID.randomUUID().toString();

        assertThat(feishu.plain(inactiveEvent(eventId, overlongId, overlongLinks, created)).statusCode()).isEqualTo(200);

        awaitReplacementOf(oldId);
        InboxMessage event = inbox().findByDedupKey("feishu:" + FeishuPush.APP_ID + ":corehr.onboarding_qr_code.inactive_v2:"
                + eventId).orElseThrow();
        assertThat(event.state()).isEqualTo(InboxMessage.State.SUCCEEDED);
        assertThat(event.attempts()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.findAll(postRequestedFor(urlEqualTo("/hooks/qr"))).stream()
                .anyMatch(request -> request.getBodyAsString().contains("6892698621939026185")));
    }

    @ParameterizedTest(name = "{0} is refused naming {1}")
    @CsvSource(delimiter = '|', value = {
            "{}|dimension_value_list",
            "{\"dimension_value_list\":[]}|dimension_value_list",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"\"},\"value\":{\"bool_value\":true}}]}|dimension_value_list[0].dimension.api_name",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"bool_value\":true}},{\"dimension\":{\"api_name\":\"b\"},\"value\":{}}]}|dimension_value_list[1].value",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"select_value\":\"1\",\"bool_value\":true}}]}|dimension_value_list[0].value",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"multi_select_value\":[]}}]}|dimension_value_list[0].value.multi_select_value",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"multi_select_value\":[\"x\",7]}}]}|dimension_value_list[0].value.multi_select_value[1]",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"bool_value\":\"yes\"}}]}|dimension_value_list[0].value.bool_value",
            "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"select_value\":5}}]}|dimension_value_list[0].value.select_value"})
    void anInvalidBodyIs422NamingTheField(String body, String field) throws Exception {
        HttpResponse<String> response = create(body);

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.path("error").asText()).isEqualTo("invalid_field");
        assertThat(error.path("field").asText()).isEqualTo(field);
        assertThat(listed("")).allSatisfy((id, code) -> assertThat(code.path("dimension_value_list").toString()).doesNotContain("\"a\""));
    }

    @Test
    void moreThan1000DimensionValuesAre422() throws Exception {
        String entry = "{\"dimension\":{\"api_name\":\"a\"},\"value\":{\"bool_value\":true}}";
        String body = "{\"dimension_value_list\":[" + String.join(",", java.util.Collections.nCopies(1001, entry)) + "]}";
        assertThat(JSON.readTree(create(body).body()).path("field").asText()).isEqualTo("dimension_value_list");
    }

    @Test
    void feishusInvalidParamsAndUninitialisedDimensionsAre422WithTheirCode() throws Exception {
        HttpResponse<String> uninitialised = create("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":"
                + "\"uninitialised_dimension__c\"},\"value\":{\"bool_value\":true}}]}");
        assertThat(uninitialised.statusCode()).isEqualTo(422);
        JsonNode error = JSON.readTree(uninitialised.body());
        assertThat(error.path("error").asText()).isEqualTo("qr_code_dimensions_not_initialised");
        assertThat(error.path("platform_code").asInt()).isEqualTo(1161002);
        assertThat(error.path("platform_msg").asText()).isNotBlank();

        // 1161001: well formed for our validation, but the sandbox tenant has no such dimension
        HttpResponse<String> invalid = create("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"no_such_dimension\"},"
                + "\"value\":{\"bool_value\":true}}]}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(invalid.body()).path("error").asText()).isEqualTo("invalid_qr_code_parameters");
        assertThat(JSON.readTree(invalid.body()).path("platform_code").asInt()).isEqualTo(1161001);
        assertThat(JSON.readTree(invalid.body()).path("platform_msg").asText()).contains("no_such_dimension");
    }

    @Test
    void aFeishuThatStaysDownIs502AndNothingIsStored() throws Exception {
        int before = listed("").size();
        bridge.simulator().injectFault(SandboxFault.answer("/open-apis/corehr/", 1, 503, 1160101, "internal error"));

        HttpResponse<String> response = create("{\"dimension_value_list\":" + DIMENSIONS + "}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_error");
        assertThat(listed("")).hasSize(before);
    }

    @Test
    void anUnknownStatusFilterIs422() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(bridge.api("/api/v1/onboarding-qr-codes?status=gone")).GET());
        assertThat(response.statusCode()).isEqualTo(422);
    }

    // --- helpers

    static JsonNode created() throws Exception {
        HttpResponse<String> response = create("{\"dimension_value_list\":" + DIMENSIONS + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    static HttpResponse<String> create(String body) throws Exception {
        return send(HttpRequest.newBuilder(bridge.api("/api/v1/onboarding-qr-codes"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return TestBridge.HTTP.send(request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The listed codes by id. */
    static Map<String, JsonNode> listed(String query) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(bridge.api("/api/v1/onboarding-qr-codes" + query)).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, JsonNode> codes = new java.util.LinkedHashMap<>();
        JSON.readTree(response.body()).path("items").forEach(code -> codes.put(code.path("id").asText(), code));
        return codes;
    }

    static JsonNode awaitReplacementOf(String oldId) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> listed("").values().stream()
                .filter(code -> code.path("replaces").asText().equals(oldId)).findFirst().orElse(null), code -> code != null);
    }

    static String inactiveEvent(String eventId, JsonNode... codes) {
        List<String> entries = java.util.Arrays.stream(codes).map(code -> "{\"id\":\"" + code.path("id").asText() + "\",\"png\":\""
                + code.path("png").asText() + "\",\"url\":\"" + code.path("url").asText() + "\"}").toList();
        return FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", eventId, "any-token",
                "{\"code_lists\":[" + String.join(",", entries) + "]}");
    }

    static InboxRepository inbox() {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
    }

    static String hmacSha256Hex(String key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}

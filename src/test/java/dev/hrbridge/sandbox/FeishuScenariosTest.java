package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README's table "Sandbox scenarios: Feishu", row by row: each code documented for seeds 001, 002, the Hire pushes
 * of seed 003 and the tenant token, produced by the simulator through a real HR Bridge in sandbox mode, ends as
 * README and SPEC promise: the answer to the caller of the synchronous QR create, the final state of a revoke
 * request, the binding and inbox outcome of an eco account.
 */
class FeishuScenariosTest {

    private static final String QR = "/api/v1/onboarding-qr-codes";
    private static final String REVOKE_PATH = "/open-apis/corehr/v2/offboardings/revoke";
    private static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    private static final String COMPANY = "{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"7147562782945478177\"}}";
    private static final AtomicLong OFFBOARDING_IDS = new AtomicLong(7_295_671_727_698_410_000L);

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of(
                "hrb.inbox.poll-interval-ms", "50",
                "hrb.retry.max-attempts", "3",
                "hrb.retry.initial-delay-ms", "20",
                "hrb.retry.max-delay-ms", "40"));
        api = new ApiClient(bridge, "sandbox-token");
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @AfterEach
    void clearFaults() {
        bridge.simulator().clearFaults();
    }

    // --- seed 001, onboarding QR code create: the caller's answer

    @Test
    void qrCreate0WithTheTenantsDimensionsIs201WithFeishusQrCode() throws Exception {
        HttpResponse<String> created = api.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).path("dimension_value_list").get(0).path("dimension").path("display_name").path("en_us").asText())
                .isEqualTo("Company");
    }

    @ParameterizedTest(name = "{0} is 422 invalid_qr_code_parameters")
    @CsvSource(delimiter = '|', value = {
            "a dimension the tenant lacks|{\"dimension\":{\"api_name\":\"no_such_dimension\"},\"value\":{\"bool_value\":true}}",
            "a value of another type|{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"bool_value\":true}}"})
    void qrCreate1161001Is422InvalidQrCodeParameters(String scenario, String entry) throws Exception {
        HttpResponse<String> refused = api.post(QR, "{\"dimension_value_list\":[" + entry + "]}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(json(refused).path("error").asText()).isEqualTo("invalid_qr_code_parameters");
        assertThat(json(refused).path("platform_code").asInt()).isEqualTo(1161001);
        assertThat(json(refused).path("platform_msg").asText()).startsWith("参数无效");
    }

    @Test
    void qrCreate1161002Is422QrCodeDimensionsNotInitialised() throws Exception {
        HttpResponse<String> refused = api.post(QR, "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":"
                + "\"uninitialised_dimension__c\"},\"value\":{\"bool_value\":true}}]}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(json(refused).path("error").asText()).isEqualTo("qr_code_dimensions_not_initialised");
        assertThat(json(refused).path("platform_code").asInt()).isEqualTo(1161002);
    }

    @Test
    void qrCreate99991400AfterFeishus100CreatesAMinuteIs429RateLimitedWithRetryAfter() throws Exception {
        // our own throttle off, so the 101st create reaches the simulated Feishu and meets its limit
        try (TestBridge unthrottled = TestBridge.start(dir.resolve("unthrottled"),
                Map.of("hrb.throttle.corehr.onboarding_qr_codes.create.per-minute", ""))) {
            ApiClient client = new ApiClient(unthrottled, "sandbox-token");
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> created = client.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}");
                assertThat(created.statusCode()).as("create %d: %s", i + 1, created.body()).isEqualTo(201);
            }

            HttpResponse<String> limited = client.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}");

            assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
            assertThat(json(limited).path("error").asText()).isEqualTo("rate_limited");
            assertThat(json(limited).path("platform_code").asInt()).isEqualTo(99991400);
            assertThat(limited.headers().firstValue("Retry-After").map(Integer::parseInt))
                    .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1, 60));
        }
    }

    @Test
    void withTheSandboxsFrequencyLimitsOffFeishuServesAnyRate() throws Exception {
        try (TestBridge unlimited = TestBridge.start(dir.resolve("unlimited"), Map.of(
                "hrb.throttle.corehr.onboarding_qr_codes.create.per-minute", "", "hrb.sandbox.frequency-limits", "false"))) {
            ApiClient client = new ApiClient(unlimited, "sandbox-token");
            for (int i = 0; i < 101; i++) {
                HttpResponse<String> created = client.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}");
                assertThat(created.statusCode()).as("create %d: %s", i + 1, created.body()).isEqualTo(201);
            }
        }
    }

    // --- tenant token: every flow; shown on the synchronous QR create

    @Test
    void aRevokedTenantToken99991663IsDroppedFetchedAnewAndTheCallRepeatedOnce() throws Exception {
        int fetchesBefore = bridge.simulator().feishu().tokenRequests();
        HttpResponse<String> revoked = TestBridge.HTTP.send(HttpRequest.newBuilder(
                URI.create(bridge.simulator().baseUrl() + "/sandbox/tenant-tokens")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).isEqualTo(204);

        HttpResponse<String> created = api.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(bridge.simulator().feishu().tokenRequests()).isEqualTo(fetchesBefore + 1);
    }

    @Test
    void aMissingToken99991661IsAnsweredWithAFreshTokenAndTheCallRepeatedOnce() throws Exception {
        fault("/open-apis/corehr/v2/onboarding_qr_codes", 1, 400, 99991661, "Missing access token for authorization.");

        assertThat(api.post(QR, "{\"dimension_value_list\":[" + COMPANY + "]}").statusCode()).isEqualTo(201);
    }

    @ParameterizedTest(name = "token endpoint {0}: the revoke is FAILED with it")
    @CsvSource({"10003, invalid param", "10014, app secret invalid"})
    void badAppCredentialsFromTheTokenEndpointFailTheRequestWithFeishusCode(int code, String msg) throws Exception {
        revokeAllTenantTokens();
        fault(TOKEN_PATH, 0, 400, code, msg);

        JsonNode view = awaitState(revoke(nextOffboardingId()), "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(code);
        assertThat(view.path("platform_msg").asText()).isEqualTo(msg);
    }

    // --- seed 002, offboarding revoke: the request's final state

    @Test
    void revoke0IsSucceededRevokedAndTheSameIdAgain1160202IsSucceededAlreadyRevoked() throws Exception {
        String id = nextOffboardingId();
        JsonNode first = awaitState(revoke(id), "SUCCEEDED");
        JsonNode second = awaitState(revoke(id), "SUCCEEDED");

        assertThat(first.path("outcome").asText()).isEqualTo("revoked");
        assertThat(first.path("platform_code").asInt()).isZero();
        assertThat(second.path("outcome").asText()).isEqualTo("already_revoked");
        assertThat(second.path("platform_code").asInt()).isEqualTo(1160202);
        assertThat(second.path("attempts").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "offboarding {0}: FAILED with {1}, not retried")
    @CsvSource({"123, 1160201, offboarding is not exist",
            "7295671727698470203, 1160203, the department has been disable when withdrawn"})
    void revokeRefusalsTheCallerMustFixAreFailedAfterOneAttempt(String offboardingId, int code, String msg) throws Exception {
        JsonNode view = awaitState(revoke(offboardingId), "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(code);
        assertThat(view.path("platform_msg").asText()).isEqualTo(msg);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void revoke1160102IsFailedAfterOneAttempt() throws Exception {
        // HR Bridge validates what Feishu refuses with 1160102, so only a fault gets it past our API
        fault(REVOKE_PATH, 0, 400, 1160102, "parameter is illegal");

        JsonNode view = awaitState(revoke(nextOffboardingId()), "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(1160102);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "offboarding {0}: {1} once, retried, SUCCEEDED")
    @CsvSource({"7295671727698470204, 1160204", "7295671727698470101, 1160101", "7295671727698470103, 1160103"})
    void revokeTransientCodesAreRetriedAndTheRetrySucceeds(String offboardingId, int code) throws Exception {
        JsonNode view = awaitState(revoke(offboardingId), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).as("%d on the first attempt", code).isEqualTo(2);
    }

    @Test
    void revokeTransientCodeThatNeverClearsIsDeadAfterTheConfiguredAttemptsWithADeadLetter() throws Exception {
        fault(REVOKE_PATH, 0, 400, 1160101, "unknown error");

        String requestId = revoke(nextOffboardingId());
        JsonNode view = awaitState(requestId, "DEAD");

        assertThat(view.path("attempts").asInt()).isEqualTo(3);
        assertThat(view.path("platform_code").asInt()).isEqualTo(1160101);
        assertThat(deadLetter("offboarding-revoke", requestId).path("platform_code").asInt()).isEqualTo(1160101);
    }

    @Test
    void revoke99991400IsRetriedAfterFeishusResetAndSucceeds() throws Exception {
        bridge.simulator().injectFault(SandboxFault.rateLimited(REVOKE_PATH, 1, 1));

        JsonNode view = awaitState(revoke(nextOffboardingId()), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
    }

    // --- seed 003, Hire eco account binding: the catalogue push

    @Test
    void ecoPush0BindsAndPushesTheCustomersCatalogue() throws Exception {
        String account = "7000000000000010007";
        JsonNode event = awaitEvent(pushEcoAccount(account), "SUCCEEDED");

        assertThat(event.path("outcome").asText()).isEqualTo("pushed");
        assertThat(ecoAccount(account).path("push_outcome").asText()).isEqualTo("pushed");
        assertThat(bridge.simulator().feishu().hire().packagesOf(account)).contains("pkg-basic");
    }

    @Test
    void ecoPush1002001SystemErrorIsRetriedAndTheRetryPushes() throws Exception {
        String account = "sandbox-7000000000000000001-1002001";
        JsonNode event = awaitEvent(pushEcoAccount(account), "SUCCEEDED");

        assertThat(event.path("attempts").asInt()).isEqualTo(2);
        assertThat(ecoAccount(account).path("push_outcome").asText()).isEqualTo("pushed");
        assertThat(bridge.simulator().feishu().hire().packagesOf(account)).contains("pkg-basic");
    }

    @Test
    void ecoPush1002002ParameterIllegalIsFailedAtOnceWithADeadLetter() throws Exception {
        String account = "sandbox-7000000000000000002-1002002";
        String eventId = pushEcoAccount(account);
        JsonNode event = awaitEvent(eventId, "DEAD");

        assertThat(event.path("attempts").asInt()).isEqualTo(1);
        JsonNode binding = ecoAccount(account);
        assertThat(binding.path("status").asText()).isEqualTo("bound");
        assertThat(binding.path("push_outcome").asText()).isEqualTo("failed");
        assertThat(binding.path("push_error").asText()).contains("1002002");
        assertThat(deadLetter("eco-account-binding", eventId).path("platform_code").asInt()).isEqualTo(1002002);
    }

    // --- helpers

    private static void fault(String pathPrefix, int count, int status, int code, String msg) {
        bridge.simulator().injectFault(SandboxFault.answer(pathPrefix, count, status, code, msg));
    }

    private static void revokeAllTenantTokens() {
        bridge.simulator().feishu().revokeAllTokens();
    }

    private static String nextOffboardingId() {
        return String.valueOf(OFFBOARDING_IDS.incrementAndGet());
    }

    private static String revoke(String offboardingId) throws Exception {
        HttpResponse<String> accepted = api.post("/api/v1/offboardings/revoke", "{\"offboarding_id\":\"" + offboardingId + "\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return json(accepted).path("request_id").asText();
    }

    private static JsonNode awaitState(String requestId, String state) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.getJson("/api/v1/requests/" + requestId), view -> view.path("state").asText().equals(state));
    }

    /** Pushes {@code hire.eco_account.created_v1} for a background-check account of customer 7233333; its event id. */
    private static String pushEcoAccount(String accountId) throws Exception {
        String eventId = UUID.randomUUID().toString().replace("-", "");
        String event = FeishuPush.v2Event("hire.eco_account.created_v1", eventId, "any-token", """
                {"scope": 1, "account_id": "%s", "account_name": "account %s", "usage_list": [1],
                 "custom_field_list": [{"key": "ord_id", "value": "7233333"}]}""".formatted(accountId, accountId));
        assertThat(new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(event).statusCode()).isEqualTo(200);
        return eventId;
    }

    private static JsonNode awaitEvent(String eventId, String state) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode event : api.getJson("/api/v1/events?limit=1000").path("items")) {
                if (event.path("event_id").asText().equals(eventId) && event.path("state").asText().equals(state)) {
                    return event;
                }
            }
            return null;
        }, Objects::nonNull);
    }

    private static JsonNode ecoAccount(String accountId) throws Exception {
        for (JsonNode account : api.getJson("/api/v1/eco-accounts?limit=1000").path("items")) {
            if (account.path("account_id").asText().equals(accountId)) {
                return account;
            }
        }
        throw new AssertionError("eco account " + accountId + " not listed");
    }

    private static JsonNode deadLetter(String flow, String traceId) throws Exception {
        for (JsonNode letter : api.getJson("/api/v1/dead-letters?flow=" + flow + "&limit=1000").path("items")) {
            if (letter.path("trace_id").asText().equals(traceId)) {
                return letter;
            }
        }
        throw new AssertionError("no dead letter of " + flow + " for " + traceId);
    }
}

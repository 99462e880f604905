package dev.hrbridge.offboarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/offboardings/revoke} end to end against a stand-in Feishu (WireMock on a real port): the
 * request is answered 202, runs through the inbox and the feishu-call route, and {@code GET /api/v1/requests/{id}}
 * shows what SPEC §3's code mapping made of Feishu's answer, retries included.
 */
public class OffboardingRevokeFlowTest {

    public static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    public static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";
    static final String API = "/api/v1/offboardings/revoke";
    private static final AtomicLong IDS = new AtomicLong(7095671727698400000L);

    @TempDir
    static Path dir;

    static WireMockServer feishu;
    static TestBridge bridge;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson("{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-test\",\"expire\":7200}")));
        bridge = TestBridge.start(dir, liveAgainst(feishu, Map.of()));
        api = new ApiClient(bridge, "test-api-token");
        warmUp(bridge);
    }

    /** Fetches the tenant token once, so the first test does not pay a cold JVM's first call against the timeout. */
    public static void warmUp(TestBridge bridge) {
        bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class).token();
    }

    /** A live instance calling {@code feishu}, retrying fast: 2 attempts, ~100 ms apart, 1 s response timeout. */
    public static Map<String, String> liveAgainst(WireMockServer feishu, Map<String, String> more) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.base-url", feishu.baseUrl());
        settings.put("feishu.app-id", "cli_test");
        settings.put("feishu.app-secret", "test-app-secret");
        settings.put("hrb.api.token", "test-api-token");
        settings.put("hrb.inbox.poll-interval-ms", "50");
        settings.put("hrb.http.response-timeout-ms", "1000");
        settings.put("hrb.retry.offboarding-revoke.max-attempts", "2");
        settings.put("hrb.retry.offboarding-revoke.initial-delay-ms", "100");
        settings.put("hrb.retry.offboarding-revoke.max-delay-ms", "200");
        settings.putAll(more);
        return settings;
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (feishu != null) {
            feishu.stop();
        }
    }

    public static String newOffboardingId() {
        return String.valueOf(IDS.incrementAndGet());
    }

    /** Feishu's revoke call for one offboarding id. */
    public static MappingBuilder revokeOf(String offboardingId) {
        return post(urlPathEqualTo(REVOKE)).withRequestBody(matchingJsonPath("$.offboarding_id", equalTo(offboardingId)));
    }

    public static ResponseDefinitionBuilder feishuError(int status, int code, String msg) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":" + code + ",\"msg\":\"" + msg + "\",\"error\":{\"log_id\":\"test\"}}");
    }

    public static List<LoggedRequest> callsFor(WireMockServer feishu, String offboardingId) {
        return feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE))
                .withRequestBody(matchingJsonPath("$.offboarding_id", equalTo(offboardingId))));
    }

    public static String revoke(ApiClient api, String offboardingId) throws Exception {
        HttpResponse<String> response = api.post(API, "{\"offboarding_id\":\"" + offboardingId + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).path("request_id").asText();
    }

    /** The request's view once it reached {@code state}. */
    public static JsonNode awaitState(ApiClient api, String requestId, String state) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.getJson("/api/v1/requests/" + requestId), view -> view.path("state").asText().equals(state));
    }

    @Test
    void code0IsSucceededRevokedAfterOneCallWithSeed002sRequest() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        HttpResponse<String> accepted = api.post(API,
                "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"6982509313466189341\",\"user_id_type\":\"open_id\"}");

        assertThat(accepted.statusCode()).isEqualTo(202);
        String requestId = json(accepted).path("request_id").asText();
        assertThat(json(accepted).path("status_url").asText()).isEqualTo("/api/v1/requests/" + requestId);
        JsonNode view = awaitState(api, requestId, "SUCCEEDED");
        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(view.path("platform_code").asInt()).isEqualTo(0);
        assertThat(view.path("request_id").asText()).isEqualTo(requestId);
        assertThat(view.has("created_at") && view.has("updated_at")).isTrue();
        List<LoggedRequest> calls = callsFor(feishu, id);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).queryParameter("user_id_type").firstValue()).isEqualTo("open_id");
        assertThat(calls.get(0).getHeader("Authorization")).isEqualTo("Bearer t-test");
        assertThat(calls.get(0).getBodyAsString()).isEqualToIgnoringWhitespace(
                "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"6982509313466189341\"}");
    }

    @Test
    void withoutUserIdTypeTheOperatorIsReadAsAPeopleCorehrIdAndNoOperatorIsSent() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        awaitState(api, revoke(api, id), "SUCCEEDED");

        LoggedRequest call = callsFor(feishu, id).get(0);
        assertThat(call.queryParameter("user_id_type").firstValue()).isEqualTo("people_corehr_id");
        assertThat(call.getBodyAsString()).isEqualToIgnoringWhitespace("{\"offboarding_id\":\"" + id + "\"}");
    }

    @Test
    void code1160202AlreadyWithdrawnIsSucceededAlreadyRevoked() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(feishuError(400, 1160202, "offboarding has been withdrawn")));

        JsonNode view = awaitState(api, revoke(api, id), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("already_revoked");
        assertThat(view.path("platform_code").asInt()).isEqualTo(1160202);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(callsFor(feishu, id)).hasSize(1);
    }

    @ParameterizedTest(name = "code {0} is retried, and the retry succeeds")
    @ValueSource(ints = {1160204, 1160101, 1160103})
    void retriedCodesAreTriedAgainAndSucceed(int code) throws Exception {
        String id = newOffboardingId();
        String scenario = "retry-" + code;
        feishu.stubFor(revokeOf(id).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(feishuError(400, code, "try later")).willSetStateTo("healed"));
        feishu.stubFor(revokeOf(id).inScenario(scenario).whenScenarioStateIs("healed")
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        JsonNode view = awaitState(api, revoke(api, id), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(callsFor(feishu, id)).hasSize(2);
    }

    @ParameterizedTest(name = "code {0} is FAILED with Feishu''s code and msg, not retried")
    @CsvSource({
            "1160102, parameter is illegal",
            "1160201, offboarding is not exist",
            "1160203, the department has been disable when withdrawn"})
    void permanentCodesAreFailedWithFeishusCodeAndMsg(int code, String msg) throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(feishuError(400, code, msg)));

        String requestId = revoke(api, id);
        JsonNode view = awaitState(api, requestId, "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(code);
        assertThat(view.path("platform_msg").asText()).isEqualTo(msg);
        assertThat(view.path("http_status").asInt()).isEqualTo(400);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(callsFor(feishu, id)).hasSize(1);
        // a caller who polls sees the failure; no operator needs a dead letter for it
        assertThat(api.getJson("/api/v1/dead-letters?flow=offboarding-revoke").path("items"))
                .noneMatch(letter -> letter.path("trace_id").asText().equals(requestId));
    }

    @Test
    void http500Then200IsOneSuccessAfterOneRetry() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).inScenario("500").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("internal error")).willSetStateTo("up"));
        feishu.stubFor(revokeOf(id).inScenario("500").whenScenarioStateIs("up")
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        JsonNode view = awaitState(api, revoke(api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(callsFor(feishu, id)).hasSize(2);
    }

    @Test
    void http429WithRateLimitResetWaitsThatLongBeforeTheRetry() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).inScenario("429").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(feishuError(429, 99991400, "request trigger frequency limit")
                        .withHeader("x-ogw-ratelimit-reset", "2")).willSetStateTo("free"));
        feishu.stubFor(revokeOf(id).inScenario("429").whenScenarioStateIs("free")
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        JsonNode view = awaitState(api, revoke(api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        List<LoggedRequest> calls = new ArrayList<>(callsFor(feishu, id));
        assertThat(calls).hasSize(2);
        calls.sort((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()));
        long apartMs = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        // the configured backoff is 100-200 ms; only the platform's reset explains two seconds
        assertThat(apartMs).isBetween(1950L, 4000L);
    }

    @Test
    void aHungFeishuTimesOutAndTheRetrySucceeds() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).inScenario("hung").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}").withFixedDelay(4000)).willSetStateTo("awake"));
        feishu.stubFor(revokeOf(id).inScenario("hung").whenScenarioStateIs("awake")
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));

        long begin = System.nanoTime();
        JsonNode view = awaitState(api, revoke(api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(callsFor(feishu, id)).hasSize(2);
        // succeeded through the retry after the 1 s timeout, not by waiting out the 4 s answer
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofMillis(3900));
    }

    @Test
    void anIdempotencyKeySeenBeforeAnswersTheFirstRequestAndFeishuIsCalledOnce() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
        String body = "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"42\"}";

        HttpResponse<String> first = api.post(API, body, "Idempotency-Key", "key-" + id);
        String requestId = json(first).path("request_id").asText();
        awaitState(api, requestId, "SUCCEEDED");
        // the same request again, its fields in another order
        HttpResponse<String> again = api.post(API, "{\"operator_id\":\"42\",\"offboarding_id\":\"" + id + "\"}",
                "Idempotency-Key", "key-" + id);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(json(again)).isEqualTo(json(first));
        assertThat(callsFor(feishu, id)).hasSize(1);
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyAreOneRequest() throws Exception {
        String id = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(() -> api.post(API, "{\"offboarding_id\":\"" + id + "\"}",
                        "Idempotency-Key", "burst-" + id)));
            }
            List<String> requestIds = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                assertThat(answer.get().statusCode()).isEqualTo(202);
                requestIds.add(json(answer.get()).path("request_id").asText());
            }
            assertThat(requestIds).containsOnly(requestIds.get(0));
            awaitState(api, requestIds.get(0), "SUCCEEDED");
            assertThat(callsFor(feishu, id)).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anIdempotencyKeyWithAnotherBodyIs409AndNothingIsCalled() throws Exception {
        String id = newOffboardingId();
        String other = newOffboardingId();
        feishu.stubFor(revokeOf(id).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
        String requestId = json(api.post(API, "{\"offboarding_id\":\"" + id + "\"}", "Idempotency-Key", "reuse-" + id))
                .path("request_id").asText();

        HttpResponse<String> reused = api.post(API, "{\"offboarding_id\":\"" + other + "\"}", "Idempotency-Key", "reuse-" + id);

        assertThat(reused.statusCode()).isEqualTo(409);
        assertThat(json(reused).path("error").asText()).isEqualTo("idempotency_key_reused");
        assertThat(json(reused).path("request_id").asText()).isEqualTo(requestId);
        awaitState(api, requestId, "SUCCEEDED");
        assertThat(callsFor(feishu, other)).isEmpty();
    }

    @ParameterizedTest(name = "{1} is 422 invalid_field {0}")
    @CsvSource(delimiter = '|', value = {
            "offboarding_id | {}",
            "offboarding_id | {\"offboarding_id\":\"\"}",
            "offboarding_id | {\"offboarding_id\":\"70956x\"}",
            "offboarding_id | {\"offboarding_id\":7095671727698478604}",
            "offboarding_id | {\"offboarding_id\":null}",
            "operator_id    | {\"offboarding_id\":\"1\",\"operator_id\":6982509313466189341}",
            "user_id_type   | {\"offboarding_id\":\"1\",\"user_id_type\":\"email\"}",
            "user_id_type   | {\"offboarding_id\":\"1\",\"user_id_type\":1}"})
    void anInvalidFieldIs422NamingItAndNothingIsStored(String field, String body) throws Exception {
        long before = requestCount();

        HttpResponse<String> response = api.post(API, body);

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("error").asText()).isEqualTo("invalid_field");
        assertThat(json(response).path("field").asText()).isEqualTo(field);
        assertThat(requestCount()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() throws Exception {
        for (String body : List.of("{\"offboarding_id\":", "[1]", "")) {
            HttpResponse<String> response = api.post(API, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).path("error").asText()).isEqualTo("malformed_json");
        }
    }

    @Test
    void anotherContentTypeIs415() throws Exception {
        HttpResponse<String> response = api.post(API, "offboarding_id=1", "Content-Type", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).path("error").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void aBlankIdempotencyKeyIs422() throws Exception {
        HttpResponse<String> response = api.post(API, "{\"offboarding_id\":\"1\"}", "Idempotency-Key", " ");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void withoutTheBearerTokenBothEndpointsAre401() throws Exception {
        ApiClient anonymous = new ApiClient(bridge, null);
        ApiClient wrong = new ApiClient(bridge, "not-the-token");

        assertThat(anonymous.post(API, "{\"offboarding_id\":\"1\"}").statusCode()).isEqualTo(401);
        assertThat(wrong.post(API, "{\"offboarding_id\":\"1\"}").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/api/v1/requests/anything").statusCode()).isEqualTo(401);
    }

    @Test
    void anUnknownRequestIs404() throws Exception {
        HttpResponse<String> response = api.get("/api/v1/requests/00000000-0000-0000-0000-000000000000");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).isEqualTo("not_found");
    }

    private static long requestCount() throws Exception {
        InboxRepository repository = bridge.bridge().context().getRegistry()
                .lookupByNameAndType("inboxRepository", InboxRepository.class);
        return repository.list(InboxMessage.Kind.REQUEST, null, 1000).size();
    }
}

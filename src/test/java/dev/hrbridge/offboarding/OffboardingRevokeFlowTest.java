package dev.hrbridge.offboarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.ApiClient;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.offboarding.StubFeishuBridge.API;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.feishuError;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/offboardings/revoke} end to end against a stand-in Feishu (WireMock on a real port): the
 * request is answered 202, runs through the inbox and the feishu-openapi-action Kamelet, and {@code GET /api/v1/requests/{id}}
 * shows what SPEC §3's code mapping made of Feishu's answer, retries included.
 */
class OffboardingRevokeFlowTest {

    @RegisterExtension
    static final StubFeishuBridge stage = new StubFeishuBridge(Map.of());

    @Test
    void code0IsSucceededRevokedAfterOneCallWithSeed002sRequest() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));

        HttpResponse<String> accepted = stage.api.post(API,
                "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"6982509313466189341\",\"user_id_type\":\"open_id\"}");

        assertThat(accepted.statusCode()).isEqualTo(202);
        String requestId = json(accepted).path("request_id").asText();
        assertThat(json(accepted).path("status_url").asText()).isEqualTo("/api/v1/requests/" + requestId);
        JsonNode view = awaitState(stage.api, requestId, "SUCCEEDED");
        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(view.path("platform_code").asInt()).isEqualTo(0);
        assertThat(view.path("request_id").asText()).isEqualTo(requestId);
        assertThat(view.has("created_at") && view.has("updated_at")).isTrue();
        List<LoggedRequest> calls = stage.callsFor(id);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).queryParameter("user_id_type").firstValue()).isEqualTo("open_id");
        assertThat(calls.get(0).getHeader("Authorization")).isEqualTo("Bearer t-test");
        assertThat(calls.get(0).getBodyAsString()).isEqualToIgnoringWhitespace(
                "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"6982509313466189341\"}");
    }

    @Test
    void withoutUserIdTypeTheOperatorIsReadAsAPeopleCorehrIdAndNoOperatorIsSent() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));

        awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        LoggedRequest call = stage.callsFor(id).get(0);
        assertThat(call.queryParameter("user_id_type").firstValue()).isEqualTo("people_corehr_id");
        assertThat(call.getBodyAsString()).isEqualToIgnoringWhitespace("{\"offboarding_id\":\"" + id + "\"}");
    }

    @Test
    void code1160202AlreadyWithdrawnIsSucceededAlreadyRevoked() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(feishuError(400, 1160202, "offboarding has been withdrawn")));

        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("already_revoked");
        assertThat(view.path("platform_code").asInt()).isEqualTo(1160202);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(stage.callsFor(id)).hasSize(1);
    }

    @ParameterizedTest(name = "code {0} is retried, and the retry succeeds")
    @ValueSource(ints = {1160204, 1160101, 1160103})
    void retriedCodesAreTriedAgainAndSucceed(int code) throws Exception {
        String id = newOffboardingId();
        String scenario = "retry-" + code;
        stage.feishu.stubFor(revokeOf(id).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(feishuError(400, code, "try later")).willSetStateTo("healed"));
        stage.feishu.stubFor(revokeOf(id).inScenario(scenario).whenScenarioStateIs("healed")
                .willReturn(okJson(OK)));

        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(stage.callsFor(id)).hasSize(2);
    }

    @ParameterizedTest(name = "code {0} is FAILED with Feishu''s code and msg, not retried")
    @CsvSource({
            "1160102, parameter is illegal",
            "1160201, offboarding is not exist",
            "1160203, the department has been disable when withdrawn"})
    void permanentCodesAreFailedWithFeishusCodeAndMsg(int code, String msg) throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(feishuError(400, code, msg)));

        String requestId = revoke(stage.api, id);
        JsonNode view = awaitState(stage.api, requestId, "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(code);
        assertThat(view.path("platform_msg").asText()).isEqualTo(msg);
        assertThat(view.path("http_status").asInt()).isEqualTo(400);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
        assertThat(stage.callsFor(id)).hasSize(1);
        // a caller who polls sees the failure; no operator needs a dead letter for it
        assertThat(stage.api.getJson("/api/v1/dead-letters?flow=offboarding-revoke").path("items"))
                .noneMatch(letter -> letter.path("trace_id").asText().equals(requestId));
    }

    @Test
    void http500Then200IsOneSuccessAfterOneRetry() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).inScenario("500").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("internal error")).willSetStateTo("up"));
        stage.feishu.stubFor(revokeOf(id).inScenario("500").whenScenarioStateIs("up")
                .willReturn(okJson(OK)));

        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(stage.callsFor(id)).hasSize(2);
    }

    @Test
    void http429WithRateLimitResetWaitsThatLongBeforeTheRetry() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).inScenario("429").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(feishuError(429, 99991400, "request trigger frequency limit")
                        .withHeader("x-ogw-ratelimit-reset", "2")).willSetStateTo("free"));
        stage.feishu.stubFor(revokeOf(id).inScenario("429").whenScenarioStateIs("free")
                .willReturn(okJson(OK)));

        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        List<LoggedRequest> calls = new ArrayList<>(stage.callsFor(id));
        assertThat(calls).hasSize(2);
        calls.sort((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()));
        long apartMs = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        // the configured backoff is 100-200 ms; only the platform's reset explains two seconds
        assertThat(apartMs).isBetween(1950L, 4000L);
    }

    @Test
    void aHungFeishuTimesOutAndTheRetrySucceeds() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).inScenario("hung").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(OK).withFixedDelay(5000)).willSetStateTo("awake"));
        stage.feishu.stubFor(revokeOf(id).inScenario("hung").whenScenarioStateIs("awake")
                .willReturn(okJson(OK)));

        long begin = System.nanoTime();
        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(stage.callsFor(id)).hasSize(2);
        // succeeded through the retry after the 1.5 s timeout, not by waiting out the 5 s answer
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofMillis(4900));
    }

    @ParameterizedTest(name = "{0}, then code 0, is SUCCEEDED after one retry")
    @ValueSource(strings = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE",
            "truncated:{\"code\":0,", "truncated:<html><body>502 Bad Gateway</body></html>"})
    void aConnectionClosedOrAMalformedAnswerIsRetriedAndTheRequestSucceedsOnceFeishuHeals(String fault) throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).inScenario("broken-" + id).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(fault.startsWith("truncated:")
                        ? aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                                .withBody(fault.substring("truncated:".length()))
                        : aResponse().withFault(Fault.valueOf(fault)))
                .willSetStateTo("healed"));
        stage.feishu.stubFor(revokeOf(id).inScenario("broken-" + id).whenScenarioStateIs("healed").willReturn(okJson(OK)));

        JsonNode view = awaitState(stage.api, revoke(stage.api, id), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(2);
        assertThat(stage.callsFor(id)).hasSize(2);
    }

    @Test
    void anIdempotencyKeySeenBeforeAnswersTheFirstRequestAndFeishuIsCalledOnce() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        String body = "{\"offboarding_id\":\"" + id + "\",\"operator_id\":\"42\"}";

        HttpResponse<String> first = stage.api.post(API, body, "Idempotency-Key", "key-" + id);
        String requestId = json(first).path("request_id").asText();
        awaitState(stage.api, requestId, "SUCCEEDED");
        // the same request again, its fields in another order
        HttpResponse<String> again = stage.api.post(API, "{\"operator_id\":\"42\",\"offboarding_id\":\"" + id + "\"}",
                "Idempotency-Key", "key-" + id);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(json(again)).isEqualTo(json(first));
        assertThat(stage.callsFor(id)).hasSize(1);
    }

    @Test
    void anIdempotencyKeyInTheQueryStringIsNoIdempotencyKey() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        String body = "{\"offboarding_id\":\"" + id + "\"}";

        String first = json(stage.api.post(API + "?Idempotency-Key=query-" + id, body, "Idempotency-Key", "header-" + id))
                .path("request_id").asText();
        String second = json(stage.api.post(API + "?Idempotency-Key=header-" + id, body)).path("request_id").asText();

        // only the header names a request: the second call carries none, so it is a request of its own
        assertThat(second).isNotEqualTo(first);
        String repeated = json(stage.api.post(API, body, "Idempotency-Key", "header-" + id)).path("request_id").asText();
        assertThat(repeated).isEqualTo(first);
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyAreOneRequest() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(() -> stage.api.post(API, "{\"offboarding_id\":\"" + id + "\"}",
                        "Idempotency-Key", "burst-" + id)));
            }
            List<String> requestIds = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                assertThat(answer.get().statusCode()).isEqualTo(202);
                requestIds.add(json(answer.get()).path("request_id").asText());
            }
            assertThat(requestIds).containsOnly(requestIds.get(0));
            awaitState(stage.api, requestIds.get(0), "SUCCEEDED");
            assertThat(stage.callsFor(id)).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anIdempotencyKeyWithAnotherBodyIs409AndNothingIsCalled() throws Exception {
        String id = newOffboardingId();
        String other = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        String requestId = json(stage.api.post(API, "{\"offboarding_id\":\"" + id + "\"}", "Idempotency-Key", "reuse-" + id))
                .path("request_id").asText();

        HttpResponse<String> reused = stage.api.post(API, "{\"offboarding_id\":\"" + other + "\"}", "Idempotency-Key", "reuse-" + id);

        assertThat(reused.statusCode()).isEqualTo(409);
        assertThat(json(reused).path("error").asText()).isEqualTo("idempotency_key_reused");
        assertThat(json(reused).path("request_id").asText()).isEqualTo(requestId);
        awaitState(stage.api, requestId, "SUCCEEDED");
        assertThat(stage.callsFor(other)).isEmpty();
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

        HttpResponse<String> response = stage.api.post(API, body);

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("error").asText()).isEqualTo("invalid_field");
        assertThat(json(response).path("field").asText()).isEqualTo(field);
        assertThat(requestCount()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() throws Exception {
        for (String body : List.of("{\"offboarding_id\":", "[1]", "")) {
            HttpResponse<String> response = stage.api.post(API, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).path("error").asText()).isEqualTo("malformed_json");
        }
    }

    @Test
    void anotherContentTypeIs415() throws Exception {
        HttpResponse<String> response = stage.api.post(API, "offboarding_id=1", "Content-Type", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).path("error").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void aBlankIdempotencyKeyIs422() throws Exception {
        HttpResponse<String> response = stage.api.post(API, "{\"offboarding_id\":\"1\"}", "Idempotency-Key", " ");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void withoutTheBearerTokenBothEndpointsAre401() throws Exception {
        ApiClient anonymous = new ApiClient(stage.bridge, null);
        ApiClient wrong = new ApiClient(stage.bridge, "not-the-token");

        assertThat(anonymous.post(API, "{\"offboarding_id\":\"1\"}").statusCode()).isEqualTo(401);
        assertThat(wrong.post(API, "{\"offboarding_id\":\"1\"}").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/api/v1/requests/anything").statusCode()).isEqualTo(401);
    }

    @Test
    void anUnknownRequestIs404() throws Exception {
        HttpResponse<String> response = stage.api.get("/api/v1/requests/00000000-0000-0000-0000-000000000000");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).isEqualTo("not_found");
    }

    private static long requestCount() throws Exception {
        InboxRepository repository = stage.bean("inboxRepository", InboxRepository.class);
        return repository.list(InboxMessage.Kind.REQUEST, null, null, 1000).size();
    }
}

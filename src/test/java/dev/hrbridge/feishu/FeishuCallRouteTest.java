package dev.hrbridge.feishu;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.hrbridge.TestBridge;
import dev.hrbridge.outbound.DeferredFailure;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The feishu-openapi-action Kamelet against a stub Feishu on a real HTTP port: what each kind of answer becomes. */
class FeishuCallRouteTest {

    private static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    private static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";

    @TempDir
    static Path dir;

    static WireMockServer feishu;
    static TestBridge bridge;
    static ProducerTemplate template;

    @BeforeAll
    static void start() throws Exception {
        feishu = new WireMockServer(options().dynamicPort().containerThreads(120));
        feishu.start();
        bridge = TestBridge.start(dir, Map.of(
                "feishu.base-url", feishu.baseUrl(),
                "feishu.app-id", "cli_test",
                "feishu.app-secret", "test-app-secret",
                "hrb.api.token", "test-api-token",
                "hrb.http.response-timeout-ms", "3000",
                "hrb.throttle.test.throttled.per-minute", "3",
                "hrb.throttle.test.after-token.per-minute", "1",
                "hrb.throttle.test.repeated.per-minute", "1",
                // the calls here stand for any API: revoke's own limit (20 a second) would defer a hundred at once
                "hrb.throttle.corehr.offboardings.revoke.per-second", ""));
        template = bridge.bridge().context().createProducerTemplate();
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

    @BeforeEach
    void coldCacheAndFreshStubs() {
        feishu.resetAll();
        bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class).invalidate();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(token("t-first", 7200))));
    }

    @Test
    void codeZeroIsSuccessWithTheParsedAnswerAndTheCallerKeepsItsHeaders() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{\"ok\":true}}")));

        Exchange result = call("corehr.offboardings.revoke", REVOKE + "?user_id_type=open_id",
                Map.of("offboarding_id", "7140964208476371111"), Map.of(
                        "X-Caller", "kept", "CamelHttpUri", "http://evil.example/", "CamelHttpPath", "/elsewhere",
                        "HrbTraceId", "req-1"));

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getBody(Map.class)).containsEntry("code", 0).containsKey("data");
        assertThat(result.getMessage().getHeader("HrbHttpStatus")).isEqualTo(200);
        assertThat(result.getMessage().getHeader("HrbPlatformCode")).isEqualTo(0);
        assertThat(result.getMessage().getHeader("HrbPlatformMsg")).isEqualTo("success");
        assertThat(result.getMessage().getHeader("X-Caller")).isEqualTo("kept");
        assertThat(result.getMessage().getHeader("Authorization")).isNull();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(REVOKE + "?user_id_type=open_id"))
                .withHeader("Authorization", equalTo("Bearer t-first"))
                .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withHeader("X-Caller", absent())
                .withHeader("HrbTraceId", absent())
                .withRequestBody(equalToJson("{\"offboarding_id\":\"7140964208476371111\"}")));
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(TOKEN_PATH))
                .withRequestBody(equalToJson("{\"app_id\":\"cli_test\",\"app_secret\":\"test-app-secret\"}")));
    }

    @Test
    void aServerErrorIsRetryable() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(500).withBody("oops")));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.httpStatus()).isEqualTo(500);
        assertThat(failure.retryAfter()).isNull();
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void http429IsRetryableAfterTheRateLimitResetSeconds() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(429)
                .withHeader("x-ogw-ratelimit-reset", "2")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\":99991400,\"msg\":\"request trigger frequency limit\"}")));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.httpStatus()).isEqualTo(429);
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void code99991400IsRetryableEvenWithHttp200() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":99991400,\"msg\":\"frequency limit\"}")));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.platformCode()).isEqualTo(99991400);
    }

    @Test
    void anUnlistedBusinessCodeIsPermanentWithItsCodeAndMsg() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\":1160102,\"msg\":\"offboarding not found\"}")));

        PermanentFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), PermanentFailure.class);

        assertThat(failure.httpStatus()).isEqualTo(400);
        assertThat(failure.platformCode()).isEqualTo(1160102);
        assertThat(failure.platformMsg()).isEqualTo("offboarding not found");
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void theCallersAcceptedAndRetryableCodesDecide() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":1160202,\"msg\":\"already withdrawn\"}")));
        Exchange accepted = send(kamelet("corehr.offboardings.revoke", REVOKE) + "&acceptedCodes=1160202", "{}", Map.of());
        assertThat(accepted.getException()).isNull();
        assertThat(accepted.getMessage().getHeader("HrbPlatformCode")).isEqualTo(1160202);

        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":1160204,\"msg\":\"concurrent withdrawal\"}")));
        RetryableFailure retryable = failure(send(kamelet("corehr.offboardings.revoke", REVOKE)
                + "&retryableCodes=1160204, 1160101", "{}", Map.of()), RetryableFailure.class);
        assertThat(retryable.platformCode()).isEqualTo(1160204);
    }

    @Test
    void aPathThatVariesPerMessageTravelsInTheHeaderHrbPathWhenTheKameletNamesNone() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        Exchange result = send("kamelet:feishu-openapi-action?api=corehr.offboardings.revoke&method=POST", "{}",
                Map.of("HrbPath", REVOKE + "?user_id_type=union_id"));

        assertThat(result.getException()).isNull();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(REVOKE + "?user_id_type=union_id"))
                .withHeader("HrbPath", absent()));
    }

    @Test
    void theKameletsParametersWinOverHeadersACallerBrought() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":1160202,\"msg\":\"already withdrawn\"}")));

        // the old header protocol from an HTTP caller: neither redirects the call nor turns a refusal into success
        Exchange result = call("corehr.offboardings.revoke", REVOKE, "{}", Map.of("HrbPath", "/open-apis/elsewhere",
                "HrbApi", "test.other", "HrbHttpMethod", "DELETE", "HrbAcceptedCodes", "1160202"));

        PermanentFailure failure = failure(result, PermanentFailure.class);
        assertThat(failure.api()).isEqualTo("corehr.offboardings.revoke");
        assertThat(failure.platformCode()).isEqualTo(1160202);
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(REVOKE)));
    }

    @Test
    void aQueryOfSeveralParametersWrittenRawReachesFeishuWhole() {
        String path = "/open-apis/corehr/v2/test?user_id_type=open_id&department_id_type=open_department_id";
        feishu.stubFor(post(urlPathEqualTo("/open-apis/corehr/v2/test")).willReturn(okJson("{\"code\":0}")));

        assertThat(call("test.query", path, "{}", Map.of()).getException()).isNull();

        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(path)));
    }

    @Test
    void theResponseTimeoutParameterShortensTheWaitForOneCall() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0}").withFixedDelay(10_000)));

        long begin = System.nanoTime();
        RetryableFailure failure = failure(send(kamelet("corehr.offboardings.revoke", REVOKE) + "&responseTimeout=800", "{}",
                Map.of()), RetryableFailure.class);

        // the deployment's hrb.http.response-timeout-ms here is 3000
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isBetween(Duration.ofMillis(700), Duration.ofMillis(2500));
        assertThat(failure).hasMessageContaining("not answered");
    }

    @ParameterizedTest(name = "{0} is refused before Feishu is called")
    @ValueSource(strings = {
            "kamelet:feishu-openapi-action?api=test.nopath&method=POST|needs the parameter path or the header HrbPath",
            "kamelet:feishu-openapi-action?api=test.relative&method=POST&path=open-apis/x|must start with '/'",
            "kamelet:feishu-openapi-action?api=test.verb&method=HEAD&path=/open-apis/x|must be one of [GET, POST, PATCH, PUT, DELETE]",
            "kamelet:feishu-openapi-action?api=test.app&method=POST&path=/open-apis/x&app=nobody|names no configured Feishu app: 'nobody'"})
    void aCallThatCannotBeMadeSaysWhy(String uriAndReason) {
        String[] parts = uriAndReason.split("\\|");

        Exchange result = send(parts[0], "{}", Map.of());

        assertThat(result.getException()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(parts[1]);
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo("/open-apis/x")));
    }

    @Test
    void aKameletWithoutItsRequiredParametersIsNoRoute() {
        assertThatThrownBy(() -> template.send("kamelet:feishu-openapi-action?path=/open-apis/x", exchange -> { }))
                .hasStackTraceContaining("api").hasStackTraceContaining("method");
    }

    // a 200 that is not Feishu's JSON (a proxy's page, a body cut in transit) is no decision of Feishu: never a success
    // (the call may not have happened), never a permanent refusal (nothing says so); retried, bounded, visible at the end
    @ParameterizedTest(name = "HTTP 200 with [{0}] is retryable")
    @ValueSource(strings = {"{\"code\":0,", "{\"code\":0,\"msg\":\"succ", "<html>gateway</html>", "[0]", "{\"msg\":\"success\"}"})
    void aMalformedAnswerWithHttp200IsRetryableNeverSuccess(String body) {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.httpStatus()).isEqualTo(200);
        assertThat(failure.platformCode()).isNull();
        assertThat(failure).hasMessageContaining("malformed answer");
    }

    @Test
    void anEmptyBodyWithHttp200IsRetryable() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(200)));

        failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);
    }

    @ParameterizedTest(name = "{0} is retryable")
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK",
            "RANDOM_DATA_THEN_CLOSE"})
    void aConnectionClosedByFeishuIsRetryableAndCalledOnce(Fault fault) {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withFault(fault)));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.platformCode()).isNull();
        // Apache HttpClient's own silent retry is off: one request, the retry is the dispatcher's, durable and counted
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @ParameterizedTest(name = "a token endpoint answering {0} is retryable and not cached")
    @ValueSource(strings = {"reset", "{\"code\":0,\"tenant_access_token\":\"t-cu", "<html>gateway</html>"})
    void aBrokenTokenAnswerIsRetryableAndTheNextCallFetchesAgain(String answer) {
        feishu.stubFor(post(TOKEN_PATH).inScenario("broken-token").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(answer.equals("reset") ? aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)
                        : aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer))
                .willSetStateTo("healed"));
        feishu.stubFor(post(TOKEN_PATH).inScenario("broken-token").whenScenarioStateIs("healed")
                .willReturn(okJson(token("t-healed", 7200))));
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);
        assertThat(failure.api()).isEqualTo(TenantTokenCache.API);
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo(REVOKE)));

        assertThat(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()).getException()).isNull();
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE)).withHeader("Authorization", equalTo("Bearer t-healed")));
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheCallRepeatedOnce() {
        feishu.stubFor(post(TOKEN_PATH).inScenario("token").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(token("t-stale", 7200))).willSetStateTo("refreshed"));
        feishu.stubFor(post(TOKEN_PATH).inScenario("token").whenScenarioStateIs("refreshed")
                .willReturn(okJson(token("t-fresh", 7200))));
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).withHeader("Authorization", equalTo("Bearer t-stale"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\":99991663,\"msg\":\"Invalid access token for authorization.\"}")));
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).withHeader("Authorization", equalTo("Bearer t-fresh"))
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        Exchange result = call("corehr.offboardings.revoke", REVOKE, "{}", Map.of());

        assertThat(result.getException()).isNull();
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(TOKEN_PATH)));
        feishu.verify(exactly(2), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void aTokenRefusedTwiceIsRetryableAfterOneRepeat() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":99991663,\"msg\":\"Invalid access token\"}")));

        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(failure.platformCode()).isEqualTo(99991663);
        feishu.verify(exactly(2), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void aHungUpstreamIsRetryableWithinTheResponseTimeout() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0}").withFixedDelay(10_000)));

        long begin = System.nanoTime();
        RetryableFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), RetryableFailure.class);

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isBetween(Duration.ofMillis(2900), Duration.ofMillis(7000));
        assertThat(failure.httpStatus()).isNull();
        assertThat(failure).hasMessageContaining("not answered");
    }

    @Test
    void aHundredConcurrentCallsOnAColdCacheFetchOneToken() throws Exception {
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(token("t-shared", 7200)).withFixedDelay(300)));
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        ExecutorService callers = Executors.newFixedThreadPool(100);
        try {
            List<Future<Exchange>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(callers.submit(() -> call("corehr.offboardings.revoke", REVOKE, "{}", Map.of())));
            }
            for (Future<Exchange> done : calls) {
                assertThat(done.get().getException()).isNull();
            }
        } finally {
            callers.shutdownNow();
        }
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(TOKEN_PATH)));
        feishu.verify(exactly(100), postRequestedFor(urlPathEqualTo(REVOKE))
                .withHeader("Authorization", equalTo("Bearer t-shared")));
    }

    @Test
    void aThrottledApiDefersOnceItsPermitsPerMinuteAreUsedWithoutCallingFeishu() {
        feishu.stubFor(post(urlPathEqualTo("/open-apis/test/throttled")).willReturn(okJson("{\"code\":0}")));
        for (int i = 0; i < 3; i++) {
            assertThat(call("test.throttled", "/open-apis/test/throttled", "{}", Map.of()).getException()).isNull();
        }

        DeferredFailure deferred = failure(call("test.throttled", "/open-apis/test/throttled", "{}", Map.of()),
                DeferredFailure.class);

        assertThat(deferred.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        feishu.verify(exactly(3), postRequestedFor(urlPathEqualTo("/open-apis/test/throttled")));
    }

    @Test
    void thePermitIsTakenWhenTheRequestLeavesAfterASlowTokenFetchNotBeforeIt() {
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(token("t-slow", 7200)).withFixedDelay(2000)));
        feishu.stubFor(post(urlPathEqualTo("/open-apis/test/after-token")).willReturn(okJson("{\"code\":0}")));
        assertThat(call("test.after-token", "/open-apis/test/after-token", "{}", Map.of()).getException()).isNull();

        DeferredFailure deferred = failure(call("test.after-token", "/open-apis/test/after-token", "{}", Map.of()),
                DeferredFailure.class);

        // the minute runs from when the first request left, 2 s after it asked for a token: a permit taken before
        // the fetch would leave 58 s
        assertThat(deferred.retryAfter()).isGreaterThan(Duration.ofSeconds(59));
    }

    @Test
    void aRepeatWithANewTokenTakesAPermitOfItsOwn() {
        feishu.stubFor(post(TOKEN_PATH).inScenario("token").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(token("t-stale", 7200))).willSetStateTo("refreshed"));
        feishu.stubFor(post(TOKEN_PATH).inScenario("token").whenScenarioStateIs("refreshed")
                .willReturn(okJson(token("t-fresh", 7200))));
        feishu.stubFor(post(urlPathEqualTo("/open-apis/test/repeated")).withHeader("Authorization", equalTo("Bearer t-stale"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\":99991663,\"msg\":\"Invalid access token for authorization.\"}")));
        feishu.stubFor(post(urlPathEqualTo("/open-apis/test/repeated")).withHeader("Authorization", equalTo("Bearer t-fresh"))
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        // the refused request was a call to Feishu as well: with one call a minute, the repeat waits for the next
        failure(call("test.repeated", "/open-apis/test/repeated", "{}", Map.of()), DeferredFailure.class);

        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo("/open-apis/test/repeated")));
    }

    @Test
    void badAppCredentialsArePermanent() {
        feishu.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":10014,\"msg\":\"app secret invalid\"}")));

        PermanentFailure failure = failure(call("corehr.offboardings.revoke", REVOKE, "{}", Map.of()), PermanentFailure.class);

        assertThat(failure.api()).isEqualTo(TenantTokenCache.API);
        assertThat(failure.platformCode()).isEqualTo(10014);
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    @Test
    void callsAreCountedPerApiAndOutcomeOnThePrometheusEndpoint() {
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0}")));
        call("corehr.offboardings.revoke", REVOKE, "{}", Map.of());

        await().untilAsserted(() -> assertThat(bridge.get(bridge.management("/observe/metrics")).body())
                .contains("hrb_outbound_calls_total{api=\"corehr.offboardings.revoke\",outcome=\"success\"")
                .contains("hrb_outbound_latency_seconds_bucket{api=\"corehr.offboardings.revoke\""));
    }

    private static Exchange call(String api, String path, Object body, Map<String, Object> headers) {
        return send(kamelet(api, path), body, headers);
    }

    /** A POST to {@code path}, written RAW so that its query stays whole. */
    private static String kamelet(String api, String path) {
        return "kamelet:feishu-openapi-action?api=" + api + "&method=POST&path=RAW(" + path + ")";
    }

    private static Exchange send(String uri, Object body, Map<String, Object> headers) {
        return template.send(uri, exchange -> {
            exchange.getMessage().setHeaders(new java.util.HashMap<>(headers));
            exchange.getMessage().setBody(body);
        });
    }

    private static <T extends OutboundFailure> T failure(Exchange result, Class<T> type) {
        assertThat(result.getException()).isInstanceOf(type);
        return type.cast(result.getException());
    }

    private static String token(String value, int expire) {
        return "{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"" + value + "\",\"expire\":" + expire + "}";
    }
}

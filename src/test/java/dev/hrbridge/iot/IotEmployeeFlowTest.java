package dev.hrbridge.iot;

import dev.hrbridge.feishu.FeishuPush;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/iot/employees} of a live-mode instance against a stand-in IoT gateway (WireMock on a real
 * port): validation, the signed envelope it sends, SPEC §3's mapping of every IoT code, and the in-request retries.
 */
class IotEmployeeFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/user/account/employee/createbyauthcode";
    private static final String APP_KEY = "test-app-key";
    private static final String APP_SECRET = "test-app-secret-never-logged";
    private static final String TOKEN = "test-api-token";

    @TempDir
    static Path dir;

    private static WireMockServer gateway;
    private static TestBridge bridge;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        gateway = new WireMockServer(wireMockConfig().dynamicPort());
        gateway.start();
        bridge = TestBridge.start(dir, liveSettings());
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (bridge != null) {
            bridge.close();
        }
        gateway.stop();
    }

    @BeforeEach
    void reset() {
        gateway.resetAll();
    }

    @Test
    void code200IsAnswered201WithTheIotData() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(200, null, null,
                "{\"accountId\":\"acc-1\",\"employeeId\":\"emp-1\",\"companyName\":\"abc\"}"))));

        HttpResponse<String> response = create("{\"authCode\":\"code-1\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("x-ca-"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("employeeId").asText()).isEqualTo("emp-1");
        assertThat(body.path("accountId").asText()).isEqualTo("acc-1");
    }

    @Test
    void everyIotCallIsCountedBesideFeishusOutboundCalls() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(200, null, null, "{\"employeeId\":\"emp-2\"}"))));

        assertThat(create("{\"authCode\":\"code-m\",\"codeType\":\"AUTH_CODE\"}").statusCode()).isEqualTo(201);

        String metrics = bridge.get(bridge.management("/observe/metrics")).body();
        assertThat(metrics).containsPattern("hrb_outbound_calls_total\\{api=\"iot\\.user\\.account\\.employee\\.createbyauthcode\","
                + "outcome=\"success\"[^}]*} [1-9]");
        assertThat(metrics).contains("hrb_outbound_latency_seconds_count{api=\"iot.user.account.employee.createbyauthcode\"");
    }

    @Test
    void theGatewayReceivesSeed004sEnvelopeSignedWithOurAppSecret() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(200, null, null, "{}"))));

        create("{\"authCode\":\"code-2\",\"codeType\":\"SESSION_ID\"}");

        LoggedRequest sent = single();
        JsonNode envelope = JSON.readTree(sent.getBodyAsString());
        assertThat(envelope.path("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(envelope.path("version").asText()).isEqualTo("1.0");
        assertThat(envelope.path("request").path("apiVer").asText()).isEqualTo("1.0.0");
        assertThat(envelope.path("params")).isEqualTo(JSON.readTree("{\"authCode\":\"code-2\",\"codeType\":\"SESSION_ID\"}"));

        assertThat(sent.getHeader("X-Ca-Key")).isEqualTo(APP_KEY);
        assertThat(sent.getHeader("X-Ca-Signature-Method")).isEqualTo("HmacSHA256");
        assertThat(sent.getHeader("X-Ca-Signature-Headers")).isEqualTo("x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp");
        assertThat(Long.parseLong(sent.getHeader("X-Ca-Timestamp"))).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(sent.getHeader("Content-MD5")).isEqualTo(ApiGatewaySigner.contentMd5(sent.getBody()));
        assertThat(sent.getHeader("Date")).isNotBlank();
        assertThat(sent.getHeader("Accept")).isEqualTo("application/json");
        assertThat(sent.containsHeader("Authorization")).as("our caller's bearer token never travels on").isFalse();
        // recompute exactly as the gateway does, from what arrived on the wire
        String stringToSign = ApiGatewaySigner.stringToSignOf("POST", PATH, Map.of(), sent::getHeader);
        assertThat(sent.getHeader("X-Ca-Signature")).isEqualTo(ApiGatewaySigner.signature(APP_SECRET, stringToSign));
    }

    @ParameterizedTest(name = "IoT code {0} \"{3}\" is answered {1} {2}")
    @CsvSource({
            "2441, 409, employee_exists, employee is already existed, 该手机号对应的员工已经存在",
            "2442, 422, employee_not_found, employee is not exist, 未找到绑定的员工信息",
            "460, 422, employee_not_bound, dingdingbind employee not exist, 请求参数错误",
            "460, 400, iot_invalid_parameters, request parameter error., 入参不正确",
            "460, 400, iot_invalid_parameters, identityIds need between 1-50, 入参错误",
            "2404, 422, invalid_phone, oa error message, 手机号格式不正确",
            "2459, 422, invalid_auth_code, oa error message, 会话Id不存在",
            "2401, 422, invalid_auth_code, refreshToken invalid, refreshToken已经失效",
            "2402, 422, iot_account_unavailable, iotToken not exist, iotToken not exist",
            "2402, 422, iot_account_unavailable, registerAccount failed, 账号注册失败",
            "2405, 422, company_not_initialised, identity is not existed, 公司未初始化",
            "401, 502, upstream_error, Request Authorized Error, Request Authorized Error",
            "403, 502, upstream_error, request forbidden., 请求被禁止",
            "403, 502, upstream_error, request forbidden, 访问被禁止",
            "403, 502, upstream_error, Request Forbidden, Request Forbidden",
            "20055, 502, upstream_error, Backend Service Invalid Request Format Error, Backend Service Invalid Request Format Error",
    })
    void everyIotBusinessCodeIsMappedOnceWithoutRetryAndCarriesThePlatformsWords(int code, int status, String error,
                                                                                 String message, String localized) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(code, message, localized, null))
                .withHeader("X-Ca-Request-Id", "7AD052CB-EE8B-4DFD-BBAF-EFB340E0A5AF")));

        HttpResponse<String> response = create("{\"authCode\":\"code-3\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(body.path("platform_code").asInt()).isEqualTo(code);
        assertThat(body.path("platform_message").asText()).isEqualTo(message);
        assertThat(body.path("platform_localized_msg").asText()).isEqualTo(localized);
        assertThat(body.path("platform_request_id").asText()).isEqualTo(JSON.readTree(single().getBodyAsString()).path("id").asText());
        assertThat(body.path("gateway_request_id").asText()).isEqualTo("7AD052CB-EE8B-4DFD-BBAF-EFB340E0A5AF");
    }

    @Test
    void aRetryableAnswerIsRetriedWithAFreshEnvelopeAndTheSecondAttemptsSuccessIsAnswered() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("X-Ca-Error-Message", "Service Unavailable"))
                .willSetStateTo("recovered"));
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson(answer(200, null, null, "{\"employeeId\":\"emp-2\"}"))));

        HttpResponse<String> response = create("{\"authCode\":\"code-4\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).path("employeeId").asText()).isEqualTo("emp-2");
        List<LoggedRequest> sent = gateway.findAll(postRequestedFor(urlPathEqualTo(PATH)));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).getHeader("X-Ca-Nonce")).isNotEqualTo(sent.get(1).getHeader("X-Ca-Nonce"));
        JsonNode second = JSON.readTree(sent.get(1).getBodyAsString());
        assertThat(second.path("id").asText()).isNotEqualTo(JSON.readTree(sent.get(0).getBodyAsString()).path("id").asText());
        assertThat(second.path("params").path("authCode").asText()).isEqualTo("code-4");
    }

    @ParameterizedTest(name = "HTTP 403 with X-Ca-Error-Message \"{0}\" is retried, then 429")
    @ValueSource(strings = {"Request Limited", "Throttled by API Flow Control", "Throttled by APP Flow Control",
            "Throttled by USER Flow Control", "Throttled by DOMAIN Flow Control"})
    void throttlingNamedByTheGatewaysErrorHeaderIsRetriedThen429(String gatewayError) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("X-Ca-Error-Message", gatewayError).withHeader("Content-Type", "application/json")
                .withBody(answer(403, gatewayError, gatewayError, null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-5\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("rate_limited");
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    // "Request Limited" in a body is a backend's words, not the gateway's throttle: its header says so, or nothing does
    @Test
    void a403WhoseBodyAloneSaysRequestLimitedIsARefusalNotThrottling() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody(answer(403, "Request Limited", "Request Limited", null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-5b\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_error");
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @ParameterizedTest(name = "{0} until retries are exhausted is 502 upstream_unavailable after three attempts")
    @CsvSource(delimiter = '|', value = {
            "HTTP 503 Service Unavailable | 503 | 503 | Service Unavailable",
            "code 20003 Find Backend Error | 200 | 20003 | Find Backend Error"})
    void anAnswerProvingTheCreateNeverRanIsRetriedThen502UpstreamUnavailable(String what, int status, int code,
                                                                             String message) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(answer(code, message, message, null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-6\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_unavailable");
        assertThat(JSON.readTree(response.body()).path("platform_code").asInt()).isEqualTo(code);
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aRefusedConnectionIsRetriedThen502UpstreamUnavailable(@TempDir Path own) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(liveSettings());
        settings.put("iot.base-url", "http://127.0.0.1:" + TestBridge.freePort());
        try (TestBridge unreachable = TestBridge.start(own, settings)) {
            clearLogs();

            HttpResponse<String> response = create(unreachable, "{\"authCode\":\"code-6b\",\"codeType\":\"AUTH_CODE\"}");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_unavailable");
            assertThat(logged().stream())
                    .filteredOn(line -> line.startsWith("IoT call")).hasSize(3).allMatch(line -> line.contains("outcome=not_connected"));
        }
    }

    // the create may have run: trying again would be answered 2441 "employee is already existed" and reported 409
    @ParameterizedTest(name = "{0} is 504 outcome_unknown after one attempt")
    @CsvSource(delimiter = '|', value = {
            "HTTP 500 Internal Error | 500 | 500 | Internal Error",
            "HTTP 502 | 502 | 502 | Bad Gateway",
            "HTTP 504 Async Service | 504 | 504 | Async Service",
            "code 500 Server Error | 200 | 500 | Server Error",
            "code 20004 Backend Service Error | 200 | 20004 | Backend Service Error",
            "code 20056 Hsf Invoke Timeout | 200 | 20056 | Hsf Invoke Timeout"})
    void anAnswerThatMayFollowARunCreateIsNotRetriedAnd504OutcomeUnknown(String what, int status, int code,
                                                                        String message) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(answer(code, message, message, null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-7\",\"codeType\":\"AUTH_CODE\"}");

        assertOutcomeUnknown(response);
        assertThat(JSON.readTree(response.body()).path("platform_code").asInt()).isEqualTo(code);
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void noAnswerWithinTheResponseTimeoutIsNotRetriedAnd504OutcomeUnknown() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(200, null, null, "{}")).withFixedDelay(1500)));

        clearLogs();
        HttpResponse<String> response = create("{\"authCode\":\"code-8\",\"codeType\":\"AUTH_CODE\"}");

        assertOutcomeUnknown(response);
        assertThat(logged().stream()).filteredOn(line -> line.startsWith("IoT call"))
                .singleElement().asString().contains("outcome=timeout");
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @ParameterizedTest(name = "{0} after the request was sent is 504 outcome_unknown after one attempt")
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK",
            "RANDOM_DATA_THEN_CLOSE"})
    void aConnectionLostAfterTheRequestWasSentIsNotRetriedAnd504OutcomeUnknown(Fault fault) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withFault(fault)));

        HttpResponse<String> response = create("{\"authCode\":\"code-11\",\"codeType\":\"AUTH_CODE\"}");

        assertOutcomeUnknown(response);
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }

    // a 200 whose body is not the gateway's JSON envelope (a proxy page, a body cut in transit) says nothing about the
    // employee: never 201, never tried again
    @ParameterizedTest(name = "HTTP 200 with [{0}] is 504 outcome_unknown after one attempt")
    @ValueSource(strings = {"{\"code\":200,\"data\":{\"employeeId\":", "<html>gateway</html>", "", "[200]"})
    void aMalformedAnswerWithHttp200IsNeverCreatedNorRetriedBut504OutcomeUnknown(String body) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));

        HttpResponse<String> response = create("{\"authCode\":\"code-13\",\"codeType\":\"AUTH_CODE\"}");

        assertOutcomeUnknown(response);
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aSignatureRejectedByTheGatewayIs502WithItsErrorMessageAndNoRetry() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("X-Ca-Request-Id", "1B2C3D4E-0000-4000-8000-000000000000")
                .withHeader("X-Ca-Error-Message", "Invalid Signature, Server StringToSign:POST#...")));

        HttpResponse<String> response = create("{\"authCode\":\"code-10\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo("upstream_error");
        assertThat(body.path("platform_message").asText()).startsWith("Invalid Signature");
        assertThat(body.path("gateway_request_id").asText()).isEqualTo("1B2C3D4E-0000-4000-8000-000000000000");
        gateway.verify(1, postRequestedFor(urlPathEqualTo(PATH)));
    }
    @Test
    void missingOrEmptyAuthCodeIs422NamingTheField() throws Exception {
        assertInvalidField(create("{\"codeType\":\"AUTH_CODE\"}"), "authCode");
        assertInvalidField(create("{\"authCode\":\"  \",\"codeType\":\"AUTH_CODE\"}"), "authCode");
        assertInvalidField(create("{\"authCode\":42,\"codeType\":\"AUTH_CODE\"}"), "authCode");
        assertThat(gateway.getAllServeEvents()).isEmpty();
    }

    @Test
    void codeTypeOtherThanAuthCodeOrSessionIdIs422NamingTheField() throws Exception {
        assertInvalidField(create("{\"authCode\":\"x\"}"), "codeType");
        assertInvalidField(create("{\"authCode\":\"x\",\"codeType\":\"auth_code\"}"), "codeType");
        assertThat(gateway.getAllServeEvents()).isEmpty();
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() throws Exception {
        HttpResponse<String> response = create("authCode=x&codeType=AUTH_CODE");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("malformed_json");
        assertThat(create("[1,2]").statusCode()).isEqualTo(400);
    }

    @Test
    void aBodyNotDeclaredAsJsonIs415() throws Exception {
        HttpResponse<String> response = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/iot/employees"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"authCode\":\"x\",\"codeType\":\"AUTH_CODE\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void withoutTheApiTokenIs401AndNothingIsCalled() throws Exception {
        HttpResponse<String> response = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/iot/employees"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"authCode\":\"x\",\"codeType\":\"AUTH_CODE\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("unauthorized");
        assertThat(gateway.getAllServeEvents()).isEmpty();
    }

    @Test
    void everyCallIsLoggedOnceWithoutTheAuthCodeOrTheAppSecret() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(2441, "employee is already existed", "x", null))));
        clearLogs();

        create("{\"authCode\":\"very-secret-auth-code\",\"codeType\":\"AUTH_CODE\"}");

        List<String> lines = logged().stream().toList();
        assertThat(lines).filteredOn(line -> line.startsWith("IoT call")).singleElement().asString()
                .contains("api=" + PATH).contains("code=2441").contains("outcome=permanent").contains("duration_ms=");
        assertThat(lines).noneMatch(line -> line.contains("very-secret-auth-code") || line.contains(APP_SECRET));
    }

    private static Map<String, String> liveSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.app-id", FeishuPush.APP_ID);
        settings.put("feishu.app-secret", "feishu-secret");
        settings.put("hrb.api.token", TOKEN);
        settings.put("iot.base-url", gateway.baseUrl());
        settings.put("iot.app-key", APP_KEY);
        settings.put("iot.app-secret", APP_SECRET);
        settings.put("iot.http.response-timeout-ms", "600");
        settings.put("hrb.retry.iot-employee.initial-delay-ms", "20");
        settings.put("hrb.retry.iot-employee.max-delay-ms", "50");
        return settings;
    }

    private static void assertOutcomeUnknown(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo("outcome_unknown");
        assertThat(body.path("message").asText()).contains("may or may not have created the employee");
    }

    private static void assertInvalidField(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo("invalid_field");
        assertThat(body.path("field").asText()).isEqualTo(field);
    }

    private static HttpResponse<String> create(String body) throws Exception {
        return create(bridge, body);
    }

    private static HttpResponse<String> create(TestBridge target, String body) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(target.api("/api/v1/iot/employees"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static LoggedRequest single() {
        List<LoggedRequest> sent = gateway.findAll(postRequestedFor(urlPathEqualTo(PATH)));
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    private static String answer(int code, String message, String localizedMsg, String data) throws Exception {
        return "{\"id\":\"4de2c367-c1db-417c-aa15-8c585e595d92\",\"code\":" + code
                + ",\"message\":" + JSON.writeValueAsString(message)
                + ",\"localizedMsg\":" + JSON.writeValueAsString(localizedMsg)
                + ",\"data\":" + (data == null ? "null" : data) + "}";
    }

    /** The log lines so far; the appender is written by the route's threads while a test reads it. */
    private static List<String> logged() {
        synchronized (logs) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static void clearLogs() {
        synchronized (logs) {
            logs.list.clear();
        }
    }
}

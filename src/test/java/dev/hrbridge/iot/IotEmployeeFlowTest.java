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
        bridge = TestBridge.start(dir, settings);
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

    @ParameterizedTest(name = "IoT code {0} is answered {1} {2}")
    @CsvSource({
            "2441, 409, employee_exists, employee is already existed, 该手机号对应的员工已经存在",
            "460, 400, iot_invalid_parameters, request parameter error., 入参不正确",
            "2404, 422, invalid_phone, oa error message, 手机号格式不正确",
            "2459, 422, invalid_auth_code, oa error message, 会话Id不存在",
            "2401, 422, invalid_auth_code, refreshToken invalid, refreshToken已经失效",
            "2402, 422, iot_account_unavailable, iotToken not exist, iotToken not exist",
            "2405, 422, company_not_initialised, identity is not existed, 公司未初始化",
            "403, 502, upstream_error, request forbidden., 请求被禁止",
            "20055, 502, upstream_error, Backend Service Invalid Request Format Error, Backend Service Invalid Request Format Error",
    })
    void everyIotBusinessCodeIsMappedOnceWithoutRetryAndCarriesThePlatformsWords(int code, int status, String error,
                                                                                 String message, String localized) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(code, message, localized, null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-3\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(body.path("platform_code").asInt()).isEqualTo(code);
        assertThat(body.path("platform_message").asText()).isEqualTo(message);
        assertThat(body.path("platform_localized_msg").asText()).isEqualTo(localized);
        assertThat(body.path("platform_request_id").asText()).isEqualTo(JSON.readTree(single().getBodyAsString()).path("id").asText());
    }

    @Test
    void aRetryableAnswerIsRetriedWithAFreshEnvelopeAndTheSecondAttemptsSuccessIsAnswered() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
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

    @Test
    void requestLimitedUntilRetriesAreExhaustedIs429AfterThreeAttempts() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody(answer(403, "Request Limited", "Request Limited", null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-5\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("rate_limited");
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aGatewayThatKeepsFailingIs502AfterThreeAttempts() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)));

        HttpResponse<String> response = create("{\"authCode\":\"code-6\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_error");
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @ParameterizedTest(name = "{0}, then code 200, is answered 201 after one retry")
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK",
            "RANDOM_DATA_THEN_CLOSE"})
    void aConnectionClosedByTheGatewayIsRetriedAndTheRecoveredAnswerIs201(Fault fault) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("closed").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(fault)).willSetStateTo("recovered"));
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("closed").whenScenarioStateIs("recovered")
                .willReturn(okJson(answer(200, null, null, "{\"employeeId\":\"emp-3\"}"))));

        HttpResponse<String> response = create("{\"authCode\":\"code-11\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).path("employeeId").asText()).isEqualTo("emp-3");
        gateway.verify(2, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aGatewayThatKeepsClosingTheConnectionIs502AfterThreeAttempts() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        HttpResponse<String> response = create("{\"authCode\":\"code-12\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_error");
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    // a 200 whose body is not the gateway's JSON envelope (a proxy page, a body cut in transit) says nothing about the
    // employee: never 201, and retried like a cut connection rather than refused for good
    @ParameterizedTest(name = "HTTP 200 with [{0}] is retried, then 502")
    @ValueSource(strings = {"{\"code\":200,\"data\":{\"employeeId\":", "<html>gateway</html>", "", "[200]"})
    void aMalformedAnswerWithHttp200IsRetriedNeverCreatedThen502(String body) throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));

        HttpResponse<String> response = create("{\"authCode\":\"code-13\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_error");
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aMalformedAnswerThenCode200IsAnswered201() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("cut").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"4de2c367\",\"code\":20")).willSetStateTo("whole"));
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("cut").whenScenarioStateIs("whole")
                .willReturn(okJson(answer(200, null, null, "{\"employeeId\":\"emp-4\"}"))));

        HttpResponse<String> response = create("{\"authCode\":\"code-14\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        gateway.verify(2, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void backendErrorCodes20003And20004AreRetriedThen502() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("backend").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(answer(20003, "Find Backend Error", "Find Backend Error", null))).willSetStateTo("next"));
        gateway.stubFor(post(urlPathEqualTo(PATH)).inScenario("backend").whenScenarioStateIs("next")
                .willReturn(okJson(answer(20004, "Backend Service Error", "Backend Service Error", null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-7\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("platform_code").asInt()).isEqualTo(20004);
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void noAnswerWithinTheResponseTimeoutIs504AfterThreeAttempts() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(200, null, null, "{}")).withFixedDelay(1500)));

        long begin = System.nanoTime();
        HttpResponse<String> response = create("{\"authCode\":\"code-8\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("upstream_timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("3 x 600 ms timeout, not 3 x 1500 ms")
                .isLessThan(Duration.ofMillis(4000));
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void hsfInvokeTimeout20056IsRetriedThen504() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(answer(20056, "Hsf Invoke Timeout", "Hsf Invoke Timeout", null))));

        HttpResponse<String> response = create("{\"authCode\":\"code-9\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(504);
        gateway.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aSignatureRejectedByTheGatewayIs502WithItsErrorMessageAndNoRetry() throws Exception {
        gateway.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("X-Ca-Error-Message", "Invalid Signature, Server StringToSign:POST#...")));

        HttpResponse<String> response = create("{\"authCode\":\"code-10\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("platform_message").asText()).startsWith("Invalid Signature");
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
        logs.list.clear();

        create("{\"authCode\":\"very-secret-auth-code\",\"codeType\":\"AUTH_CODE\"}");

        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).filteredOn(line -> line.startsWith("IoT call")).singleElement().asString()
                .contains("api=" + PATH).contains("code=2441").contains("outcome=permanent").contains("duration_ms=");
        assertThat(lines).noneMatch(line -> line.contains("very-secret-auth-code") || line.contains(APP_SECRET));
    }

    private static void assertInvalidField(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo("invalid_field");
        assertThat(body.path("field").asText()).isEqualTo(field);
    }

    private static HttpResponse<String> create(String body) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/iot/employees"))
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
}

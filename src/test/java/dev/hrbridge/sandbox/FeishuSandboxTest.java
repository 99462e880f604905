package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.hrbridge.sandbox.FeishuCalls.JSON_UTF8;
import static dev.hrbridge.sandbox.FeishuCalls.json;
import static dev.hrbridge.sandbox.FeishuCalls.refusalCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox's Feishu gateway checks what Feishu's does, in Feishu's order and answers: the tenant token endpoint,
 * the bearer token, the documented frequency limits, Content-Type and the JSON body.
 */
class FeishuSandboxTest {

    private static final String QR = "/open-apis/corehr/v2/onboarding_qr_codes";
    private static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";
    private static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    private static final String QR_BODY = "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},"
            + "\"value\":{\"select_value\":\"7147562782945478177\"}}]}";

    private final SettableClock clock = new SettableClock();
    private PlatformSimulator simulator;
    private FeishuCalls feishu;

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start("cli_test", "secret", clock);
        feishu = new FeishuCalls(simulator, "cli_test", "secret");
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void rightCredentialsGetATenantTokenWithItsTwoHourLifetime() throws Exception {
        JsonNode answer = json(token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", JSON_UTF8));
        assertThat(answer.path("code").asInt()).isZero();
        assertThat(answer.path("msg").asText()).isEqualTo("ok");
        assertThat(answer.path("tenant_access_token").asText()).startsWith("t-");
        assertThat(answer.path("expire").asInt()).isEqualTo(7200);
    }

    @Test
    void theSameTokenComesBackWhileItHasHalfAnHourLeftThenANewOneAndBothStayValid() throws Exception {
        String first = feishu.tenantToken();
        clock.advance(Duration.ofMinutes(90));
        JsonNode again = json(token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", JSON_UTF8));
        assertThat(again.path("tenant_access_token").asText()).isEqualTo(first);
        assertThat(again.path("expire").asInt()).isEqualTo(1800);

        clock.advance(Duration.ofSeconds(1));
        String second = feishu.tenantToken();

        assertThat(second).isNotEqualTo(first);
        assertThat(feishu.call(REVOKE, first, "{\"offboarding_id\":\"7095671727698478604\"}").statusCode()).isEqualTo(200);
        assertThat(feishu.call(REVOKE, second, "{\"offboarding_id\":\"7095671727698478605\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void wrongCredentialsAreRefusedWith10003And10014() throws Exception {
        assertThat(refusalCode(token("{\"app_id\":\"cli_test\",\"app_secret\":\"nope\"}", JSON_UTF8), 400)).isEqualTo(10014);
        assertThat(refusalCode(token("{\"app_secret\":\"secret\"}", JSON_UTF8), 400)).isEqualTo(10003);
        assertThat(refusalCode(token("{\"app_id\":\"cli_other\",\"app_secret\":\"secret\"}", JSON_UTF8), 400)).isEqualTo(10003);
        assertThat(refusalCode(token("{\"app_id\":7,\"app_secret\":\"secret\"}", JSON_UTF8), 400)).isEqualTo(10003);
    }

    @Test
    void theTokenEndpointWantsAJsonBodyDeclaredAsJson() throws Exception {
        assertThat(refusalCode(token("app_id=cli_test&app_secret=secret", "application/x-www-form-urlencoded"), 400)).isEqualTo(9499);
        assertThat(refusalCode(token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", "text/plain"), 400)).isEqualTo(9499);
        assertThat(refusalCode(token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", null), 400)).isEqualTo(9499);
        assertThat(refusalCode(token("app_id=cli_test", JSON_UTF8), 400)).isEqualTo(9499);
        assertThat(json(token("app_id=cli_test", JSON_UTF8)).path("msg").asText()).isEqualTo("Bad Request");
    }

    @Test
    void businessCallsWithoutABearerTokenGet99991661() throws Exception {
        assertThat(refusalCode(feishu.call(QR, null, QR_BODY), 400)).isEqualTo(99991661);
        assertThat(refusalCode(feishu.post(QR, JSON_UTF8, QR_BODY, "Authorization", "Bearer "), 400)).isEqualTo(99991661);
        assertThat(refusalCode(feishu.post(QR, JSON_UTF8, QR_BODY, "Authorization", "Basic " + feishu.tenantToken()), 400))
                .isEqualTo(99991661);
        String token = feishu.tenantToken();
        assertThat(refusalCode(feishu.post(QR, JSON_UTF8, QR_BODY, "Authorization", "Bearer " + token,
                "Authorization", "Bearer " + token), 400)).as("two Authorization headers").isEqualTo(99991661);
        assertThat(json(feishu.call(QR, null, QR_BODY)).path("msg").asText()).startsWith("Missing access token for authorization");
    }

    @Test
    void aForgedRevokedOrExpiredTokenGets99991663() throws Exception {
        assertThat(refusalCode(feishu.call(QR, "t-forged", QR_BODY), 400)).isEqualTo(99991663);

        String revoked = feishu.tenantToken();
        HttpResponse<String> revoke = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(simulator.baseUrl() + "/sandbox/tenant-tokens")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(revoke.statusCode()).isEqualTo(204);
        assertThat(refusalCode(feishu.call(QR, revoked, QR_BODY), 400)).isEqualTo(99991663);

        String expiring = feishu.tenantToken();
        assertThat(expiring).isNotEqualTo(revoked);
        clock.advance(Duration.ofHours(2));
        assertThat(refusalCode(feishu.call(QR, expiring, QR_BODY), 400)).isEqualTo(99991663);
        assertThat(json(feishu.call(QR, expiring, QR_BODY)).path("msg").asText()).startsWith("Invalid access token for authorization");
    }

    @Test
    void aPathOrMethodFeishuDoesNotServeIs404PlainTextBeforeAnyTokenCheck() throws Exception {
        HttpResponse<String> unknown = feishu.call("/open-apis/corehr/v2/nothing_here", null, "{}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("404 page not found");
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + QR))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "Content-Type {0} is served")
    @ValueSource(strings = {"application/json; charset=utf-8", "application/json", "Application/JSON; Charset=UTF-8",
            "application/json;charset=\"utf-8\""})
    void jsonInUtf8OrWithoutACharsetIsServed(String contentType) throws Exception {
        assertThat(feishu.post(QR, contentType, QR_BODY, "Authorization", "Bearer " + feishu.tenantToken()).statusCode())
                .isEqualTo(200);
    }

    @ParameterizedTest(name = "Content-Type {0} is 400 9499")
    @ValueSource(strings = {"text/plain", "text/plain; charset=utf-8", "application/json; charset=gbk",
            "application/x-www-form-urlencoded", "application/jsonp", "multipart/form-data; boundary=x", ""})
    void anotherMediaTypeOrCharsetIsABadRequest(String contentType) throws Exception {
        HttpResponse<String> answer = feishu.post(QR, contentType, QR_BODY, "Authorization", "Bearer " + feishu.tenantToken());
        assertThat(refusalCode(answer, 400)).isEqualTo(9499);
        assertThat(json(answer).path("msg").asText()).isEqualTo("Bad Request");
    }

    @Test
    void aMissingOrRepeatedContentTypeAndABodyThatIsNotOneJsonObjectAreBadRequests() throws Exception {
        String token = feishu.tenantToken();
        assertThat(refusalCode(feishu.post(QR, null, QR_BODY, "Authorization", "Bearer " + token), 400)).isEqualTo(9499);
        assertThat(refusalCode(feishu.post(QR, JSON_UTF8, QR_BODY, "Authorization", "Bearer " + token,
                "Content-Type", "text/plain"), 400)).isEqualTo(9499);
        for (String body : new String[] {QR_BODY + " {}", QR_BODY + "]", "[" + QR_BODY + "]", "\"text\"", "", "{\"dimension_value_list\":"}) {
            assertThat(refusalCode(feishu.call(QR, token, body), 400)).as(body).isEqualTo(9499);
        }
    }

    @Test
    void theQrCodeApiServes100CallsInAnyMinuteThenAnswersFeishus429UntilTheOldestLeavesTheWindow() throws Exception {
        String token = feishu.tenantToken();
        for (int i = 0; i < 100; i++) {
            assertThat(feishu.call(QR, token, QR_BODY).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMillis(100));
        }

        HttpResponse<String> limited = feishu.call(QR, token, QR_BODY);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"code\":99991400,\"msg\":\"request trigger frequency limit\"}");
        assertThat(limited.headers().firstValue("x-ogw-ratelimit-limit")).hasValue("100");
        assertThat(limited.headers().firstValue("x-ogw-ratelimit-reset")).hasValue("50");
        clock.advance(Duration.ofSeconds(49));
        assertThat(feishu.call(QR, token, QR_BODY).statusCode()).as("a refused call is not counted, the window still full")
                .isEqualTo(429);
        clock.advance(Duration.ofSeconds(1));
        assertThat(feishu.call(QR, token, QR_BODY).statusCode()).isEqualTo(200);
        assertThat(feishu.call(QR, token, QR_BODY).statusCode()).as("only the oldest call has left the window").isEqualTo(429);
        assertThat(feishu.call(REVOKE, token, "{\"offboarding_id\":\"7095671727698478604\"}").statusCode())
                .as("the limit is per API").isEqualTo(200);
    }

    @Test
    void callsWithAnInvalidBodyCountTowardTheLimitAndCallsWithoutATokenDoNot() throws Exception {
        String token = feishu.tenantToken();
        for (int i = 0; i < 100; i++) {
            assertThat(feishu.call(QR, null, QR_BODY).statusCode()).isEqualTo(400);
            assertThat(feishu.call(QR, token, "{}").statusCode()).isEqualTo(400);
        }
        assertThat(feishu.call(QR, token, QR_BODY).statusCode()).isEqualTo(429);
    }

    @Test
    void theHirePushesServe50CallsASecond() throws Exception {
        String token = feishu.tenantToken();
        for (int i = 0; i < 50; i++) {
            assertThat(feishu.call(PACKAGES, token, "{\"account_id\":\"a\",\"package_list\":[]}").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = feishu.call(PACKAGES, token, "{\"account_id\":\"a\",\"package_list\":[]}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("x-ogw-ratelimit-limit")).hasValue("50");
        assertThat(limited.headers().firstValue("x-ogw-ratelimit-reset")).hasValue("1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(feishu.call(PACKAGES, token, "{\"account_id\":\"a\",\"package_list\":[]}").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> token(String body, String contentType) throws Exception {
        return feishu.post(FeishuSandbox.TOKEN_PATH, contentType, body);
    }
}

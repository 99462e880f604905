package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox behaves like Feishu: right credentials get a token, wrong ones get Feishu's codes. */
class PlatformSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PlatformSimulator simulator;

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start("cli_test", "secret");
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void rightCredentialsGetATenantTokenWithItsLifetime() throws Exception {
        JsonNode answer = token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", 200);
        assertThat(answer.path("code").asInt()).isZero();
        assertThat(answer.path("tenant_access_token").asText()).startsWith("t-");
        assertThat(answer.path("expire").asInt()).isEqualTo(7200);
    }

    @Test
    void aWrongSecretIsRefusedWithCode10014() throws Exception {
        assertThat(token("{\"app_id\":\"cli_test\",\"app_secret\":\"nope\"}", 400).path("code").asInt()).isEqualTo(10014);
    }

    @Test
    void missingOrUnknownAppIdIsRefusedWithCode10003() throws Exception {
        assertThat(token("{\"app_secret\":\"secret\"}", 400).path("code").asInt()).isEqualTo(10003);
        assertThat(token("{\"app_id\":\"cli_other\",\"app_secret\":\"secret\"}", 400).path("code").asInt()).isEqualTo(10003);
    }

    @Test
    void aBodyThatIsNotJsonIsABadRequest() throws Exception {
        assertThat(token("app_id=cli_test", 400).path("code").asInt()).isEqualTo(9499);
    }

    @Test
    void businessCallsWithoutATokenGet99991661() throws Exception {
        HttpResponse<String> response = call("/open-apis/corehr/v2/onboarding_qr_codes", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("code").asInt()).isEqualTo(99991661);
    }

    @Test
    void businessCallsWithAnUnknownOrRevokedTokenGet99991663() throws Exception {
        assertThat(JSON.readTree(call("/open-apis/corehr/v2/onboarding_qr_codes", "t-forged").body()).path("code").asInt())
                .isEqualTo(99991663);
        String token = token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", 200).path("tenant_access_token").asText();
        simulator.feishu().revokeAllTokens();
        assertThat(JSON.readTree(call("/open-apis/corehr/v2/onboarding_qr_codes", token).body()).path("code").asInt())
                .isEqualTo(99991663);
    }

    @Test
    void aValidTokenReachesTheRegisteredOperation() throws Exception {
        simulator.feishu().register("POST", "/open-apis/test/echo",
                request -> PlatformSimulator.Reply.json(200, java.util.Map.of("code", 0, "msg", "success")));
        String token = token("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}", 200).path("tenant_access_token").asText();
        HttpResponse<String> response = call("/open-apis/test/echo", token);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(call("/open-apis/test/unknown", token).statusCode()).isEqualTo(404);
    }

    private JsonNode token(String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/open-apis/auth/v3/tenant_access_token/internal"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> call(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

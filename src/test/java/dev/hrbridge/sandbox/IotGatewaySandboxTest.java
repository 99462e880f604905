package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.iot.ApiGatewaySigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sandbox mode end to end: {@code POST /api/v1/iot/employees} reaches the simulated IoT gateway, whose signature
 * check accepts what HR Bridge signs and refuses what a real gateway refuses.
 */
class IotGatewaySandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/user/account/employee/createbyauthcode";
    private static final String KEY = "hrbridge-sandbox-iot";
    private static final String SECRET = "hrbridge-sandbox-iot-secret";
    private static final byte[] ENVELOPE = ("{\"id\":\"1\",\"version\":\"1.0\",\"request\":{\"apiVer\":\"1.0.0\"},"
            + "\"params\":{\"authCode\":\"ok-1\",\"codeType\":\"AUTH_CODE\"}}").getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    private static TestBridge bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void theReadmeExampleCreatesAnEmployeeThroughTheSignedSandboxGateway() throws Exception {
        HttpResponse<String> first = create("{\"authCode\":\"ok-123\",\"codeType\":\"AUTH_CODE\"}");
        HttpResponse<String> again = create("{\"authCode\":\"ok-123\",\"codeType\":\"AUTH_CODE\"}");

        assertThat(first.statusCode()).isEqualTo(201);
        JsonNode employee = JSON.readTree(first.body());
        assertThat(employee.path("employeeId").asText()).startsWith("50f4op");
        assertThat(employee.path("companyName").asText()).isEqualTo("HR Bridge Sandbox");
        assertThat(again.body()).as("deterministic, so documentation examples keep working").isEqualTo(first.body());
    }

    @Test
    void sandboxAuthCodesReachEveryMappedAnswer() throws Exception {
        assertThat(create("{\"authCode\":\"exists-1\",\"codeType\":\"AUTH_CODE\"}").statusCode()).isEqualTo(409);
        HttpResponse<String> expired = create("{\"authCode\":\"expired-1\",\"codeType\":\"SESSION_ID\"}");
        assertThat(expired.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(expired.body()).path("platform_code").asInt()).isEqualTo(2459);
        assertThat(JSON.readTree(expired.body()).path("platform_localized_msg").asText()).isEqualTo("会话Id不存在");
        assertThat(create("{\"authCode\":\"uninit-1\",\"codeType\":\"AUTH_CODE\"}").statusCode()).isEqualTo(422);
        assertThat(create("{\"authCode\":\"limited-1\",\"codeType\":\"AUTH_CODE\"}").statusCode()).isEqualTo(429);
    }

    @Test
    void theSimulatorAcceptsACorrectSignatureOnce() throws Exception {
        Map<String, String> headers = new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE);
        assertThat(send(headers, ENVELOPE).statusCode()).isEqualTo(200);
        assertThat(errorOf(send(headers, ENVELOPE), 400)).as("a replayed nonce").isEqualTo("Nonce Used");
    }

    @Test
    void aTamperedSignatureIsRejectedWith400InvalidSignature() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        String signature = headers.get("X-Ca-Signature");
        headers.put("X-Ca-Signature", (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1));
        assertThat(errorOf(send(headers, ENVELOPE), 400)).startsWith("Invalid Signature");
    }

    @Test
    void aSignatureByAnotherSecretIsRejectedAndAnotherAppKeyIsUnknown() throws Exception {
        assertThat(errorOf(send(new ApiGatewaySigner(KEY, "guessed").signJsonPost(PATH, ENVELOPE), ENVELOPE), 400))
                .startsWith("Invalid Signature");
        assertThat(errorOf(send(new ApiGatewaySigner("other-app", SECRET).signJsonPost(PATH, ENVELOPE), ENVELOPE), 400))
                .isEqualTo("Invalid AppKey");
    }

    @Test
    void aChangedBodyFailsTheContentMd5() throws Exception {
        Map<String, String> headers = new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE);
        byte[] tampered = new String(ENVELOPE, StandardCharsets.UTF_8).replace("ok-1", "ok-2").getBytes(StandardCharsets.UTF_8);
        assertThat(errorOf(send(headers, tampered), 400)).isEqualTo("Invalid Content-MD5");
    }

    @Test
    void aMissingSignatureIs401EmptySignature() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        headers.remove("X-Ca-Signature");
        assertThat(errorOf(send(headers, ENVELOPE), 401)).isEqualTo("Empty Signature");
    }

    @Test
    void aTimestampOlderThan15MinutesIs400EvenWhenCorrectlySigned() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        headers.put("X-Ca-Timestamp", String.valueOf(System.currentTimeMillis() - Duration.ofMinutes(16).toMillis()));
        headers.put("X-Ca-Signature", ApiGatewaySigner.signature(SECRET,
                ApiGatewaySigner.stringToSignOf("POST", PATH, Map.of(), headers::get)));
        assertThat(errorOf(send(headers, ENVELOPE), 400)).isEqualTo("Timestamp Expired");
    }

    private static String errorOf(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        return response.headers().firstValue("X-Ca-Error-Message").orElse("");
    }

    private static HttpResponse<String> send(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bridge.simulator().baseUrl() + PATH))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return TestBridge.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> create(String body) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/iot/employees"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

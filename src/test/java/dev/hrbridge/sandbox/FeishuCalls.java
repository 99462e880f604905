package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a simulator's Feishu over HTTP the way a Feishu client does, with every header under the test's control. */
final class FeishuCalls {

    static final String JSON_UTF8 = "application/json; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final PlatformSimulator simulator;
    private final String appId;
    private final String appSecret;

    FeishuCalls(PlatformSimulator simulator, String appId, String appSecret) {
        this.simulator = simulator;
        this.appId = appId;
        this.appSecret = appSecret;
    }

    /** A tenant token of the app. */
    String tenantToken() throws Exception {
        HttpResponse<String> answer = post(FeishuSandbox.TOKEN_PATH, JSON_UTF8,
                "{\"app_id\":\"" + appId + "\",\"app_secret\":\"" + appSecret + "\"}");
        return json(answer).path("tenant_access_token").asText();
    }

    /** A POST with {@code headers} as name, value pairs (null values are left out). */
    HttpResponse<String> post(String pathAndQuery, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                request.header(headers[i], headers[i + 1]);
            }
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON POST with {@code token} as bearer (none when null). */
    HttpResponse<String> call(String pathAndQuery, String token, String body) throws Exception {
        return post(pathAndQuery, JSON_UTF8, body, "Authorization", token == null ? null : "Bearer " + token);
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** Asserts Feishu's refusal shape and answers the code. */
    static int refusalCode(HttpResponse<String> response, int status) throws Exception {
        org.assertj.core.api.Assertions.assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        org.assertj.core.api.Assertions.assertThat(body.path("error").path("log_id").asText())
                .isNotBlank().isEqualTo(response.headers().firstValue("X-Tt-Logid").orElse(null));
        return body.path("code").asInt();
    }
}

package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a test instance's {@code /api} as an HR tool or operator does: with the bearer token, JSON in and out. */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestBridge bridge;
    private final String token;

    public ApiClient(TestBridge bridge, String token) {
        this.bridge = bridge;
        this.token = token;
    }

    /** {@code headers} are name, value pairs; a null body sends none. */
    public HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(bridge.api(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        boolean ownContentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            ownContentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !ownContentType) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return TestBridge.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return send("POST", path, body, headers);
    }

    /** The JSON answer of a GET that must succeed. */
    public JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}

package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the operator specifications share: Hire eco account events, their Feishu push, finding an event, error answers. */
final class OperatorSteps {

    static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    static final String ECO = "hire.eco_account.created_v1";

    private OperatorSteps() {
    }

    static FeishuPush webhook(TestBridge bridge) {
        return new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    static String newEventId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** A seed-shaped hire.eco_account.created_v1 for a background-check account of the shipped catalogue's 7233333. */
    static String ecoEvent(String eventId, String accountId) {
        return FeishuPush.v2Event(ECO, eventId, "t", """
                {"scope": 1, "account_id": "%s", "account_name": "story", "usage_list": [1],
                 "custom_field_list": [{"key": "ord_id", "value": "7233333"}]}""".formatted(accountId));
    }

    /** Feishu's package push for one account. */
    static MappingBuilder pushFor(String accountId) {
        return post(urlPathEqualTo(PACKAGES)).withRequestBody(matchingJsonPath("$.account_id", equalTo(accountId)));
    }

    /** The event as listed under the key Feishu delivers it under; null until it is in the inbox. */
    static JsonNode listed(ApiClient api, String eventId, String eventType) throws Exception {
        JsonNode items = api.getJson("/api/v1/events?event_id=" + eventId + "&app_id=" + FeishuPush.APP_ID
                + "&event_type=" + eventType).path("items");
        return items.size() == 1 ? items.get(0) : null;
    }

    /** The listed event once it reached a final state. */
    static JsonNode awaitFinal(ApiClient api, String eventId, String eventType) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode event = listed(api, eventId, eventType);
            return event != null && !event.path("state").asText().matches("PENDING|PROCESSING") ? event : null;
        }, Objects::nonNull);
    }

    /** A JSON error answer with {@code status} and {@code error}, no stack trace. */
    static void assertError(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        assertThat(json(response).path("error").asText()).as(response.body()).isEqualTo(error);
        assertThat(response.body()).doesNotContain("Exception", "\tat ");
    }

    /** Runs an MBean operation over Jolokia on the management port; its answer's value. */
    static String exec(TestBridge bridge, String mbean, String operation, Object... arguments) throws Exception {
        HttpResponse<String> response = jolokiaExec(bridge, mbean, operation, arguments);
        JsonNode answer = JOLOKIA_JSON.readTree(response.body());
        assertThat(answer.path("status").asInt()).as(response.body()).isEqualTo(200);
        return answer.path("value").asText();
    }

    /** Runs an operation that must fail; answers Jolokia's error answer (status, error_type, error), no stack trace. */
    static JsonNode execRefused(TestBridge bridge, String mbean, String operation, Object... arguments) throws Exception {
        HttpResponse<String> response = jolokiaExec(bridge, mbean, operation, arguments);
        JsonNode answer = JOLOKIA_JSON.readTree(response.body());
        assertThat(answer.path("status").asInt()).as(response.body()).isBetween(400, 499);
        assertThat(response.body()).doesNotContain("\tat ");
        return answer;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JOLOKIA_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static HttpResponse<String> jolokiaExec(TestBridge bridge, String mbean, String operation, Object... arguments)
            throws Exception {
        Map<String, Object> request = new HashMap<>();
        request.put("type", "exec");
        request.put("mbean", mbean);
        request.put("operation", operation);
        request.put("arguments", List.of(arguments));
        return TestBridge.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        bridge.management("/observe/jolokia")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JOLOKIA_JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

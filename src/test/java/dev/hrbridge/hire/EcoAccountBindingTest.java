package dev.hrbridge.hire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.feishu.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * hire.eco_account.created_v1 through the webhook of a live-mode instance against a stub Feishu (WireMock): the
 * binding stored with its customer, the catalogue pushed once, unmatched customers kept visible, retries, dead letters.
 */
class EcoAccountBindingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    private static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    private static final String PAPERS = "/open-apis/hire/v1/eco_exam_papers";
    private static final String API_TOKEN = "test-api-token";
    private static final String SUCCESS = "{\"code\":0,\"msg\":\"success\",\"data\":{}}";

    private static final String CATALOGUE = """
            {"customers": {
              "7233333": {
                "name": "Background check customer",
                "package_list": [{"id": "pkg-basic", "name": "Basic check", "description": "identity, education"},
                                 {"id": "pkg-senior", "name": "Senior check"}],
                "additional_item_list": [{"id": "item-reference", "name": "Reference call"}]
              },
              "7244444": {
                "paper_list": [{"id": "paper-java", "name": "Java test", "duration": 90, "question_count": 30},
                               {"id": "paper-open", "name": "Open test", "start_time": "1767225600000", "end_time": "1767830400000"}]
              }
            }}""";

    @TempDir
    static Path dir;

    static WireMockServer feishu;
    static TestBridge bridge;
    static FeishuPush webhook;

    @BeforeAll
    static void start() throws Exception {
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        Path catalogue = dir.resolve("customers.json");
        Files.writeString(catalogue, CATALOGUE);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.base-url", feishu.baseUrl());
        settings.put("feishu.app-id", FeishuPush.APP_ID);
        settings.put("feishu.app-secret", "eco-secret");
        settings.put("hrb.api.token", API_TOKEN);
        settings.put("hrb.eco.catalogue", catalogue.toString());
        settings.put("hrb.retry.eco-account-binding.max-attempts", "3");
        settings.put("hrb.retry.eco-account-binding.initial-delay-ms", "50");
        settings.put("hrb.retry.eco-account-binding.max-delay-ms", "100");
        settings.put("hrb.inbox.poll-interval-ms", "100");
        bridge = TestBridge.start(dir.resolve("data"), settings);
        webhook = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        feishu.stop();
    }

    @BeforeEach
    void freshStubs() {
        feishu.resetAll();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson("{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-eco\",\"expire\":7200}")));
    }

    @Test
    void theFixtureEventBindsCustomer7233333AndPushesItsBackgroundCheckPackages() throws Exception {
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).willReturn(okJson(SUCCESS)));

        assertThat(webhook.plain(Fixtures.read("event-eco-account-created.json")).statusCode()).isEqualTo(200);

        JsonNode processed = awaitFinal("5e3702a84e847582be8db7fb73283c02");
        assertThat(processed.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(processed.path("outcome").asText()).isEqualTo("pushed");
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES)).withRequestBody(equalToJson("""
                {"account_id": "6931286400470354183",
                 "package_list": [{"id": "pkg-basic", "name": "Basic check", "description": "identity, education"},
                                  {"id": "pkg-senior", "name": "Senior check"}],
                 "additional_item_list": [{"id": "item-reference", "name": "Reference call"}]}""")));
        JsonNode account = account("6931286400470354183");
        assertThat(account.path("scope").asInt()).isEqualTo(1);
        assertThat(account.path("account_name").asText()).isEqualTo("背调账号 001");
        assertThat(account.path("usage_list")).isEqualTo(JSON.readTree("[1]"));
        assertThat(account.path("custom_field_list")).isEqualTo(JSON.readTree("[{\"key\":\"ord_id\",\"value\":\"7233333\"}]"));
        assertThat(account.path("customer").asText()).isEqualTo("7233333");
        assertThat(account.path("status").asText()).isEqualTo("bound");
        assertThat(account.path("pushed_at").asText()).isNotEmpty();
        assertThat(account.path("created_at").asText()).isNotEmpty();
    }

    @Test
    void anExamAccountGetsItsCustomersExamPapers() throws Exception {
        feishu.stubFor(post(urlPathEqualTo(PAPERS)).willReturn(okJson(SUCCESS)));
        String accountId = newId();

        String eventId = send(2, accountId, "7244444");

        assertThat(awaitFinal(eventId).path("outcome").asText()).isEqualTo("pushed");
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PAPERS)).withRequestBody(equalToJson("""
                {"account_id": "%s",
                 "paper_list": [{"id": "paper-java", "name": "Java test", "duration": 90, "question_count": 30},
                                {"id": "paper-open", "name": "Open test", "start_time": "1767225600000", "end_time": "1767830400000"}]}
                """.formatted(accountId))));
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo(PACKAGES)));
        assertThat(account(accountId).path("status").asText()).isEqualTo("bound");
    }

    @Test
    void aRedeliveredEventOrASecondEventForTheSameAccountPushesNothingTwice() throws Exception {
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).willReturn(okJson(SUCCESS)));
        String accountId = newId();
        String eventId = newId();
        String event = event(eventId, 1, accountId, "[{\"key\":\"ord_id\",\"value\":\"7233333\"}]");

        webhook.plain(event);
        assertThat(awaitFinal(eventId).path("outcome").asText()).isEqualTo("pushed");
        HttpResponse<String> redelivery = webhook.plain(event);
        String secondEventId = send(1, accountId, "7233333");

        assertThat(redelivery.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(redelivery.body()).path("status").asText()).isEqualTo("duplicate");
        JsonNode second = awaitFinal(secondEventId);
        assertThat(second.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(second.path("outcome").asText()).isEqualTo("already_pushed");
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))
                .withRequestBody(matchingJsonPath("$.account_id", com.github.tomakehurst.wiremock.client.WireMock.equalTo(accountId))));
        assertThat(accounts("").path("items").findValuesAsText("account_id")).containsOnlyOnce(accountId);
    }

    @Test
    void anUnknownCustomerIsStoredUnmatchedVisibleAndNeitherPushedNorRetried() throws Exception {
        String unknownAccount = newId();
        String noFieldAccount = newId();

        String unknown = send(1, unknownAccount, "9999999");
        String noFieldEvent = newId();
        webhook.plain(event(noFieldEvent, 2, noFieldAccount, "[{\"key\":\"other\",\"value\":\"7233333\"}]"));

        for (String eventId : new String[] {unknown, noFieldEvent}) {
            JsonNode processed = awaitFinal(eventId);
            assertThat(processed.path("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(processed.path("outcome").asText()).isEqualTo("unmatched_customer");
            assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        }
        JsonNode unmatched = accounts("?status=unmatched").path("items");
        assertThat(unmatched.findValuesAsText("account_id")).contains(unknownAccount, noFieldAccount);
        assertThat(unmatched.findValuesAsText("status")).containsOnly("unmatched");
        assertThat(account(unknownAccount).path("unmatched_reason").asText()).isEqualTo("unknown_customer");
        assertThat(account(unknownAccount).has("customer")).isFalse();
        assertThat(account(noFieldAccount).path("unmatched_reason").asText()).isEqualTo("no_customer_field");
        assertThat(accounts("?status=bound").path("items").findValuesAsText("account_id"))
                .doesNotContain(unknownAccount, noFieldAccount);
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo(PACKAGES)));
        feishu.verify(exactly(0), postRequestedFor(urlPathEqualTo(PAPERS)));
    }

    @Test
    void aRetryableFailureIsRetriedAndTheCatalogueIsPushedOnce() throws Exception {
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\":1002001,\"msg\":\"System error\"}"))
                .willSetStateTo("recovered"));
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson(SUCCESS)));
        String accountId = newId();

        String eventId = send(1, accountId, "7233333");

        JsonNode processed = awaitFinal(eventId);
        assertThat(processed.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(processed.path("outcome").asText()).isEqualTo("pushed");
        assertThat(processed.path("attempts").asInt()).isEqualTo(2);
        feishu.verify(exactly(2), postRequestedFor(urlPathEqualTo(PACKAGES)));
        JsonNode account = account(accountId);
        assertThat(account.path("push_outcome").asText()).isEqualTo("pushed");
        assertThat(account.has("push_error")).isFalse();
    }

    @Test
    void aPermanentFailureBecomesADeadLetterAndTheBindingSaysSo() throws Exception {
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\":1002002,\"msg\":\"Parameter illegal\"}")));
        String accountId = newId();

        String eventId = send(1, accountId, "7233333");

        JsonNode processed = awaitFinal(eventId);
        assertThat(processed.path("state").asText()).isEqualTo("DEAD");
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES)));
        try (Connection connection = bridge.bridge().database().dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT flow, platform_code, state FROM dead_letter WHERE trace_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("flow")).isEqualTo("eco-account-binding");
                assertThat(rows.getInt("platform_code")).isEqualTo(1002002);
                assertThat(rows.getString("state")).isEqualTo("dead");
            }
        }
        JsonNode account = account(accountId);
        assertThat(account.path("status").asText()).isEqualTo("bound");
        assertThat(account.has("pushed_at")).isFalse();
        assertThat(account.path("push_outcome").asText()).isEqualTo("failed");
        assertThat(account.path("push_error").asText()).contains("1002002");
    }

    @Test
    void anAccountTheTableRefusesAfterItsPushEndsFailedOnceWithNothingHalfStored() throws Exception {
        // the binding is stored with the event's result, in its commit; a name longer than its column (1000) is refused
        // there, after Feishu took the catalogue: the event ends FAILED for its data, is neither retried nor pushed again
        feishu.stubFor(post(urlPathEqualTo(PACKAGES)).willReturn(okJson(SUCCESS)));
        String accountId = newId();
        String eventId = newId();
        String event = event(eventId, 1, accountId, "[{\"key\":\"ord_id\",\"value\":\"7233333\"}]")
                .replace("\"account " + accountId + "\"", "\"" + "名".repeat(1001) + "\"");
        assertThat(webhook.plain(event).statusCode()).isEqualTo(200);

        JsonNode processed = awaitFinal(eventId);
        assertThat(processed.path("state").asText()).isEqualTo("FAILED");
        assertThat(processed.path("outcome").asText()).isEqualTo("unstorable_data");
        assertThat(processed.path("attempts").asInt()).isEqualTo(1);
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES)));
        assertThat(accounts("").path("items").findValuesAsText("account_id")).doesNotContain(accountId);
        // and the instance goes on: the next account is bound and pushed
        String next = newId();
        assertThat(awaitFinal(send(1, next, "7233333")).path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(account(next).path("push_outcome").asText()).isEqualTo("pushed");
    }

    @Test
    void theListNeedsTheApiTokenAndAKnownStatus() throws Exception {
        HttpResponse<String> anonymous = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/eco-accounts")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> badStatus = get("/api/v1/eco-accounts?status=lost");
        assertThat(badStatus.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(badStatus.body()).path("error").asText()).isEqualTo("invalid_field");
        assertThat(JSON.readTree(badStatus.body()).path("field").asText()).isEqualTo("status");
    }

    private static String send(int scope, String accountId, String customer) throws Exception {
        String eventId = newId();
        HttpResponse<String> response = webhook.plain(event(eventId, scope, accountId,
                "[{\"key\":\"ord_id\",\"value\":\"" + customer + "\"}]"));
        assertThat(response.statusCode()).isEqualTo(200);
        return eventId;
    }

    static String event(String eventId, int scope, String accountId, String customFields) {
        return FeishuPush.v2Event("hire.eco_account.created_v1", eventId, "any-token", """
                {"scope": %d, "account_id": "%s", "account_name": "account %s", "usage_list": [1, 2],
                 "custom_field_list": %s}""".formatted(scope, accountId, accountId, customFields));
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The event's inbox row once it reached a final state. */
    private static JsonNode awaitFinal(String eventId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode event : JSON.readTree(get("/api/v1/events?limit=1000").body()).path("items")) {
                if (event.path("event_id").asText().equals(eventId)
                        && !event.path("state").asText().matches("PENDING|PROCESSING")) {
                    return event;
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }

    private static JsonNode account(String accountId) throws Exception {
        for (JsonNode account : accounts("").path("items")) {
            if (account.path("account_id").asText().equals(accountId)) {
                return account;
            }
        }
        throw new AssertionError("eco account " + accountId + " not listed");
    }

    private static JsonNode accounts(String query) throws Exception {
        HttpResponse<String> response = get("/api/v1/eco-accounts" + query);
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api(path)).header("Authorization", "Bearer " + API_TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}

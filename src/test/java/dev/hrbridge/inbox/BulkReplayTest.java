package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.db.PostgresServer;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.inbox.OperatorSteps.assertError;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN_PATH;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.feishuError;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replaying dead letters by filter ({@code POST /api/v1/dead-letters/replay}): bounded by {@code limit}, narrowed by flow,
 * platform code and time, and each dead letter replayed once however many callers ask at once, on one instance (H2) and
 * on two instances sharing PostgreSQL. Feishu is WireMock.
 */
class BulkReplayTest {

    static final String API_TOKEN = "bulk-replay-token";
    static final String REPLAY = "/api/v1/dead-letters/replay";

    @TempDir
    Path dir;
    WireMockServer feishu;
    final List<TestBridge> instances = new ArrayList<>();
    final List<ApiClient> apis = new ArrayList<>();

    @BeforeEach
    void startFeishu() {
        feishu = new WireMockServer(options().dynamicPort().containerThreads(40));
        feishu.start();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(TOKEN)));
    }

    @AfterEach
    void stop() {
        instances.forEach(TestBridge::close);
        feishu.stop();
    }

    private void start(String vendor, int count) throws Exception {
        Map<String, String> settings = new HashMap<>(PostgresServer.newDatabase(vendor, dir.resolve("db")));
        settings.putAll(Map.of("feishu.base-url", feishu.baseUrl(), "feishu.app-id", FeishuPush.APP_ID,
                "feishu.app-secret", "test-secret", "hrb.api.token", API_TOKEN, "hrb.inbox.poll-interval-ms", "50",
                "hrb.retry.offboarding-revoke.max-attempts", "1", "qr.sweep.cron", "0 0 3 1 1 ?"));
        for (int i = 0; i < count; i++) {
            TestBridge instance = TestBridge.start(dir.resolve("node-" + i), settings);
            instances.add(instance);
            apis.add(new ApiClient(instance, API_TOKEN));
        }
    }

    /** {@code count} revoke requests Feishu refuses with {@code code} (retryable), each DEAD after its one attempt. */
    private List<String> deadRequests(int count, int code) throws Exception {
        List<String> offboardings = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = newOffboardingId();
            feishu.stubFor(revokeOf(id).willReturn(feishuError(400, code, "try again")));
            offboardings.add(id);
            requests.add(revoke(apis.get(i % apis.size()), id));
        }
        for (String request : requests) {
            awaitState(apis.get(0), request, "DEAD");
        }
        for (String id : offboardings) {
            feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        }
        return requests;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentBulkReplaysFromTwoCallersReplayEachDeadLetterOnce(String vendor) throws Exception {
        start(vendor, vendor.equals("h2") ? 1 : 2);
        List<String> busy = deadRequests(30, 1160204);
        List<String> internal = deadRequests(5, 1160101);

        for (ApiClient api : apis) {
            // warm: the two callers' replays should overlap, not one run while the other is still loading classes
            assertThat(json(api.post(REPLAY, "{\"flow\":\"no-such-flow\",\"limit\":1}")).path("count").asInt()).isZero();
        }
        String filter = "{\"flow\":\"offboarding-revoke\",\"platform_code\":1160204,\"limit\":30}";
        ExecutorService callers = Executors.newFixedThreadPool(2);
        List<JsonNode> answers = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int caller = 0; caller < 2; caller++) {
                ApiClient api = apis.get(caller % apis.size());
                calls.add(callers.submit(() -> {
                    go.await();
                    return api.post(REPLAY, filter);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> answer = call.get();
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                answers.add(json(answer));
            }
        } finally {
            callers.shutdownNow();
        }

        List<String> replayed = new ArrayList<>();
        answers.forEach(answer -> replayed.addAll(answer.path("replayed").findValuesAsText("message_id")));
        assertThat(replayed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(busy);
        assertThat(answers.get(0).path("count").asInt() + answers.get(1).path("count").asInt()).isEqualTo(30);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.path("more").asBoolean()).isFalse());
        for (String request : busy) {
            JsonNode done = awaitState(apis.get(0), request, "SUCCEEDED");
            assertThat(done.path("replays")).hasSize(1);
            // one failed call, one after the replay: never a second replay's
            assertThat(done.path("attempt_history")).hasSize(2);
        }
        for (String request : internal) {
            assertThat(apis.get(0).getJson("/api/v1/requests/" + request).path("state").asText()).isEqualTo("DEAD");
        }
        assertThat(feishu.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(
                        dev.hrbridge.offboarding.StubFeishuBridge.REVOKE)))).hasSize(30 + 5 + 30);
    }

    @Test
    void theLimitBoundsEachCallAndTheTimeRangeNarrowsIt() throws Exception {
        start("h2", 1);
        Instant before = Instant.now().minusSeconds(1);
        List<String> requests = deadRequests(3, 1160204);
        Instant after = Instant.now().plusSeconds(1);
        ApiClient api = apis.get(0);

        JsonNode none = json(api.post(REPLAY, "{\"from\":\"" + after + "\",\"limit\":10}"));
        assertThat(none.path("count").asInt()).isZero();
        assertThat(json(api.post(REPLAY, "{\"to\":\"" + before + "\",\"limit\":10}")).path("count").asInt()).isZero();
        // the list shows what a bulk replay would take
        assertThat(api.getJson("/api/v1/dead-letters?state=dead&platform_code=1160204&from=" + before.toString()
                .replace(":", "%3A")).path("items")).hasSize(3);

        JsonNode first = json(api.post(REPLAY, "{\"from\":\"" + before + "\",\"to\":\"" + after + "\",\"limit\":2}"));
        assertThat(first.path("count").asInt()).isEqualTo(2);
        assertThat(first.path("more").asBoolean()).isTrue();
        JsonNode second = json(api.post(REPLAY, "{\"limit\":2}"));
        assertThat(second.path("count").asInt()).isEqualTo(1);
        assertThat(second.path("more").asBoolean()).isFalse();
        Set<String> replayed = new HashSet<>(first.path("replayed").findValuesAsText("message_id"));
        replayed.addAll(second.path("replayed").findValuesAsText("message_id"));
        assertThat(replayed).containsExactlyInAnyOrderElementsOf(requests);
        assertThat(json(api.post(REPLAY, "{\"limit\":2}")).path("count").asInt()).isZero();
        for (String request : requests) {
            assertThat(awaitState(api, request, "SUCCEEDED").path("replays").get(0).path("by").asText())
                    .isEqualTo("api-bulk");
        }
    }

    @Test
    void hostileBodiesAreRefusedWithAClearErrorAndReplayNothing() throws Exception {
        start("h2", 1);
        String request = deadRequests(1, 1160204).get(0);
        ApiClient api = apis.get(0);

        for (String limit : List.of("0", "-1", "501", "100000000", "99999999999999999999", "\"10\"", "10.5", "1e2", "null",
                "true", "[1]", "{}")) {
            assertError(api.post(REPLAY, "{\"limit\":" + limit + "}"), 422, "invalid_field");
        }
        assertError(api.post(REPLAY, "{}"), 422, "invalid_field");
        assertThat(json(api.post(REPLAY, "{}")).path("field").asText()).isEqualTo("limit");
        assertError(api.post(REPLAY, "{\"limit\":1,\"flows\":\"offboarding-revoke\"}"), 400, "unknown_field");
        assertThat(json(api.post(REPLAY, "{\"limit\":1,\"state\":\"replayed\"}")).path("field").asText()).isEqualTo("state");
        assertError(api.post(REPLAY, "{\"limit\":1,\"limit\":500}"), 400, "malformed_json");
        assertError(api.post(REPLAY, "{\"limit\":1} {\"limit\":500}"), 400, "malformed_json");
        assertError(api.post(REPLAY, "{\"limit\":1"), 400, "malformed_json");
        assertError(api.post(REPLAY, "[{\"limit\":1}]"), 400, "malformed_json");
        assertError(api.post(REPLAY, ""), 400, "malformed_json");
        assertError(api.post(REPLAY, "{\"limit\":1}", "Content-Type", "text/plain"), 415, "unsupported_media_type");
        assertError(api.post(REPLAY, "{\"limit\":1,\"flow\":\"" + "f".repeat(5000) + "\"}"), 400, "field_too_long");
        assertError(api.post(REPLAY, "{\"limit\":1,\"flow\":5}"), 422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"flow\":[\"offboarding-revoke\"]}"), 422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"platform_code\":\"1160204\"}"), 422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"from\":\"yesterday\"}"), 422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"from\":1700000000}"), 422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"from\":\"2025-01-02T00:00:00Z\",\"to\":\"2025-01-01T00:00:00Z\"}"),
                422, "invalid_field");
        assertError(api.post(REPLAY, "{\"limit\":1,\"pad\":\"" + "x".repeat(1_100_000) + "\"}"), 413, "body_too_large");
        assertError(new ApiClient(instances.get(0), "wrong").post(REPLAY, "{\"limit\":1}"), 401, "unauthorized");
        assertThat(api.send("GET", REPLAY, null).statusCode()).isEqualTo(404);

        assertThat(api.getJson("/api/v1/requests/" + request).path("state").asText()).isEqualTo("DEAD");
        assertThat(json(api.post(REPLAY, "{\"limit\":1,\"flow\":null,\"platform_code\":null}")).path("count").asInt())
                .isEqualTo(1);
        awaitState(api, request, "SUCCEEDED");
    }

    @Test
    void aBulkReplayIsAlsoAnOperationOfTheDeadLettersMBean() throws Exception {
        start("h2", 1);
        List<String> requests = deadRequests(2, 1160204);
        TestBridge bridge = instances.get(0);
        String mbean = "dev.hrbridge:context=" + bridge.bridge().context().getManagementName() + ",type=DeadLetters";

        // a refusal fails the operation, as the API answers 400
        JsonNode refused = OperatorSteps.execRefused(bridge, mbean, "replayMatching", "offboarding-revoke", "", "", "", 100000);
        assertThat(refused.path("status").asInt()).isEqualTo(400);
        assertThat(refused.path("error").asText()).startsWith("invalid_field");
        JsonNode badCode = OperatorSteps.execRefused(bridge, mbean, "replayMatching", "", "abc", "", "", 10);
        assertThat(badCode.path("error").asText()).startsWith("invalid_field");
        String answer = OperatorSteps.exec(bridge, mbean, "replayMatching", "offboarding-revoke", "1160204", "", "", 10);

        JsonNode replayed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer);
        assertThat(replayed.path("count").asInt()).isEqualTo(2);
        for (String request : requests) {
            assertThat(awaitState(apis.get(0), request, "SUCCEEDED").path("replays").get(0).path("by").asText())
                    .isEqualTo("jmx-bulk");
        }
    }
}

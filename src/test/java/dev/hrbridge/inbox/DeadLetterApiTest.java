package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.offboarding.StubFeishuBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.feishuError;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter API against a live instance whose Feishu is WireMock: retries run out (2 attempts), a dead letter
 * appears with the last answer's HTTP status and code, and a replay after the stub heals runs the original request
 * through the same flow once, however many replays arrive at once.
 */
class DeadLetterApiTest {

    @RegisterExtension
    static final StubFeishuBridge stage = new StubFeishuBridge(Map.of());

    @Test
    void exhaustedRetriesMakeTheRequestDeadWithADeadLetterAndAReplayAfterHealingSucceeds() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(feishuError(400, 1160204, "can not been withrawn in the same time")));

        String requestId = revoke(stage.api, id);
        JsonNode dead = awaitState(stage.api, requestId, "DEAD");

        assertThat(dead.path("attempts").asInt()).isEqualTo(2);
        assertThat(dead.path("platform_code").asInt()).isEqualTo(1160204);
        assertThat(stage.callsFor(id)).hasSize(2);
        JsonNode letter = deadLetterOf(requestId);
        assertThat(letter.path("state").asText()).isEqualTo("dead");
        assertThat(letter.path("flow").asText()).isEqualTo("offboarding-revoke");
        assertThat(letter.path("http_status").asInt()).isEqualTo(400);
        assertThat(letter.path("platform_code").asInt()).isEqualTo(1160204);
        assertThat(letter.path("platform_msg").asText()).isEqualTo("can not been withrawn in the same time");
        assertThat(letter.path("attempts").asInt()).isEqualTo(2);
        assertThat(letter.path("message_id").asText()).isEqualTo(requestId);
        assertThat(letter.path("error").asText()).contains("1160204");
        assertThat(letter.has("replayed_at")).isFalse();
        JsonNode detail = stage.api.getJson("/api/v1/dead-letters/" + letter.path("id").asText());
        assertThat(detail.path("payload").path("offboarding_id").asText()).isEqualTo(id);

        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        HttpResponse<String> replay = stage.api.post("/api/v1/dead-letters/" + letter.path("id").asText() + "/replay", null);

        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(json(replay).path("state").asText()).isEqualTo("replayed");
        assertThat(json(replay).path("message_id").asText()).isEqualTo(requestId);
        JsonNode succeeded = awaitState(stage.api, requestId, "SUCCEEDED");
        assertThat(succeeded.path("attempts").asInt()).isEqualTo(1);
        assertThat(succeeded.path("outcome").asText()).isEqualTo("revoked");
        assertThat(stage.callsFor(id)).hasSize(3);
        JsonNode replayed = stage.api.getJson("/api/v1/dead-letters/" + letter.path("id").asText());
        assertThat(replayed.path("state").asText()).isEqualTo("replayed");
        assertThat(replayed.path("replayed_at").asText()).isNotBlank();
        assertThat(stage.api.getJson("/api/v1/dead-letters?state=replayed").path("items"))
                .anyMatch(item -> item.path("id").equals(letter.path("id")));
        assertThat(stage.api.getJson("/api/v1/dead-letters?state=dead").path("items"))
                .noneMatch(item -> item.path("id").equals(letter.path("id")));

        HttpResponse<String> again = stage.api.post("/api/v1/dead-letters/" + letter.path("id").asText() + "/replay", null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).path("error").asText()).isEqualTo("already_replayed");
        assertThat(stage.callsFor(id)).hasSize(3);
    }

    @Test
    void concurrentReplaysAreOne202AndTheRest409AndFeishuIsCalledOnceMore() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(aResponse().withStatus(503).withBody("unavailable")));
        String requestId = revoke(stage.api, id);
        awaitState(stage.api, requestId, "DEAD");
        String letterId = deadLetterOf(requestId).path("id").asText();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        int before = stage.callsFor(id).size();

        ExecutorService operators = Executors.newFixedThreadPool(6);
        List<Integer> statuses = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> replays = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                replays.add(operators.submit(() -> {
                    go.await();
                    return stage.api.post("/api/v1/dead-letters/" + letterId + "/replay", null);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> replay : replays) {
                statuses.add(replay.get().statusCode());
            }
        } finally {
            operators.shutdownNow();
        }

        assertThat(statuses).containsExactlyInAnyOrder(202, 409, 409, 409, 409, 409);
        awaitState(stage.api, requestId, "SUCCEEDED");
        // nothing else is on its way: the poller had time to find a second copy, had there been one
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> stage.callsFor(id).size() == before + 1);
    }

    @Test
    void aDeletedDeadLetterIsGoneAndItsRequestStaysDead() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(aResponse().withStatus(502)));
        String requestId = revoke(stage.api, id);
        awaitState(stage.api, requestId, "DEAD");
        String letterId = deadLetterOf(requestId).path("id").asText();

        HttpResponse<String> deleted = stage.api.send("DELETE", "/api/v1/dead-letters/" + letterId, null);

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(stage.api.get("/api/v1/dead-letters/" + letterId).statusCode()).isEqualTo(404);
        assertThat(stage.api.send("DELETE", "/api/v1/dead-letters/" + letterId, null).statusCode()).isEqualTo(404);
        assertThat(stage.api.getJson("/api/v1/requests/" + requestId).path("state").asText()).isEqualTo("DEAD");
    }

    @Test
    void theListFiltersByFlowAndState() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(aResponse().withStatus(500)));
        String requestId = revoke(stage.api, id);
        awaitState(stage.api, requestId, "DEAD");

        assertThat(stage.api.getJson("/api/v1/dead-letters?flow=offboarding-revoke&state=dead").path("items"))
                .anyMatch(item -> item.path("trace_id").asText().equals(requestId));
        assertThat(stage.api.getJson("/api/v1/dead-letters?flow=eco-account-binding").path("items"))
                .noneMatch(item -> item.path("trace_id").asText().equals(requestId));
        HttpResponse<String> badState = stage.api.get("/api/v1/dead-letters?state=buried");
        assertThat(badState.statusCode()).isEqualTo(422);
        assertThat(json(badState).path("field").asText()).isEqualTo("state");
    }

    @Test
    void theIdInThePathDecidesWhatIsReadReplayedOrDeletedWhateverHeaderOrQueryParameterIsNamedId() throws Exception {
        String first = newOffboardingId();
        String second = newOffboardingId();
        stage.feishu.stubFor(revokeOf(first).willReturn(aResponse().withStatus(502)));
        stage.feishu.stubFor(revokeOf(second).willReturn(aResponse().withStatus(502)));
        String firstRequest = revoke(stage.api, first);
        String secondRequest = revoke(stage.api, second);
        awaitState(stage.api, firstRequest, "DEAD");
        awaitState(stage.api, secondRequest, "DEAD");
        String firstLetter = deadLetterOf(firstRequest).path("id").asText();
        String secondLetter = deadLetterOf(secondRequest).path("id").asText();
        stage.feishu.stubFor(revokeOf(first).willReturn(okJson(OK)));

        HttpResponse<String> request = stage.api.send("GET", "/api/v1/requests/" + firstRequest + "?id=" + secondRequest,
                null, "id", secondRequest);
        HttpResponse<String> letter = stage.api.send("GET", "/api/v1/dead-letters/" + firstLetter + "?id=" + secondLetter,
                null, "id", secondLetter);
        HttpResponse<String> replay = stage.api.send("POST", "/api/v1/dead-letters/" + firstLetter + "/replay?id=" + secondLetter,
                null, "id", secondLetter);
        HttpResponse<String> delete = stage.api.send("DELETE", "/api/v1/dead-letters/" + firstLetter + "?id=" + secondLetter,
                null, "id", secondLetter);

        assertThat(json(request).path("request_id").asText()).isEqualTo(firstRequest);
        assertThat(json(letter).path("id").asText()).isEqualTo(firstLetter);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(json(replay).path("message_id").asText()).isEqualTo(firstRequest);
        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(stage.api.get("/api/v1/dead-letters/" + firstLetter).statusCode()).isEqualTo(404);
        assertThat(stage.api.getJson("/api/v1/dead-letters/" + secondLetter).path("state").asText()).isEqualTo("dead");
        awaitState(stage.api, firstRequest, "SUCCEEDED");
        assertThat(stage.api.getJson("/api/v1/requests/" + secondRequest).path("state").asText()).isEqualTo("DEAD");
    }

    @Test
    void unknownDeadLettersAre404() throws Exception {
        String unknown = "/api/v1/dead-letters/00000000-0000-0000-0000-000000000000";

        assertThat(stage.api.get(unknown).statusCode()).isEqualTo(404);
        assertThat(stage.api.post(unknown + "/replay", null).statusCode()).isEqualTo(404);
        assertThat(json(stage.api.post(unknown + "/replay", null)).path("error").asText()).isEqualTo("not_found");
        assertThat(stage.api.send("DELETE", unknown, null).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutTheBearerTokenEveryDeadLetterCallIs401() throws Exception {
        ApiClient anonymous = new ApiClient(stage.bridge, null);
        String any = "/api/v1/dead-letters/00000000-0000-0000-0000-000000000000";

        assertThat(anonymous.get("/api/v1/dead-letters").statusCode()).isEqualTo(401);
        assertThat(anonymous.get(any).statusCode()).isEqualTo(401);
        assertThat(anonymous.post(any + "/replay", null).statusCode()).isEqualTo(401);
        assertThat(anonymous.send("DELETE", any, null).statusCode()).isEqualTo(401);
    }

    private static JsonNode deadLetterOf(String requestId) throws Exception {
        for (JsonNode item : stage.api.getJson("/api/v1/dead-letters?flow=offboarding-revoke").path("items")) {
            if (item.path("trace_id").asText().equals(requestId)) {
                return item;
            }
        }
        throw new AssertionError("no dead letter for request " + requestId);
    }
}

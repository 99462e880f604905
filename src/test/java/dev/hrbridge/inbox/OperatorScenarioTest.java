package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.inbox.OperatorSteps.ECO;
import static dev.hrbridge.inbox.OperatorSteps.awaitFinal;
import static dev.hrbridge.inbox.OperatorSteps.ecoEvent;
import static dev.hrbridge.inbox.OperatorSteps.listed;
import static dev.hrbridge.inbox.OperatorSteps.newEventId;
import static dev.hrbridge.inbox.OperatorSteps.webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator's night, in sandbox mode: Feishu Hire fails (a fault in the simulator), an eco account event dies; the
 * operator reads its story, pauses its flow, Hire is fixed, the flow resumed, and the dead letter replayed by filter: the
 * event ends SUCCEEDED and an event that arrived meanwhile ran once the flow was resumed.
 */
class OperatorScenarioTest {

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("hrb.inbox.poll-interval-ms", "100",
                "hrb.retry.eco-account-binding.max-attempts", "3",
                "hrb.retry.eco-account-binding.initial-delay-ms", "100",
                "hrb.retry.eco-account-binding.max-delay-ms", "200"));
        api = new ApiClient(bridge, "sandbox-token");
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aDeadEventIsReadPausedFixedResumedAndReplayedByFilterToSuccess() throws Exception {
        // Feishu Hire's system error on every push
        HttpResponse<String> fault = simulator("POST", "/sandbox/faults", "{\"pathPrefix\":\"/open-apis/hire/\","
                + "\"status\":500,\"code\":1002001,\"msg\":\"System error\",\"count\":0}");
        assertThat(fault.statusCode()).isEqualTo(201);
        String eventId = newEventId();
        String accountId = "7300000000000000001";
        assertThat(webhook(bridge).plain(ecoEvent(eventId, accountId)).statusCode()).isEqualTo(200);

        JsonNode dead = awaitFinal(api, eventId, ECO);
        assertThat(dead.path("state").asText()).isEqualTo("DEAD");

        // its story
        JsonNode story = api.getJson("/api/v1/events/" + dead.path("id").asText());
        assertThat(story.path("received").path("via").asText()).isEqualTo("webhook");
        assertThat(story.path("flow").asText()).isEqualTo("eco-account-binding");
        assertThat(story.path("attempt_history")).hasSize(3);
        assertThat(story.path("attempt_history").findValuesAsText("result")).containsExactly("RETRY", "RETRY", "DEAD");
        assertThat(story.path("attempt_history").get(0).path("http_status").asInt()).isEqualTo(500);
        assertThat(story.path("attempt_history").get(0).path("platform_code").asInt()).isEqualTo(1002001);
        assertThat(story.path("attempt_history").get(0).path("next_attempt_at").asText()).isNotBlank();
        assertThat(story.path("dead_letters")).hasSize(1);
        assertThat(story.path("final_state").asText()).isEqualTo("DEAD");

        // pause the flow: what comes meanwhile waits, still acknowledged
        JsonNode paused = json(api.post("/api/v1/flows/eco-account-binding/pause", null));
        assertThat(paused.path("paused").asBoolean()).isTrue();
        assertThat(paused.path("dead_letters").asLong()).isEqualTo(1);
        String meanwhile = newEventId();
        assertThat(webhook(bridge).plain(ecoEvent(meanwhile, "7300000000000000002")).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode waiting = listed(api, meanwhile, ECO);
            return waiting != null && api.getJson("/api/v1/events/" + waiting.path("id").asText()).path("waiting").asText()
                    .equals("flow_paused");
        });

        // Hire is fixed; resume; replay what died of it
        assertThat(simulator("DELETE", "/sandbox/faults", null).statusCode()).isBetween(200, 204);
        JsonNode resumed = json(api.post("/api/v1/flows/eco-account-binding/resume", null));
        assertThat(resumed.path("resumed_messages").asInt()).isEqualTo(1);
        assertThat(awaitFinal(api, meanwhile, ECO).path("state").asText()).isEqualTo("SUCCEEDED");
        HttpResponse<String> replay = api.post("/api/v1/dead-letters/replay",
                "{\"flow\":\"eco-account-binding\",\"platform_code\":1002001,\"limit\":10}");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(json(replay).path("replayed").findValuesAsText("message_id")).containsExactly(dead.path("id").asText());

        JsonNode done = await().atMost(Duration.ofSeconds(10)).until(
                () -> api.getJson("/api/v1/events/" + dead.path("id").asText()),
                event -> event.path("state").asText().equals("SUCCEEDED"));
        assertThat(done.path("final_state").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.path("attempt_history")).hasSize(4);
        assertThat(done.path("attempt_history").get(3).path("outcome").asText()).isEqualTo("pushed");
        assertThat(done.path("replays").get(0).path("by").asText()).isEqualTo("api-bulk");
        assertThat(bridge.simulator().feishu().hire().packagesOf(accountId)).isNotEmpty();
        assertThat(api.getJson("/api/v1/dead-letters?state=dead&flow=eco-account-binding").path("items")).isEmpty();
    }

    private static HttpResponse<String> simulator(String method, String path, String body) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(URI.create(bridge.simulator().baseUrl() + path))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}

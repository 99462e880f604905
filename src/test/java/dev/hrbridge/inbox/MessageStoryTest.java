package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.offboarding.StubFeishuBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.inbox.OperatorSteps.ECO;
import static dev.hrbridge.inbox.OperatorSteps.assertError;
import static dev.hrbridge.inbox.OperatorSteps.awaitFinal;
import static dev.hrbridge.inbox.OperatorSteps.ecoEvent;
import static dev.hrbridge.inbox.OperatorSteps.newEventId;
import static dev.hrbridge.inbox.OperatorSteps.pushFor;
import static dev.hrbridge.inbox.OperatorSteps.webhook;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.feishuError;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One message, its whole story: {@code GET /api/v1/requests/{id}} and {@code GET /api/v1/events/{id}} tell how it came in,
 * each attempt (when, how long, the route, what Feishu answered, when the next one was due), its dead letter, its replay
 * and how it ended; an event is found by the key Feishu delivers it under, and the event list narrows by state, flow,
 * type, time and platform code. Feishu is WireMock.
 */
class MessageStoryTest {

    @RegisterExtension
    static final StubFeishuBridge stage = new StubFeishuBridge(Map.of(
            "hrb.retry.eco-account-binding.max-attempts", "2",
            "hrb.retry.eco-account-binding.initial-delay-ms", "100",
            "hrb.retry.eco-account-binding.max-delay-ms", "200"));

    @Test
    void aRequestsStoryTellsHowItCameInEachAttemptItsDeadLetterItsReplayAndHowItEnded() throws Exception {
        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(feishuError(400, 1160204, "can not been withrawn in the same time")));
        String requestId = revoke(stage.api, id);
        awaitState(stage.api, requestId, "DEAD");

        JsonNode dead = stage.api.getJson("/api/v1/requests/" + requestId);

        // the answer tools already read stays as it was
        assertThat(dead.path("request_id").asText()).isEqualTo(requestId);
        assertThat(dead.path("state").asText()).isEqualTo("DEAD");
        assertThat(dead.path("attempts").asInt()).isEqualTo(2);
        assertThat(dead.path("platform_code").asInt()).isEqualTo(1160204);
        assertThat(dead.path("created_at").asText()).isNotBlank();
        assertThat(dead.path("received").path("via").asText()).isEqualTo("api");
        assertThat(dead.path("received").path("at").asText()).isEqualTo(dead.path("created_at").asText());
        assertThat(dead.path("final_state").asText()).isEqualTo("DEAD");
        JsonNode history = dead.path("attempt_history");
        assertThat(history).hasSize(2);
        JsonNode first = history.get(0);
        assertThat(first.path("seq").asInt()).isEqualTo(1);
        assertThat(first.path("attempt").asInt()).isEqualTo(1);
        assertThat(first.path("result").asText()).isEqualTo("RETRY");
        assertThat(first.path("flow").asText()).isEqualTo("offboarding-revoke");
        assertThat(first.path("route").asText()).isNotBlank();
        assertThat(first.path("http_status").asInt()).isEqualTo(400);
        assertThat(first.path("platform_code").asInt()).isEqualTo(1160204);
        assertThat(first.path("platform_msg").asText()).isEqualTo("can not been withrawn in the same time");
        assertThat(first.path("error").asText()).contains("1160204");
        assertThat(first.path("duration_ms").asLong()).isNotNegative();
        Instant firstStarted = Instant.parse(first.path("started_at").asText());
        Instant nextDue = Instant.parse(first.path("next_attempt_at").asText());
        Instant secondStarted = Instant.parse(history.get(1).path("started_at").asText());
        assertThat(nextDue).isAfter(firstStarted);
        assertThat(secondStarted).isAfterOrEqualTo(nextDue.minusMillis(50));
        assertThat(history.get(1).path("result").asText()).isEqualTo("DEAD");
        assertThat(history.get(1).path("outcome").asText()).isEqualTo("retries_exhausted");
        assertThat(history.get(1).has("next_attempt_at")).isFalse();
        assertThat(dead.path("dead_letters")).hasSize(1);
        String letterId = dead.path("dead_letters").get(0).path("id").asText();
        assertThat(dead.path("dead_letters").get(0).path("state").asText()).isEqualTo("dead");
        assertThat(dead.path("replays")).isEmpty();

        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        assertThat(stage.api.post("/api/v1/dead-letters/" + letterId + "/replay", null).statusCode()).isEqualTo(202);
        awaitState(stage.api, requestId, "SUCCEEDED");
        JsonNode story = stage.api.getJson("/api/v1/requests/" + requestId);

        assertThat(story.path("final_state").asText()).isEqualTo("SUCCEEDED");
        assertThat(story.path("attempt_history")).hasSize(3);
        JsonNode afterReplay = story.path("attempt_history").get(2);
        assertThat(afterReplay.path("seq").asInt()).isEqualTo(3);
        assertThat(afterReplay.path("attempt").asInt()).isEqualTo(1);
        assertThat(afterReplay.path("result").asText()).isEqualTo("SUCCEEDED");
        assertThat(afterReplay.path("outcome").asText()).isEqualTo("revoked");
        assertThat(story.path("dead_letters").get(0).path("state").asText()).isEqualTo("replayed");
        assertThat(story.path("replays")).hasSize(1);
        assertThat(story.path("replays").get(0).path("dead_letter_id").asText()).isEqualTo(letterId);
        assertThat(story.path("replays").get(0).path("by").asText()).isEqualTo("api");
        // the message id reads the same story as an inbox message
        JsonNode asMessage = stage.api.getJson("/api/v1/events/" + requestId);
        assertThat(asMessage.path("kind").asText()).isEqualTo("REQUEST");
        assertThat(asMessage.path("attempt_history")).isEqualTo(story.path("attempt_history"));
    }

    @Test
    void anEventIsFoundByTheKeyFeishuDeliversItUnderAndTellsHowAndFromWhomItCameIn() throws Exception {
        String eventId = newEventId();
        String accountId = newOffboardingId();
        stage.feishu.stubFor(pushFor(accountId).willReturn(okJson(OK)));
        assertThat(webhook(stage.bridge).plain(ecoEvent(eventId, accountId)).statusCode()).isEqualTo(200);

        JsonNode found = awaitFinal(stage.api, eventId, ECO);
        assertThat(found.path("event_id").asText()).isEqualTo(eventId);
        JsonNode story = stage.api.getJson("/api/v1/events/" + found.path("id").asText());

        assertThat(story.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(story.path("final_state").asText()).isEqualTo("SUCCEEDED");
        assertThat(story.path("kind").asText()).isEqualTo("EVENT");
        assertThat(story.path("flow").asText()).isEqualTo("eco-account-binding");
        JsonNode received = story.path("received");
        assertThat(received.path("via").asText()).isEqualTo("webhook");
        assertThat(received.path("app_id").asText()).isEqualTo(FeishuPush.APP_ID);
        assertThat(received.path("feishu_app").asText()).isEqualTo("default");
        assertThat(received.path("tenant_key").asText()).isEqualTo("2ca1d211f64f6438");
        assertThat(received.path("event_id").asText()).isEqualTo(eventId);
        assertThat(story.path("attempt_history")).hasSize(1);
        assertThat(story.path("attempt_history").get(0).path("result").asText()).isEqualTo("SUCCEEDED");
        assertThat(story.path("attempt_history").get(0).path("flow").asText()).isEqualTo("eco-account-binding");
        assertThat(story.path("attempt_history").get(0).path("outcome").asText()).isEqualTo("pushed");
        assertThat(story.path("dead_letters")).isEmpty();

        // a v1 event's uuid is its event_id
        String uuid = newEventId();
        assertThat(webhook(stage.bridge).plain(FeishuPush.v1Event("test.story_v1", uuid, "t")).statusCode()).isEqualTo(200);
        JsonNode v1 = awaitFinal(stage.api, uuid, "test.story_v1");
        assertThat(v1.path("state").asText()).isEqualTo("UNHANDLED");

        HttpResponse<String> alone = stage.api.get("/api/v1/events?event_id=" + eventId);
        assertThat(alone.statusCode()).isEqualTo(400);
        assertThat(json(alone).path("error").asText()).isEqualTo("invalid_query");
        assertThat(json(alone).path("parameter").asText()).isEqualTo("app_id");
        assertThat(stage.api.getJson("/api/v1/events?event_id=" + eventId + "&app_id=cli_other&event_type=" + ECO)
                .path("items")).isEmpty();
    }

    @Test
    void theEventListNarrowsByStateFlowTypeTimeAndPlatformCode() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String good = newEventId();
        String bad = newEventId();
        String goodAccount = newOffboardingId();
        String badAccount = newOffboardingId();
        stage.feishu.stubFor(pushFor(goodAccount).willReturn(okJson(OK)));
        stage.feishu.stubFor(pushFor(badAccount).willReturn(feishuError(400, 1002002, "Parameter illegal")));
        webhook(stage.bridge).plain(ecoEvent(good, goodAccount));
        webhook(stage.bridge).plain(ecoEvent(bad, badAccount));
        String unrouted = newEventId();
        webhook(stage.bridge).plain(FeishuPush.v2Event("test.filter_v1", unrouted, "t", "{}"));
        awaitFinal(stage.api, good, ECO);
        awaitFinal(stage.api, bad, ECO);
        awaitFinal(stage.api, unrouted, "test.filter_v1");
        Instant after = Instant.now().plusSeconds(1);

        assertThat(eventIds("platform_code=1002002")).contains(bad).doesNotContain(good, unrouted);
        assertThat(eventIds("state=DEAD&flow=eco-account-binding")).contains(bad).doesNotContain(good, unrouted);
        assertThat(eventIds("flow=eco-account-binding")).contains(good, bad).doesNotContain(unrouted);
        assertThat(eventIds("event_type=test.filter_v1")).containsExactly(unrouted);
        assertThat(eventIds("from=" + enc(before) + "&to=" + enc(after))).contains(good, bad, unrouted);
        assertThat(eventIds("to=" + enc(before))).doesNotContain(good, bad, unrouted);
        assertThat(eventIds("from=" + enc(after))).isEmpty();
        assertThat(eventIds("flow=no-such-flow")).isEmpty();
        // the filters page like every list
        JsonNode page = stage.api.getJson("/api/v1/events?flow=eco-account-binding&limit=1");
        assertThat(page.path("items")).hasSize(1);
        JsonNode next = stage.api.getJson("/api/v1/events?flow=eco-account-binding&limit=1&cursor="
                + page.path("next_cursor").asText());
        assertThat(next.path("items").get(0).path("id")).isNotEqualTo(page.path("items").get(0).path("id"));
    }

    @Test
    void hostileQueriesAndIdsGetAClearJsonErrorNeverAStackTrace() throws Exception {
        for (String list : List.of("/api/v1/events", "/api/v1/dead-letters", "/api/v1/onboarding-qr-codes",
                "/api/v1/eco-accounts", "/api/v1/flows")) {
            HttpResponse<String> unknown = stage.api.get(list + "?event_idd=1&limit=1");
            assertThat(unknown.statusCode()).as(list).isEqualTo(400);
            assertThat(json(unknown).path("error").asText()).as(list).isEqualTo("invalid_query");
            assertThat(json(unknown).path("parameter").asText()).as(list).isEqualTo("event_idd");
        }
        assertError(stage.api.get("/api/v1/events?state=DEAD&state=FAILED"), 400, "invalid_query");
        assertError(stage.api.get("/api/v1/events?from=yesterday"), 422, "invalid_field");
        assertError(stage.api.get("/api/v1/events?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z"), 422, "invalid_field");
        assertError(stage.api.get("/api/v1/events?platform_code=abc"), 422, "invalid_field");
        assertError(stage.api.get("/api/v1/events?platform_code=99999999999999999999"), 422, "invalid_field");
        assertError(stage.api.get("/api/v1/events?event_id=" + "e".repeat(200) + "&app_id=a&event_type=t"), 400,
                "field_too_long");
        assertError(stage.api.get("/api/v1/events?" + "x".repeat(3000) + "=1"), 400, "invalid_query");
        assertThat(stage.api.get("/api/v1/events?" + "x".repeat(3000) + "=1").body().length()).isLessThan(1000);
        assertError(stage.api.get("/api/v1/dead-letters?from=not-a-time"), 422, "invalid_field");
        for (String id : List.of("x".repeat(1000), "00000000-0000-0000-0000-000000000000", "%27%20OR%201%3D1",
                "..%2F..%2Fetc")) {
            HttpResponse<String> event = stage.api.get("/api/v1/events/" + id);
            assertError(event, 404, "not_found");
            assertThat(event.body().length()).isLessThan(500);
            assertError(stage.api.get("/api/v1/requests/" + id), 404, "not_found");
        }
        // a request is not an event's story and an event's id is not a request
        String unrouted = newEventId();
        webhook(stage.bridge).plain(FeishuPush.v2Event("test.hostile_v1", unrouted, "t", "{}"));
        String messageId = awaitFinal(stage.api, unrouted, "test.hostile_v1").path("id").asText();
        assertError(stage.api.get("/api/v1/requests/" + messageId), 404, "not_found");
        assertThat(stage.api.send("DELETE", "/api/v1/events/" + messageId, null).statusCode()).isEqualTo(405);
    }

    private static List<String> eventIds(String query) throws Exception {
        return stage.api.getJson("/api/v1/events?limit=1000&" + query).path("items").findValuesAsText("event_id");
    }

    private static String enc(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }
}

package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.offboarding.StubFeishuBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.inbox.OperatorSteps.assertError;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static dev.hrbridge.offboarding.StubFeishuBridge.revokeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pausing a flow: its messages wait PENDING, nothing is called or lost (a webhook is still answered 200), and resuming
 * runs them at once. Unknown and hostile flow names are 404 JSON. Feishu is WireMock.
 */
class FlowPauseTest {

    @RegisterExtension
    static final StubFeishuBridge stage = new StubFeishuBridge(Map.of(
            "hrb.retry.eco-account-binding.max-attempts", "2", "hrb.retry.eco-account-binding.initial-delay-ms", "100"));

    @AfterEach
    void resumeAll() throws Exception {
        for (JsonNode flow : stage.api.getJson("/api/v1/flows").path("items")) {
            if (flow.path("paused").asBoolean()) {
                stage.api.post("/api/v1/flows/" + flow.path("flow").asText() + "/resume", null);
            }
        }
    }

    @Test
    void everyFlowIsListedRunningWithTheEventTypesItTakes() throws Exception {
        JsonNode flows = stage.api.getJson("/api/v1/flows");

        assertThat(flows.path("items").findValuesAsText("flow")).contains("offboarding-revoke", "eco-account-binding",
                "onboarding-qr-codes", "qr-rotate", "qr-notify", "alert-notify");
        JsonNode eco = stage.api.getJson("/api/v1/flows/eco-account-binding");
        assertThat(eco.path("paused").asBoolean()).isFalse();
        assertThat(eco.path("event_types")).extracting(JsonNode::asText).containsExactly("hire.eco_account.created_v1");
        assertThat(eco.path("waiting").asLong()).isZero();
        JsonNode page = stage.api.getJson("/api/v1/flows?limit=2");
        assertThat(page.path("items")).hasSize(2);
        JsonNode next = stage.api.getJson("/api/v1/flows?limit=2&cursor=" + page.path("next_cursor").asText());
        assertThat(next.path("items").get(0).path("flow").asText())
                .isGreaterThan(page.path("items").get(1).path("flow").asText());
    }

    @Test
    void aPausedFlowsRequestsWaitPendingUncalledAndRunAtOnceWhenItIsResumed() throws Exception {
        JsonNode paused = json(stage.api.post("/api/v1/flows/offboarding-revoke/pause", null));
        assertThat(paused.path("paused").asBoolean()).isTrue();
        assertThat(paused.path("paused_by").asText()).isEqualTo("api");
        assertThat(paused.path("paused_at").asText()).isNotBlank();
        // pausing again changes nothing
        assertThat(json(stage.api.post("/api/v1/flows/offboarding-revoke/pause", null)).path("paused_at"))
                .isEqualTo(paused.path("paused_at"));

        String id = newOffboardingId();
        stage.feishu.stubFor(revokeOf(id).willReturn(okJson(OK)));
        String requestId = revoke(stage.api, id);

        await().atMost(Duration.ofSeconds(5)).until(() -> stage.api.getJson("/api/v1/requests/" + requestId)
                .path("waiting").asText().equals("flow_paused"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> stage.callsFor(id).isEmpty()
                && stage.api.getJson("/api/v1/requests/" + requestId).path("state").asText().equals("PENDING"));
        JsonNode waiting = stage.api.getJson("/api/v1/requests/" + requestId);
        assertThat(waiting.path("attempts").asInt()).isZero();
        assertThat(waiting.path("attempt_history")).isEmpty();
        assertThat(stage.api.getJson("/api/v1/flows/offboarding-revoke").path("waiting").asLong()).isEqualTo(1);

        long resumedAt = System.nanoTime();
        JsonNode resumed = json(stage.api.post("/api/v1/flows/offboarding-revoke/resume", null));

        assertThat(resumed.path("paused").asBoolean()).isFalse();
        assertThat(resumed.path("resumed_at").asText()).isNotBlank();
        assertThat(resumed.path("resumed_messages").asInt()).isEqualTo(1);
        awaitState(stage.api, requestId, "SUCCEEDED");
        assertThat(Duration.ofNanos(System.nanoTime() - resumedAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(stage.callsFor(id)).hasSize(1);
        assertThat(stage.api.getJson("/api/v1/requests/" + requestId).path("attempt_history")).hasSize(1);
    }

    @Test
    void aPausedFlowsEventsAreStillAcknowledgedAndWaitForIt() throws Exception {
        stage.api.post("/api/v1/flows/eco-account-binding/pause", null);
        String eventId = OperatorSteps.newEventId();
        String accountId = newOffboardingId();
        stage.feishu.stubFor(OperatorSteps.pushFor(accountId).willReturn(okJson(OK)));

        HttpResponse<String> acknowledged = OperatorSteps.webhook(stage.bridge).plain(OperatorSteps.ecoEvent(eventId, accountId));

        assertThat(acknowledged.statusCode()).isEqualTo(200);
        String query = "/api/v1/events?event_id=" + eventId + "&app_id=" + dev.hrbridge.feishu.FeishuPush.APP_ID
                + "&event_type=" + OperatorSteps.ECO;
        String messageId = await().atMost(Duration.ofSeconds(5)).until(() -> stage.api.getJson(query).path("items"),
                items -> items.size() == 1).get(0).path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> stage.api.getJson("/api/v1/events/" + messageId)
                .path("waiting").asText().equals("flow_paused"));
        assertThat(stage.api.getJson("/api/v1/events/" + messageId).path("state").asText()).isEqualTo("PENDING");
        assertThat(stage.feishu.findAll(postRequestedFor(urlPathEqualTo(OperatorSteps.PACKAGES))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(accountId)))).isEmpty();

        stage.api.post("/api/v1/flows/eco-account-binding/resume", null);

        await().atMost(Duration.ofSeconds(5)).until(() -> stage.api.getJson("/api/v1/events/" + messageId)
                .path("state").asText().equals("SUCCEEDED"));
    }

    @Test
    void aFlowIsPausedAndResumedOverJmxToo() throws Exception {
        String mbean = "dev.hrbridge:context=" + stage.bridge.bridge().context().getManagementName() + ",type=Flows";

        assertThat(OperatorSteps.exec(stage.bridge, mbean, "pause", "qr-notify")).contains("\"paused\":true");
        assertThat(stage.api.getJson("/api/v1/flows/qr-notify").path("paused_by").asText()).isEqualTo("jmx");
        // an unknown flow fails the operation (Jolokia 400), as the API answers 404
        assertThat(OperatorSteps.execRefused(stage.bridge, mbean, "pause", "no-such-flow").path("error").asText())
                .startsWith("not_found");
        assertThat(OperatorSteps.exec(stage.bridge, mbean, "resume", "qr-notify")).contains("\"paused\":false");
        assertThat(stage.api.getJson("/api/v1/flows/qr-notify").path("paused").asBoolean()).isFalse();
    }

    @Test
    void unknownAndHostileFlowNamesAre404AndWrongMethodsAreRefused() throws Exception {
        for (String name : new String[] {"no-such-flow", "x".repeat(1000), "%27%3B%20DROP%20TABLE%20hrb_flow", "event-router"}) {
            for (String action : new String[] {"pause", "resume"}) {
                HttpResponse<String> refused = stage.api.post("/api/v1/flows/" + name + "/" + action, null);
                assertError(refused, 404, "not_found");
                assertThat(refused.body().length()).isLessThan(500);
            }
            assertError(stage.api.get("/api/v1/flows/" + name), 404, "not_found");
        }
        assertThat(stage.api.get("/api/v1/flows/offboarding-revoke/pause").statusCode()).isEqualTo(405);
        assertThat(stage.api.post("/api/v1/flows", "{}").statusCode()).isEqualTo(405);
        assertError(stage.api.get("/api/v1/flows?paused=true"), 400, "invalid_query");
        assertError(stage.api.get("/api/v1/flows?limit=100000"), 422, "invalid_field");
        assertThat(new dev.hrbridge.ApiClient(stage.bridge, "wrong-token")
                .post("/api/v1/flows/offboarding-revoke/pause", null).statusCode()).isEqualTo(401);
        assertThat(stage.api.getJson("/api/v1/flows").path("items").findValuesAsText("flow"))
                .doesNotContain("no-such-flow", "event-router");
    }
}

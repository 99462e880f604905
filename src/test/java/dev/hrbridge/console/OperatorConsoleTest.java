package dev.hrbridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.BuriedEvents;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.inbox.FlowsView;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's endpoints as a client other than its page meets them: the management token on every one of them, the
 * one action refused without the console's header, with another content type or from another origin, and what a
 * message's story holds (never its payload).
 */
class OperatorConsoleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "console-test-management-token";

    @TempDir
    static Path dir;
    static TestBridge bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("hrb.management.token", TOKEN));
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void everyConsolePathNeedsTheManagementToken() throws Exception {
        for (String path : List.of("/console", "/console/console.js", "/console/api/overview", "/console/api/messages/x",
                "/console/api/flows/paused")) {
            HttpResponse<String> refused = send(HttpRequest.newBuilder(bridge.management(path)));
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.headers().allValues("WWW-Authenticate")).as(path).anyMatch(value -> value.startsWith("Basic "));
            assertThat(send(authorized(bridge.management(path), "Basic " + basic("any:wrong-" + TOKEN))).statusCode())
                    .as(path).isEqualTo(401);
        }
        HttpResponse<String> replay = send(action("no-such-letter").header("Authorization", "Bearer wrong"));
        assertThat(replay.statusCode()).isEqualTo(401);

        HttpResponse<String> page = send(authorized(bridge.management("/console"), "Basic " + basic("operator:" + TOKEN)));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script src=\"/console/console.js\"").doesNotContain("http://").doesNotContain("https://");
        // nothing but this port's own files runs in it, and no other site may frame it
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
                assertThat(policy).contains("script-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void theReplayIsRefusedWithoutTheConsoleHeaderAsAnotherContentTypeOrFromAnotherOrigin() throws Exception {
        String letter = buried().letterId();
        HttpResponse<String> noHeader = send(authorized(bridge.management("/console/api/dead-letters/" + letter + "/replay"), bearer())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertError(noHeader, 403, "console_header_missing");
        HttpResponse<String> form = send(authorized(bridge.management("/console/api/dead-letters/" + letter + "/replay"), bearer())
                .header("X-HRB-Console", "replay").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=b")));
        assertError(form, 415, "unsupported_media_type");
        HttpResponse<String> foreign = send(action(letter).header("Authorization", bearer())
                .header("Origin", "http://evil.example"));
        assertError(foreign, 403, "foreign_origin");
        HttpResponse<String> crossSite = send(action(letter).header("Authorization", bearer()).header("Sec-Fetch-Site", "cross-site"));
        assertError(crossSite, 403, "foreign_origin");
        assertThat(state(letter)).isEqualTo("dead");

        HttpResponse<String> replayed = send(action(letter).header("Authorization", bearer())
                .header("Origin", "http://127.0.0.1:" + bridge.management("/").getPort()));
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
        assertThat(JSON.readTree(replayed.body()).path("state").asText()).isEqualTo("replayed");
        assertError(send(action(letter).header("Authorization", bearer())), 409, "already_replayed");
        assertError(send(action("no-such-letter").header("Authorization", bearer())), 404, "not_found");
    }

    @Test
    void aMessageStoryIsWhatTheInboxKnowsWithoutThePayload() throws Exception {
        BuriedEvents.Buried buried = buried();
        String letter = buried.letterId();
        String messageId = buried.messageId();
        HttpResponse<String> story = send(authorized(bridge.management("/console/api/messages/" + messageId), bearer()));
        assertThat(story.statusCode()).isEqualTo(200);
        JsonNode message = JSON.readTree(story.body());
        assertThat(message.path("state").asText()).isEqualTo("DEAD");
        assertThat(message.path("flow").asText()).isEqualTo("event-router");
        assertThat(message.path("outcome").asText()).isEqualTo("retries_exhausted");
        assertThat(message.path("http_status").asInt()).isEqualTo(503);
        assertThat(message.path("dead_letters").findValuesAsText("id")).containsExactly(letter);
        // attempt by attempt, as GET /api/v1/events/{id} tells it (this one was buried without running: none;
        // ConsoleBrowserIT reads the attempts of a flow that ran)
        assertThat(message.path("history").isArray()).isTrue();
        assertThat(message.has("payload")).isFalse();
        assertThat(story.body()).doesNotContain("secret-field-value");

        for (String id : List.of("no-such-message", "..%2F..%2Fobserve%2Fhealth", "%3Cscript%3E", "x".repeat(5000))) {
            HttpResponse<String> unknown = send(authorized(bridge.management("/console/api/messages/" + id), bearer()));
            assertThat(unknown.statusCode()).as(id).isIn(404, 414, 431);
            assertThat(unknown.body()).as(id).startsWith("{\"error\":");
        }
    }

    @Test
    void theOverviewCountsTheInboxByStateAndFlowAndListsTheFailure() throws Exception {
        String letter = buried().letterId();
        bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class).token();
        JsonNode overview = JSON.readTree(send(authorized(bridge.management("/console/api/overview"), bearer())).body());
        assertThat(overview.at("/inbox/by_state/DEAD").asLong()).isPositive();
        assertThat(overview.at("/inbox/by_flow").findValuesAsText("flow")).contains("event-router");
        assertThat(overview.path("dead_letters").findValuesAsText("id")).contains(letter);
        assertThat(overview.path("dead_letters").findValuesAsText("flow")).contains("test-flow");
        assertThat(overview.path("failures").findValuesAsText("state")).contains("DEAD");
        assertThat(overview.at("/instance/mode").asText()).isEqualTo("sandbox");
        // the sandbox's store app, its ticket and tokens: never a token or ticket itself
        assertThat(overview.at("/feishu/app_tickets").findValuesAsText("app")).contains("store");
        String token = bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class).token();
        assertThat(overview.at("/feishu/tokens").findValuesAsText("kind")).contains("tenant_access_token");
        assertThat(overview.toString()).doesNotContain(token).doesNotContain("sandbox-token").doesNotContain(TOKEN);
        JsonNode paused = JSON.readTree(send(authorized(bridge.management("/console/api/flows/paused"), bearer())).body());
        assertThat(paused.path("available").asBoolean()).isTrue();
        assertThat(paused.path("items").findValuesAsText("flow")).doesNotContain("offboarding-revoke");
        FlowsView flows = bridge.bridge().context().getRegistry().lookupByNameAndType("flowsView", FlowsView.class);
        flows.pauseFor("offboarding-revoke", "test");
        try {
            paused = JSON.readTree(send(authorized(bridge.management("/console/api/flows/paused"), bearer())).body());
            assertThat(paused.path("items").findValuesAsText("flow")).contains("offboarding-revoke");
        } finally {
            flows.resumeFor("offboarding-revoke", "test");
        }
    }

    /** A dead event whose payload carries a value no console answer may show. */
    private static BuriedEvents.Buried buried() throws Exception {
        return BuriedEvents.bury(bridge, "{\"personal\":\"secret-field-value\"}");
    }

    private static String state(String letter) throws Exception {
        return JSON.readTree(send(authorized(bridge.api("/api/v1/dead-letters/" + letter), "Bearer sandbox-token")).body())
                .path("state").asText();
    }

    /** The replay as the console's page sends it. */
    private static HttpRequest.Builder action(String letter) {
        return HttpRequest.newBuilder(bridge.management("/console/api/dead-letters/" + letter + "/replay"))
                .header("X-HRB-Console", "replay").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
    }

    private static HttpRequest.Builder authorized(URI uri, String authorization) {
        return HttpRequest.newBuilder(uri).header("Authorization", authorization);
    }

    private static String bearer() {
        return "Bearer " + TOKEN;
    }

    private static String basic(String credentials) {
        return Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return TestBridge.HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> answer, int status, String error) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo(error);
    }
}

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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.offboarding.StubFeishuBridge.OK;
import static dev.hrbridge.offboarding.StubFeishuBridge.REVOKE;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN;
import static dev.hrbridge.offboarding.StubFeishuBridge.TOKEN_PATH;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.newOffboardingId;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pause is the deployment's, not an instance's: two instances on one PostgreSQL, a flow paused on one is held by the
 * other within {@code hrb.flows.refresh-ms}, resumed on the other it runs on both, and it survives a restart.
 */
class FlowPausePostgresTest {

    static final String API_TOKEN = "flow-pause-token";
    static final Duration REFRESH = Duration.ofMillis(500);

    @TempDir
    Path dir;
    WireMockServer feishu;
    Map<String, String> settings;
    final List<TestBridge> instances = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        feishu = new WireMockServer(options().dynamicPort().containerThreads(40));
        feishu.start();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(TOKEN)));
        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson(OK)));
        settings = new HashMap<>(PostgresServer.newDatabase("postgresql", dir));
        settings.putAll(Map.of("feishu.base-url", feishu.baseUrl(), "feishu.app-id", FeishuPush.APP_ID,
                "feishu.app-secret", "test-secret", "hrb.api.token", API_TOKEN, "hrb.inbox.poll-interval-ms", "50",
                "hrb.flows.refresh-ms", String.valueOf(REFRESH.toMillis()), "qr.sweep.cron", "0 0 3 1 1 ?"));
        instances.add(TestBridge.start(dir.resolve("a"), settings));
        instances.add(TestBridge.start(dir.resolve("b"), settings));
    }

    @AfterEach
    void stop() {
        instances.forEach(TestBridge::close);
        feishu.stop();
    }

    private ApiClient api(int instance) {
        return new ApiClient(instances.get(instance), API_TOKEN);
    }

    @Test
    void aFlowPausedOnOneInstanceWaitsOnTheOtherAndResumedThereRunsOnBoth() throws Exception {
        long pausedAt = System.nanoTime();
        assertThat(api(0).post("/api/v1/flows/offboarding-revoke/pause", null).statusCode()).isEqualTo(200);
        await().atMost(REFRESH.multipliedBy(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> api(1).getJson("/api/v1/flows/offboarding-revoke").path("paused").asBoolean());
        assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).isLessThan(REFRESH.multipliedBy(3));

        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(revoke(api(i % 2), newOffboardingId()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api(1).getJson("/api/v1/flows/offboarding-revoke")
                .path("waiting").asLong() == 10);
        await().during(REFRESH.multipliedBy(2)).atMost(REFRESH.multipliedBy(4))
                .until(() -> feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE))).isEmpty());

        JsonNode resumed = json(api(1).post("/api/v1/flows/offboarding-revoke/resume", null));

        assertThat(resumed.path("resumed_messages").asInt()).isEqualTo(10);
        for (String request : requests) {
            awaitState(api(0), request, "SUCCEEDED");
        }
        assertThat(feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE)))).hasSize(10);
        assertThat(api(0).getJson("/api/v1/flows/offboarding-revoke").path("paused").asBoolean()).isFalse();
    }

    @Test
    void aPauseSurvivesARestartAndWhatWaitedRunsOnceItIsResumed() throws Exception {
        api(0).post("/api/v1/flows/offboarding-revoke/pause", null);
        String request = revoke(api(0), newOffboardingId());
        await().atMost(Duration.ofSeconds(5)).until(() -> api(0).getJson("/api/v1/requests/" + request)
                .path("waiting").asText().equals("flow_paused"));
        instances.forEach(TestBridge::close);
        instances.clear();

        instances.add(TestBridge.start(dir.resolve("a"), settings));
        instances.add(TestBridge.start(dir.resolve("b"), settings));

        assertThat(api(1).getJson("/api/v1/flows/offboarding-revoke").path("paused").asBoolean()).isTrue();
        String another = revoke(api(1), newOffboardingId());
        await().during(REFRESH.multipliedBy(2)).atMost(REFRESH.multipliedBy(4))
                .until(() -> feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE))).isEmpty());
        assertThat(api(0).getJson("/api/v1/requests/" + another).path("state").asText()).isEqualTo("PENDING");

        api(1).post("/api/v1/flows/offboarding-revoke/resume", null);

        awaitState(api(0), request, "SUCCEEDED");
        awaitState(api(0), another, "SUCCEEDED");
        assertThat(feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE)))).hasSize(2);
    }
}

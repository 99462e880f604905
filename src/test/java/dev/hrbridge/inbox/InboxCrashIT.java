package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.hrbridge.JarProcess;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An acknowledged event survives the runtime being killed (SIGKILL: no shutdown hook) after the 200 and before
 * its processing ended, and is processed exactly once after the restart.
 */
class InboxCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;
    private WireMockServer stub;

    @BeforeEach
    void startStub() {
        stub = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        stub.start();
        stub.stubFor(post(urlEqualTo("/processed")).willReturn(ok()));
    }

    @AfterEach
    void stopStub() {
        stub.stop();
    }

    @Test
    void anEventAcknowledgedBeforeAKillIsProcessedOnceAfterTheRestart() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(getClass().getResource("/crash-probe/crash-probe.camel.yaml").toURI()),
                routes.resolve("crash-probe.camel.yaml"));
        Map<String, String> env = JarProcess.env(
                "HRB_ROUTES_DIR", routes.toString(),
                "CRASH_PROBE_URL", stub.baseUrl() + "/processed",
                "CRASH_PROBE_DELAY_MS", "4000",
                "HRB_NODE_HEARTBEAT_MS", "500",
                "HRB_INBOX_STALE_NODE_MS", "2000");

        try (JarProcess first = JarProcess.start(work, env)) {
            first.awaitHealthy(Duration.ofSeconds(90));
            FeishuPush feishu = new FeishuPush(first.api("/webhooks/feishu/events"), null);
            HttpResponse<String> ack = feishu.plain(FeishuPush.v2Event("test.crash_probe_v1", "crash-1", "t", "{}"));
            assertThat(ack.statusCode()).isEqualTo(200);
            // the event is inside its flow (acknowledged, not finished) when the process dies
            await().atMost(Duration.ofSeconds(5)).until(() -> inflight(first) == 1);
            first.kill();
        }
        stub.verify(0, postRequestedFor(urlEqualTo("/processed")));

        try (JarProcess second = JarProcess.start(work, env)) {
            second.awaitHealthy(Duration.ofSeconds(90));
            try {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        stub.verify(1, postRequestedFor(urlEqualTo("/processed")).withRequestBody(equalTo("crash-1"))));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("not processed after the restart; its log:\n" + second.output(), e);
            }
            // and only once: nothing else picks it up while the new instance settles
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).untilAsserted(() ->
                    stub.verify(1, postRequestedFor(urlEqualTo("/processed"))));
            HttpResponse<String> events = second.get(HttpRequest.newBuilder(second.api("/api/v1/events"))
                    .header("Authorization", "Bearer sandbox-token"));
            assertThat(JSON.readTree(events.body()).path("items").get(0).path("state").asText()).isEqualTo("SUCCEEDED");
        }
    }

    private static int inflight(JarProcess jar) throws Exception {
        HttpResponse<String> read = jar.get(jar.management("/observe/jolokia/read/org.apache.camel:context=hr-bridge,"
                + "type=routes,name=%22on-test.crash_probe_v1%22/ExchangesInflight"));
        return JSON.readTree(read.body()).path("value").asInt(-1);
    }
}

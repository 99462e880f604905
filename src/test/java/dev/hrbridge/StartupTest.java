package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.config.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a start that cannot finish, or has not finished yet, looks like from outside: a port taken by another process
 * stops it with the port and its setting named; until it is done the business port answers 503 in JSON.
 */
class StartupTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aBusinessPortTakenByAnotherProcessStopsTheStartNamingThePortAndItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> start(Map.of("camel.server.port", String.valueOf(taken.getLocalPort()))))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("cannot listen on 0.0.0.0:" + taken.getLocalPort())
                    .hasMessageContaining("camel.server.port (CAMEL_SERVER_PORT)");
        }
    }

    @Test
    void aManagementPortTakenByAnotherProcessStopsTheStartNamingThePortAndItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> start(Map.of("hrb.management.port", String.valueOf(taken.getLocalPort()))))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for the management port")
                    .hasMessageContaining("Address already in use")
                    .hasMessageContaining("hrb.management.port (HRB_MANAGEMENT_PORT)");
        }
    }

    @Test
    void untilTheStartIsDoneTheBusinessPortAnswers503InJsonThenServes() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        // the operator's routes are loaded once the ports listen; creating this bean holds the start there
        Files.writeString(routes.resolve("gate.camel.yaml"), """
                - beans:
                    - name: startupGate
                      type: dev.hrbridge.StartupGate
                """);
        int server = TestBridge.freePort();
        URI webhook = URI.create("http://127.0.0.1:" + server + "/webhooks/feishu/events");
        CompletableFuture<TestBridge> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return TestBridge.start(dir, Map.of("hrb.routes.dir", routes.toString(), "camel.server.port", String.valueOf(server)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(StartupGate.REACHED.await(90, TimeUnit.SECONDS)).as("the start reached the gate").isTrue();
            HttpResponse<String> early = TestBridge.HTTP.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"url_verification\",\"challenge\":\"c1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(early.headers().firstValue("Retry-After")).hasValue("5");
            JsonNode body = JSON.readTree(early.body());
            assertThat(body.path("error").asText()).isEqualTo("starting");
            assertThat(body.path("message").asText()).contains("starting");
            HttpResponse<String> api = TestBridge.HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server + "/api/v1/no-such-thing")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(503);
        } finally {
            StartupGate.OPEN.countDown();
        }
        try (TestBridge bridge = starting.get(90, TimeUnit.SECONDS)) {
            HttpResponse<String> ready = TestBridge.HTTP.send(HttpRequest.newBuilder(webhook)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"url_verification\",\"challenge\":\"c1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).path("challenge").asText()).isEqualTo("c1");
        }
    }

    private HrBridge start(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("camel.server.port", String.valueOf(TestBridge.freePort()));
        settings.put("hrb.management.port", String.valueOf(TestBridge.freePort()));
        settings.put("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath());
        settings.putAll(overrides);
        return HrBridge.start(settings);
    }
}

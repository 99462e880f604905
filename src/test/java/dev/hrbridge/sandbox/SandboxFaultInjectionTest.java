package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A newcomer can make the sandbox misbehave on demand over HTTP and watch what the outbound calls do. */
class SandboxFaultInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PlatformSimulator simulator;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start("cli_test", "secret");
        simulator.serve("/echo/", request -> PlatformSimulator.Reply.json(200, Map.of("code", 0, "msg", "success")));
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void aPostedFaultSpoilsTheNextCountCallsUnderItsPathThenTheSimulatorAnswersNormally() throws Exception {
        assertThat(admin("POST", "{\"pathPrefix\":\"/echo/\",\"status\":503,\"code\":1160101,\"msg\":\"internal\",\"count\":2}")
                .statusCode()).isEqualTo(201);

        assertThat(post("/echo/x").statusCode()).isEqualTo(503);
        assertThat(FeishuCalls.refusalCode(post("/echo/x"), 503)).as("Feishu's shape, with a log id").isEqualTo(1160101);
        assertThat(post("/echo/x").statusCode()).isEqualTo(200);
    }

    @Test
    void aRateLimitFaultCarriesTheResetHeader() throws Exception {
        simulator.injectFault(SandboxFault.rateLimited("/echo/", 1, 2));

        HttpResponse<String> limited = post("/echo/x");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("x-ogw-ratelimit-reset")).hasValue("2");
        assertThat(JSON.readTree(limited.body()).path("code").asInt()).isEqualTo(99991400);
    }

    @Test
    void aDelayFaultAnswersLateAndADropFaultNotAtAll() throws Exception {
        simulator.injectFault(new SandboxFault("/echo/", 0, 0, null, 1, 600, 0, false));
        long begin = System.nanoTime();
        assertThat(post("/echo/x").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

        simulator.injectFault(new SandboxFault("/echo/", 0, 0, null, 1, 0, 0, true));
        assertThatThrownBy(() -> post("/echo/x")).isInstanceOf(IOException.class);
    }

    @Test
    void deleteClearsEveryFaultAndAFaultWithoutCountLastsUntilThen() throws Exception {
        admin("POST", "{\"pathPrefix\":\"/echo/\",\"status\":500,\"code\":500,\"msg\":\"down\"}");
        assertThat(post("/echo/x").statusCode()).isEqualTo(500);
        assertThat(post("/echo/x").statusCode()).isEqualTo(500);
        assertThat(admin("GET", null).body()).contains("/echo/");

        assertThat(admin("DELETE", null).statusCode()).isEqualTo(204);

        assertThat(post("/echo/x").statusCode()).isEqualTo(200);
    }

    @Test
    void aMalformedFaultIsRefused() throws Exception {
        assertThat(admin("POST", "{\"pathPrefix\":\"echo\",\"status\":500}").statusCode()).isEqualTo(400);
    }

    @Test
    void inTheSandboxAnInjectedRateLimitReachesTheFeishuCallAsRetryableThenTheCallPasses() throws Exception {
        try (TestBridge test = TestBridge.start(dir)) {
            PlatformSimulator sandbox = test.simulator();
            sandbox.feishu().register("POST", "/open-apis/test/echo",
                    (body, request, caller) -> PlatformSimulator.Reply.json(200, Map.of("code", 0, "msg", "success")));
            HttpResponse<String> injected = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/sandbox/faults"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            SandboxFault.rateLimited("/open-apis/test/", 1, 2)))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(injected.statusCode()).isEqualTo(201);

            Exchange limited = callEcho(test);
            assertThat(limited.getException()).isInstanceOfSatisfying(RetryableFailure.class,
                    failure -> assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(2)));
            assertThat(callEcho(test).getException()).isNull();
        }
    }

    private static Exchange callEcho(TestBridge test) {
        return test.bridge().context().createProducerTemplate().send(
                "kamelet:feishu-openapi-action?api=test.echo&method=POST&path=/open-apis/test/echo",
                exchange -> exchange.getMessage().setBody(Map.of("hello", "sandbox")));
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String method, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/sandbox/faults"))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.hrbridge.feishu;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import dev.hrbridge.sandbox.LongConnectionFault;
import dev.hrbridge.sandbox.LongConnectionSandbox;
import dev.hrbridge.sandbox.PlatformSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged runtime in long-connection mode against Feishu's long connection (the sandbox's, run here in the test's
 * JVM so it outlives the runtime), SIGKILLed where it hurts: after it stored events and before Feishu had their
 * acknowledgements. Feishu delivers them again to the next instance, which acknowledges them as duplicates: every
 * event is stored once and processed once.
 */
class LongConnectionKillIT {

    static final String SECRET = "kill-it-app-secret";
    static final String EVENT_TYPE = "test.crash_probe_v1";
    static final String PROBE = "/processed";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    PlatformSimulator simulator;
    LongConnectionSandbox feishu;
    WireMockServer stub;

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start(FeishuPush.APP_ID, SECRET);
        feishu = simulator.longConnection().ackTimeout(Duration.ofSeconds(1)).maxAttempts(100)
                .clientConfig(new LongConnectionSandbox.ClientConfig(-1, 1, 1, 1));
        stub = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        stub.start();
        stub.stubFor(post(urlEqualTo(PROBE)).willReturn(ok()));
    }

    @AfterEach
    void stop() {
        stub.stop();
        simulator.close();
    }

    @Test
    void killedAfterStoringAndBeforeFeishuHadTheAcknowledgementsEveryEventIsProcessedOnce() throws Exception {
        Map<String, String> env = environment();
        int server = TestBridge.freePort();
        int management = TestBridge.freePort();
        List<String> events = new ArrayList<>();
        try (JarProcess jar = JarProcess.start(work, env, server, management)) {
            jar.awaitHealthy(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 1);
            // the acknowledgements leave HR Bridge but never reach Feishu, as when the process dies right after sending
            feishu.fault(LongConnectionFault.loseAcks());
            for (int i = 0; i < 20; i++) {
                events.add(push("lost-ack-" + i));
            }
            // stored and processed, with the result recorded: the kill cuts no attempt short, only the acknowledgements
            await().atMost(Duration.ofSeconds(20)).until(() -> succeeded(jar).containsAll(events));
            jar.kill();
        }
        assertThat(events).allSatisfy(id -> assertThat(feishu.event(id).state()).isNotEqualTo("acked"));

        feishu.fault(LongConnectionFault.none());
        try (JarProcess jar = JarProcess.start(work, env, server, management)) {
            jar.awaitHealthy(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(id -> feishu.event(id).state().equals("acked")));
            assertThat(jar.stop()).isIn(0, 143);
        }

        assertThat(events).allSatisfy(id -> assertThat(feishu.event(id).attempts()).isGreaterThan(1));
        assertThat(probeCalls()).containsOnlyKeys(events).allSatisfy((id, calls) -> assertThat(calls).as(id).isEqualTo(1));
        assertThat(storedEvents()).containsOnlyKeys(events).allSatisfy((id, rows) -> assertThat(rows).as(id).isEqualTo(1));
    }

    @Test
    void killedAtRandomWhileEventsStreamInNoneIsLostAndOnlyInterruptedAttemptsRepeat() throws Exception {
        long seed = Long.getLong("hrb.killloop.seed", System.nanoTime());
        System.out.println("LongConnectionKillIT seed " + seed + " (replay: -Dhrb.killloop.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<String, String> env = environment();
        int server = TestBridge.freePort();
        int management = TestBridge.freePort();
        List<String> events = new ArrayList<>();
        for (int kill = 0; kill < 3; kill++) {
            try (JarProcess jar = JarProcess.start(work, env, server, management)) {
                jar.awaitHealthy(Duration.ofSeconds(60));
                long until = System.nanoTime() + Duration.ofMillis(800 + random.nextInt(1500)).toNanos();
                // at most 200 a round: the sandbox keeps the story of its last 1,000 finished events
                while (System.nanoTime() < until && events.size() < (kill + 1) * 200) {
                    events.add(push("stream-" + kill + "-" + events.size()));
                    Thread.sleep(5); // the pace of the stream, not a wait for an outcome
                }
                jar.kill();
            }
        }
        try (JarProcess jar = JarProcess.start(work, env, server, management)) {
            jar.awaitHealthy(Duration.ofSeconds(60));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> events.stream().allMatch(id -> feishu.event(id).state().equals("acked")));
                await().atMost(Duration.ofSeconds(30)).until(() -> probeCalls().keySet().containsAll(events));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + "; the last instance's log:\n" + jar.output(), e);
            }
            assertThat(jar.stop()).isIn(0, 143);
        }

        Map<String, Integer> calls = probeCalls();
        long repeated = calls.values().stream().filter(count -> count > 1).count();
        System.out.printf("LongConnectionKillIT seed %d: %d events, %d deliveries, %d processed more than once%n", seed,
                events.size(), feishu.deliveries().size(), repeated);
        assertThat(storedEvents()).containsOnlyKeys(events).allSatisfy((id, rows) -> assertThat(rows).as(id).isEqualTo(1));
        assertThat(calls).containsOnlyKeys(events);
        // a processing attempt cut short by a kill is run again; at most the workers' worth per kill
        assertThat(repeated).isLessThanOrEqualTo(3 * 8);
    }

    private String push(String eventId) {
        feishu.push(FeishuPush.v2Event(EVENT_TYPE, eventId, "", "{}"));
        return eventId;
    }

    private Map<String, String> environment() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(getClass().getResource("/crash-probe/crash-probe.camel.yaml").toURI()),
                routes.resolve("crash-probe.camel.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return JarProcess.env(
                "HRB_ROUTES_DIR", routes.toString(),
                "CRASH_PROBE_URL", stub.baseUrl() + PROBE,
                "CRASH_PROBE_DELAY_MS", "10",
                "HRB_INBOX_WORKERS", "8",
                "HRB_NODE_HEARTBEAT_MS", "500",
                "HRB_INBOX_STALE_NODE_MS", "2000",
                "HRB_INBOX_POLL_INTERVAL_MS", "200",
                "FEISHU_BASE_URL", simulator.baseUrl(),
                "FEISHU_APP_ID", FeishuPush.APP_ID,
                "FEISHU_APP_SECRET", SECRET,
                "FEISHU_EVENT_MODE", "long-connection",
                "FEISHU_LONG_CONNECTION_RECONNECT_MAX_BACKOFF_MS", "500",
                "HRB_API_TOKEN", "kill-it-api-token");
    }

    /** Event ids whose inbox row is SUCCEEDED, over the API of the running instance. */
    private static Set<String> succeeded(JarProcess jar) throws Exception {
        Set<String> done = new HashSet<>();
        JsonNode page = new ObjectMapper().readTree(jar.get(HttpRequest.newBuilder(jar.api("/api/v1/events?state=SUCCEEDED&limit=100"))
                .header("Authorization", "Bearer kill-it-api-token")).body());
        page.path("items").forEach(item -> done.add(item.path("event_id").asText()));
        return done;
    }

    private Map<String, Integer> probeCalls() {
        return stub.findAll(postRequestedFor(urlEqualTo(PROBE))).stream()
                .collect(Collectors.toMap(LoggedRequest::getBodyAsString, r -> 1, Integer::sum));
    }

    /** Inbox rows per event id, read from the H2 file once the instance has stopped. */
    private Map<String, Integer> storedEvents() throws Exception {
        Map<String, Integer> rows = new HashMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("data/hrb").toAbsolutePath(), "hrb", "");
             Statement sql = db.createStatement();
             ResultSet stored = sql.executeQuery("SELECT trace_id FROM inbox WHERE kind = 'EVENT'")) {
            while (stored.next()) {
                rows.merge(stored.getString(1), 1, Integer::sum);
            }
        }
        return rows;
    }
}

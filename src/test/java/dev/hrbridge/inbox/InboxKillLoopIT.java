package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.offboarding.StubFeishuBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Under a steady load of signed, encrypted webhooks (a probe's events and the seed's eco account events) and
 * offboarding revoke requests, the packaged runtime (H2 file)
 * is SIGKILLed at random moments and restarted on the same working directory. Afterwards no acknowledged event and
 * no accepted request is lost, every one of them is final, and a key reached the upstream more than once only
 * where a kill cut its attempt short (calls per key never exceed the row's attempts; at most kills × workers keys).
 * <p>
 * The kill moments come from a seeded {@link Random}; the seed is printed, and {@code -Dhrb.killloop.seed=<seed>}
 * replays the same moments.
 */
class InboxKillLoopIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KILLS = 4;
    private static final int WORKERS = 8;
    private static final long MIN_UP_MS = 1000;
    private static final long MAX_UP_MS = 3500;
    private static final String EVENT_TYPE = "test.crash_probe_v1";
    private static final String PROBE = "/processed";
    private static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    private static final String ECO_EVENT_TYPE = "hire.eco_account.created_v1";
    private static final String ENCRYPT_KEY = "kill-loop-encrypt-key";
    private static final String VERIFICATION_TOKEN = "kill-loop-verification-token";
    private static final String API_TOKEN = "kill-loop-api-token";
    private static final List<String> FINAL = List.of("SUCCEEDED", "UNHANDLED", "FAILED", "DEAD");

    // kept when the test fails: the instances' logs and the H2 file
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private WireMockServer stub;
    private ScheduledExecutorService load;

    @BeforeEach
    void startStub() {
        // the probe's target and Feishu's token and revoke endpoints
        stub = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(40));
        stub.start();
        stub.stubFor(post(urlEqualTo(PROBE)).willReturn(ok()));
        stub.stubFor(post(StubFeishuBridge.TOKEN_PATH).willReturn(okJson(StubFeishuBridge.TOKEN)));
        stub.stubFor(post(urlPathEqualTo(StubFeishuBridge.REVOKE)).willReturn(okJson(StubFeishuBridge.OK)));
        stub.stubFor(post(urlPathEqualTo(PACKAGES)).willReturn(okJson(StubFeishuBridge.OK)));
    }

    @AfterEach
    void stop() {
        if (load != null) {
            load.shutdownNow();
        }
        stub.stop();
    }

    @Test
    void killedAtRandomUnderLoadNothingAcknowledgedIsLostAndOnlyInterruptedAttemptsRepeat() throws Exception {
        long seed = Long.getLong("hrb.killloop.seed", System.nanoTime());
        System.out.println("InboxKillLoopIT seed " + seed + " (replay: -Dhrb.killloop.seed=" + seed + "), work dir " + work);
        Random random = new Random(seed);
        long started = System.nanoTime();

        int serverPort = TestBridge.freePort();
        int managementPort = TestBridge.freePort();
        Map<String, String> env = environment();
        FeishuPush feishu = new FeishuPush(uri(serverPort, "/webhooks/feishu/events"), ENCRYPT_KEY);
        AtomicLong eventIds = new AtomicLong();
        Sender events = new Sender(200, () -> "kill-loop-" + eventIds.incrementAndGet(),
                id -> feishu.encrypted(FeishuPush.v2Event(EVENT_TYPE, id, VERIFICATION_TOKEN, "{}")));
        URI revoke = uri(serverPort, StubFeishuBridge.API);
        Sender requests = new Sender(202, StubFeishuBridge::newOffboardingId, offboardingId -> TestBridge.HTTP.send(
                HttpRequest.newBuilder(revoke).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + API_TOKEN).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "kill-loop-" + offboardingId)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"offboarding_id\":\"" + offboardingId + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()));

        // the seed's eco account event, a new account each: the binding is stored in the commit of the event's result
        AtomicLong accounts = new AtomicLong(8_100_000_000_000_000_000L);
        Sender ecoEvents = new Sender(200, () -> String.valueOf(accounts.incrementAndGet()),
                accountId -> feishu.encrypted(FeishuPush.v2Event(ECO_EVENT_TYPE, "kill-loop-eco-" + accountId, VERIFICATION_TOKEN,
                        "{\"scope\": 1, \"account_id\": \"" + accountId + "\", \"account_name\": \"kill loop\", "
                                + "\"usage_list\": [1], \"custom_field_list\": [{\"key\": \"ord_id\", \"value\": \"7233333\"}]}")));

        load = Executors.newScheduledThreadPool(4);
        load.scheduleWithFixedDelay(events::sendOne, 0, 5, TimeUnit.MILLISECONDS);
        load.scheduleWithFixedDelay(events::sendOne, 0, 5, TimeUnit.MILLISECONDS);
        load.scheduleWithFixedDelay(requests::sendOne, 0, 40, TimeUnit.MILLISECONDS);
        load.scheduleWithFixedDelay(ecoEvents::sendOne, 0, 40, TimeUnit.MILLISECONDS);

        List<String> kills = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            try (JarProcess jar = JarProcess.start(work, env, serverPort, managementPort)) {
                jar.awaitHealthy(Duration.ofSeconds(60));
                long upMs = MIN_UP_MS + random.nextLong(MAX_UP_MS - MIN_UP_MS);
                int acknowledgedBefore = events.acknowledged.size();
                // the chosen moment, and at least one event acknowledged by this instance: it dies under load
                await().pollDelay(Duration.ofMillis(upMs)).atMost(Duration.ofMillis(upMs + 20_000))
                        .until(() -> events.acknowledged.size() > acknowledgedBefore);
                kills.add(String.format("%.1fs (up %d ms, %d acknowledged, %d probe calls)", seconds(started), upMs,
                        events.acknowledged.size(), stub.countRequestsMatching(postRequestedFor(urlEqualTo(PROBE)).build()).getCount()));
                jar.kill();
            }
        }

        Map<String, JsonNode> requestViews = new HashMap<>();
        try (JarProcess last = JarProcess.start(work, env, serverPort, managementPort)) {
            last.awaitHealthy(Duration.ofSeconds(60));
            int acknowledgedBefore = events.acknowledged.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.acknowledged.size() > acknowledgedBefore + 100);
            load.shutdown();
            assertThat(load.awaitTermination(15, TimeUnit.SECONDS)).isTrue();
            // what was never acknowledged is sent again, the same id and key, until it is (Feishu redelivers too)
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> events.resendUnacknowledged() & requests.resendUnacknowledged()
                            & ecoEvents.resendUnacknowledged());

            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(missing(events.acknowledged.keySet(), probeCalls())).as("acknowledged events never processed").isEmpty());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    for (String requestId : requests.acknowledged.values()) {
                        if (!requestViews.containsKey(requestId)) {
                            JsonNode view = JSON.readTree(last.get(HttpRequest.newBuilder(uri(serverPort, "/api/v1/requests/" + requestId))
                                    .header("Authorization", "Bearer " + API_TOKEN)).body());
                            if (FINAL.contains(view.path("state").asText())) {
                                requestViews.put(requestId, view);
                            }
                        }
                    }
                    assertThat(requests.acknowledged.size() - requestViews.size()).as("accepted requests not final").isZero();
                });
                // nothing left open before the polite stop, so the file holds the final rows
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    JsonNode inbox = JSON.readTree(last.get(last.management(
                            "/observe/jolokia/read/dev.hrbridge:context=hr-bridge,type=Inbox")).body()).path("value");
                    return inbox.path("Pending").asLong(-1) == 0 && inbox.path("Processing").asLong(-1) == 0;
                });
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + "; the last instance's log:\n" + last.output(), e);
            }
            assertThat(last.stop()).isIn(0, 143);
        }

        // the H2 file is free once the instance stopped: the rows as stored, with their attempts
        Map<String, Row> eventRows = new HashMap<>();
        Map<String, Long> states = new TreeMap<>();
        long deadLetters;
        Map<String, String> bindings = new HashMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("data/hrb").toAbsolutePath(), "hrb", "");
             Statement sql = db.createStatement()) {
            try (ResultSet rows = sql.executeQuery("SELECT kind, trace_id, state, attempts FROM inbox")) {
                while (rows.next()) {
                    states.merge(rows.getString("kind") + " " + rows.getString("state"), 1L, Long::sum);
                    if ("EVENT".equals(rows.getString("kind"))) {
                        eventRows.put(rows.getString("trace_id"), new Row(rows.getString("state"), rows.getInt("attempts")));
                    }
                }
            }
            try (ResultSet rows = sql.executeQuery("SELECT account_id, event_id, push_outcome, pushed_at FROM eco_account")) {
                while (rows.next()) {
                    bindings.put(rows.getString("account_id"), rows.getString("push_outcome")
                            + (rows.getObject("pushed_at") == null ? " never pushed" : "") + " by " + rows.getString("event_id"));
                }
            }
            try (ResultSet count = sql.executeQuery("SELECT COUNT(*) FROM dead_letter")) {
                count.next();
                deadLetters = count.getLong(1);
            }
        }

        Map<String, Integer> probeCalls = probeCalls();
        Map<String, Integer> revokeCalls = revokeCalls();
        List<String> eventProblems = new ArrayList<>();
        int eventDuplicates = 0;
        for (String eventId : events.acknowledged.keySet()) {
            Row row = eventRows.get(eventId);
            int calls = probeCalls.getOrDefault(eventId, 0);
            eventDuplicates += calls > 1 ? 1 : 0;
            if (row == null || !row.state().equals("SUCCEEDED") || calls < 1 || calls > row.attempts()) {
                eventProblems.add(eventId + ": " + row + ", " + calls + " probe call(s)");
            }
        }
        // every acknowledged account bound once, by its event, with its push; pushed again only by a cut attempt
        Map<String, Integer> packageCalls = packageCalls();
        List<String> ecoProblems = new ArrayList<>();
        int ecoDuplicates = 0;
        for (String accountId : ecoEvents.acknowledged.keySet()) {
            Row row = eventRows.get("kill-loop-eco-" + accountId);
            int calls = packageCalls.getOrDefault(accountId, 0);
            ecoDuplicates += calls > 1 ? 1 : 0;
            if (row == null || !row.state().equals("SUCCEEDED") || calls < 1 || calls > row.attempts()
                    || !("pushed by kill-loop-eco-" + accountId).equals(bindings.get(accountId))) {
                ecoProblems.add(accountId + ": " + row + ", " + calls + " push(es), binding " + bindings.get(accountId));
            }
        }
        List<String> requestProblems = new ArrayList<>();
        int requestDuplicates = 0;
        for (Map.Entry<String, String> accepted : requests.acknowledged.entrySet()) {
            JsonNode view = requestViews.get(accepted.getValue());
            int calls = revokeCalls.getOrDefault(accepted.getKey(), 0);
            requestDuplicates += calls > 1 ? 1 : 0;
            if (!view.path("state").asText().equals("SUCCEEDED") || calls < 1 || calls > view.path("attempts").asInt()) {
                requestProblems.add(accepted.getKey() + ": " + view + ", " + calls + " revoke call(s)");
            }
        }
        System.out.printf("InboxKillLoopIT seed %d: %d kills at %s; events acknowledged %d, keys processed more than once %d "
                        + "(%d probe calls); revoke requests accepted %d, called more than once %d (%d revoke calls); "
                        + "eco accounts acknowledged %d, pushed more than once %d; "
                        + "bound %d keys; unacknowledged answers: events %s, requests %s; inbox rows %s; %.1f s%n",
                seed, KILLS, kills, events.acknowledged.size(), eventDuplicates, probeCalls.values().stream().mapToInt(i -> i).sum(),
                requests.acknowledged.size(), requestDuplicates, revokeCalls.values().stream().mapToInt(i -> i).sum(),
                ecoEvents.acknowledged.size(), ecoDuplicates, KILLS * WORKERS, events.refusals, requests.refusals, states, seconds(started));

        assertThat(events.unexpected).as("answers that no retry can fix").isEmpty();
        assertThat(requests.unexpected).as("answers that no retry can fix").isEmpty();
        assertThat(ecoEvents.unexpected).as("answers that no retry can fix").isEmpty();
        assertThat(ecoEvents.acknowledged).as("eco account events acknowledged").isNotEmpty();
        assertThat(ecoProblems).as("eco accounts lost, not final, bound other than once by their event, or pushed more "
                + "often than attempted").isEmpty();
        assertThat(bindings).as("bindings without an acknowledged event").hasSameSizeAs(ecoEvents.acknowledged);
        assertThat(eventProblems).as("acknowledged events lost, not final, or called more often than attempted").isEmpty();
        assertThat(requestProblems).as("accepted requests lost, not final, or called more often than attempted").isEmpty();
        assertThat(states.keySet()).as("inbox rows by kind and state").allMatch(s -> s.endsWith("SUCCEEDED"));
        assertThat(deadLetters).isZero();
        assertThat(eventDuplicates + requestDuplicates + ecoDuplicates).as("keys called more than once")
                .isLessThanOrEqualTo(KILLS * WORKERS);
    }

    private Map<String, String> environment() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(getClass().getResource("/crash-probe/crash-probe.camel.yaml").toURI()),
                routes.resolve("crash-probe.camel.yaml"));
        return JarProcess.env(
                "HRB_ROUTES_DIR", routes.toString(),
                "CRASH_PROBE_URL", stub.baseUrl() + PROBE,
                "CRASH_PROBE_DELAY_MS", "10",
                "HRB_INBOX_WORKERS", String.valueOf(WORKERS),
                "HRB_NODE_HEARTBEAT_MS", "500",
                "HRB_INBOX_STALE_NODE_MS", "2000",
                "HRB_INBOX_POLL_INTERVAL_MS", "200",
                "FEISHU_BASE_URL", stub.baseUrl(),
                "FEISHU_APP_ID", FeishuPush.APP_ID,
                "FEISHU_APP_SECRET", "kill-loop-app-secret",
                "FEISHU_ENCRYPT_KEY", ENCRYPT_KEY,
                "FEISHU_VERIFICATION_TOKEN", VERIFICATION_TOKEN,
                "HRB_API_TOKEN", API_TOKEN);
    }

    /** Probe calls per event id (the probe posts the id as its body). */
    private Map<String, Integer> probeCalls() {
        return stub.findAll(postRequestedFor(urlEqualTo(PROBE))).stream()
                .collect(Collectors.toMap(LoggedRequest::getBodyAsString, r -> 1, Integer::sum));
    }

    /** Hire catalogue pushes per eco account id. */
    private Map<String, Integer> packageCalls() {
        return stub.findAll(postRequestedFor(urlPathEqualTo(PACKAGES))).stream()
                .collect(Collectors.toMap(r -> readJson(r.getBodyAsString()).path("account_id").asText(), r -> 1, Integer::sum));
    }

    /** Feishu revoke calls per offboarding id. */
    private Map<String, Integer> revokeCalls() {
        return stub.findAll(postRequestedFor(urlPathEqualTo(StubFeishuBridge.REVOKE))).stream()
                .collect(Collectors.toMap(r -> readJson(r.getBodyAsString()).path("offboarding_id").asText(), r -> 1, Integer::sum));
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(json, e);
        }
    }

    private static List<String> missing(Iterable<String> expected, Map<String, Integer> seen) {
        List<String> missing = new ArrayList<>();
        expected.forEach(key -> {
            if (!seen.containsKey(key)) {
                missing.add(key);
            }
        });
        return missing;
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private record Row(String state, int attempts) {
    }

    /** How a test reaches an endpoint with one key. */
    @FunctionalInterface
    private interface Post {
        HttpResponse<String> send(String key) throws Exception;
    }

    /**
     * A client that retries like Feishu and a careful HR tool: a key not acknowledged (refused, reset, 503) is
     * sent again later, the same key, until it is. Acknowledged keys map to the answer's {@code request_id}, if any.
     */
    private static final class Sender {
        final int acknowledgedStatus;
        final Supplier<String> fresh;
        final Post post;
        final Queue<String> unacknowledged = new ConcurrentLinkedQueue<>();
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final Map<String, Integer> refusals = new ConcurrentHashMap<>();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();

        Sender(int acknowledgedStatus, Supplier<String> fresh, Post post) {
            this.acknowledgedStatus = acknowledgedStatus;
            this.fresh = fresh;
            this.post = post;
        }

        /** One send: a key waiting for its retry first, else a new one. */
        void sendOne() {
            String key = unacknowledged.poll();
            send(key != null ? key : fresh.get());
        }

        /** Sends every waiting key once; true when none is left waiting. */
        boolean resendUnacknowledged() {
            for (int i = unacknowledged.size(); i > 0; i--) {
                String key = unacknowledged.poll();
                if (key == null) {
                    break;
                }
                send(key);
            }
            return unacknowledged.isEmpty();
        }

        private void send(String key) {
            try {
                HttpResponse<String> answer = post.send(key);
                if (answer.statusCode() == acknowledgedStatus) {
                    acknowledged.put(key, readJson(answer.body()).path("request_id").asText(""));
                    return;
                }
                refusals.merge("HTTP " + answer.statusCode(), 1, Integer::sum);
                // 404 while the routes of a starting instance are not all up yet; 503 when a commit timed out
                if (answer.statusCode() != 404 && answer.statusCode() < 500) {
                    unexpected.add(key + ": " + answer.statusCode() + " " + answer.body());
                }
            } catch (IOException e) {
                refusals.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            } catch (Exception e) {
                unexpected.add(key + ": " + e);
            }
            unacknowledged.add(key);
        }
    }
}

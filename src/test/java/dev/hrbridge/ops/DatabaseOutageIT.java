package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
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
 * PostgreSQL stops for 10 s under the packaged jar and starts again on the same port and data directory. Health
 * says DOWN while it is gone and UP again by itself; a webhook or API request that cannot be stored is answered
 * 503 {@code storage_unavailable} within the commit timeout (so the sender keeps it); whatever was answered 200/202
 * is processed, once, including the work that was running when the database went away.
 * The flows: the crash probe (an external route that posts the event id to the stub) and the offboarding revoke
 * against a stub Feishu; a few of each answer slowly, so they are in flight when the database stops.
 */
class DatabaseOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /** hrb.inbox.commit-timeout-ms, the longest a sender may wait for a 503, plus slack for a loaded machine. */
    private static final Duration LONGEST_REFUSAL = Duration.ofMillis(2500 + 1500);
    private static final Duration SLOW_UPSTREAM = Duration.ofSeconds(4);
    private static final String EVENT_TYPE = "test.crash_probe_v1";
    private static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";
    private static final String API_TOKEN = "test-api-token";

    @TempDir
    Path work;
    private WireMockServer upstream;
    private EmbeddedPostgres postgres;
    private int postgresPort;

    @BeforeEach
    void startUpstreamAndPostgres() throws IOException {
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(60));
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/processed")).willReturn(ok()));
        upstream.stubFor(post(urlEqualTo("/processed")).withRequestBody(matching("slow-.*"))
                .willReturn(ok().withFixedDelay((int) SLOW_UPSTREAM.toMillis())));
        upstream.stubFor(post("/open-apis/auth/v3/tenant_access_token/internal")
                .willReturn(okJson("{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-outage\",\"expire\":7200}")));
        upstream.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
        upstream.stubFor(post(urlPathEqualTo(REVOKE)).withRequestBody(matchingJsonPath("$.offboarding_id", equalTo("9000000000000000001")))
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}").withFixedDelay((int) SLOW_UPSTREAM.toMillis())));
        postgresPort = TestBridge.freePort();
        postgres = startPostgres();
    }

    @AfterEach
    void stopAll() throws IOException {
        upstream.stop();
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void whileTheDatabaseIsGoneHealthIsDownSendersAreToldToRetryAndAfterItNothingAcknowledgedIsLostOrRunTwice()
            throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(getClass().getResource("/crash-probe/crash-probe.camel.yaml").toURI()),
                routes.resolve("crash-probe.camel.yaml"));
        Map<String, String> env = JarProcess.env(
                "HRB_DB_URL", jdbcUrl(), "HRB_DB_USER", "postgres", "HRB_DB_PASSWORD", "postgres",
                "FEISHU_APP_ID", FeishuPush.APP_ID, "FEISHU_APP_SECRET", "outage-app-secret", "HRB_API_TOKEN", API_TOKEN,
                "FEISHU_BASE_URL", upstream.baseUrl(),
                "HRB_ROUTES_DIR", routes.toString(),
                "CRASH_PROBE_URL", upstream.baseUrl() + "/processed",
                "CRASH_PROBE_DELAY_MS", "0");
        Map<String, Integer> acknowledged = new LinkedHashMap<>();
        List<String> acceptedRequests = new ArrayList<>();

        try (JarProcess bridge = JarProcess.start(work.resolve("instance"), env)) {
            bridge.awaitHealthy(Duration.ofSeconds(60));
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);

            // before: acknowledged and processed
            for (int i = 0; i < 20; i++) {
                acknowledged.put("before-" + i, send(feishu, "before-" + i).statusCode());
            }
            acceptedRequests.add(revoke(bridge, "9000000000000000000").path("request_id").asText());
            await().atMost(Duration.ofSeconds(20)).until(() -> probeCalls().size() == 20);
            await().atMost(Duration.ofSeconds(20)).until(() -> succeeded(acceptedRequests.get(0)));

            // acknowledged, and still running when the database stops: the upstream answers them in 4 s
            for (int i = 0; i < 10; i++) {
                acknowledged.put("slow-" + i, send(feishu, "slow-" + i).statusCode());
            }
            acceptedRequests.add(revoke(bridge, "9000000000000000001").path("request_id").asText());
            await().atMost(Duration.ofSeconds(10)).until(() -> probeCalls().size() == 30
                    && upstream.findAll(postRequestedFor(urlPathEqualTo(REVOKE))).size() == 2);
            assertThat(acknowledged).allSatisfy((id, status) -> assertThat(status).as(id).isEqualTo(200));

            // the outage: senders keep sending while health is watched
            long stopped = System.nanoTime();
            postgres.close();
            postgres = null;
            ExecutorService senders = Executors.newCachedThreadPool();
            List<Future<Answer>> duringOutage = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String id = "during-" + i;
                long at = stopped + Duration.ofMillis(300 + 350L * i).toNanos();
                duringOutage.add(senders.submit(timed(at, () -> send(feishu, id), id)));
            }
            Future<Answer> revokeDuringOutage = senders.submit(timed(stopped + Duration.ofSeconds(3).toNanos(),
                    () -> postApi(bridge, "/api/v1/offboardings/revoke", "{\"offboarding_id\":\"9000000000000000002\"}"),
                    "9000000000000000002"));
            Future<Answer> readDuringOutage = senders.submit(timed(stopped + Duration.ofSeconds(4).toNanos(),
                    () -> getApi(bridge, "/api/v1/requests/" + acceptedRequests.get(0)), "read"));

            // the database check waits 2 s for an answer, the dead-letters check 1 s; the rest is slack for a busy machine
            Duration toDown = untilHealth(bridge, "DOWN", stopped, Duration.ofSeconds(8));
            await().atMost(OUTAGE.plusSeconds(5)).until(() -> System.nanoTime() - stopped >= OUTAGE.toNanos());

            long restarted = System.nanoTime();
            postgres = startPostgres();
            Duration postgresStart = Duration.ofNanos(System.nanoTime() - restarted);
            // the pool's connection attempts back off up to 5 s while the database is gone
            Duration toUp = untilHealth(bridge, "UP", restarted, Duration.ofSeconds(15));

            List<Answer> refused = new ArrayList<>();
            for (Future<Answer> future : duringOutage) {
                Answer answer = future.get();
                assertThat(answer.sentAt()).as("sent during the outage").isLessThan(restarted);
                assertThat(answer.status()).as(answer.toString()).isIn(200, 503);
                if (answer.status() == 503) {
                    assertThat(JSON.readTree(answer.body()).path("error").asText()).as(answer.toString())
                            .isEqualTo("storage_unavailable");
                    assertThat(answer.took()).as(answer.toString()).isLessThan(LONGEST_REFUSAL);
                    refused.add(answer);
                } else {
                    acknowledged.put(answer.id(), 200);
                }
            }
            Answer revokeRefused = revokeDuringOutage.get();
            assertThat(revokeRefused.status()).as(revokeRefused.toString()).isEqualTo(503);
            assertThat(JSON.readTree(revokeRefused.body()).path("error").asText()).isEqualTo("storage_unavailable");
            Answer read = readDuringOutage.get();
            assertThat(read.status()).as(read.toString()).isEqualTo(503);
            assertThat(JSON.readTree(read.body()).path("error").asText()).isEqualTo("storage_unavailable");
            senders.shutdown();

            // Feishu redelivers what was not acknowledged; the HR tool sends its request again
            for (Answer answer : refused) {
                HttpResponse<String> again = send(feishu, answer.id());
                assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
                acknowledged.put(answer.id(), 200);
            }
            acceptedRequests.add(revoke(bridge, "9000000000000000002").path("request_id").asText());

            // everything acknowledged is processed, once, without help
            long recovered = System.nanoTime();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(inboxStates()).as("inbox state per event id")
                            .containsAllEntriesOf(acknowledged.keySet().stream()
                                    .collect(Collectors.toMap(Function.identity(), id -> "SUCCEEDED")));
                    assertThat(acceptedRequests).allMatch(this::succeeded);
                });
            } catch (AssertionError | ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\nits log:\n" + bridge.output(), e);
            }
            Duration toDrained = Duration.ofNanos(System.nanoTime() - recovered);
            // the timer routes outlived their failures: the heartbeat beats again (other instances would otherwise
            // take this one's work as orphaned)
            Instant restartedAt = Instant.now().minus(Duration.ofNanos(System.nanoTime() - restarted));
            await().atMost(Duration.ofSeconds(15)).until(() -> lastHeartbeat().isAfter(restartedAt));
            Map<String, Long> callsPerEvent = probeCalls().stream()
                    .collect(Collectors.groupingBy(LoggedRequest::getBodyAsString, Collectors.counting()));
            assertThat(callsPerEvent.keySet()).containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
            assertThat(callsPerEvent).as("upstream calls per event id").allSatisfy((id, calls) -> assertThat(calls).isOne());
            for (String offboarding : List.of("9000000000000000000", "9000000000000000001", "9000000000000000002")) {
                assertThat(upstream.findAll(postRequestedFor(urlPathEqualTo(REVOKE))
                        .withRequestBody(matchingJsonPath("$.offboarding_id", equalTo(offboarding))))).as(offboarding).hasSize(1);
            }

            System.out.printf("database outage of %d s: health DOWN after %d ms; PostgreSQL restarted in %d ms, health UP "
                            + "%d ms after that; %d events acknowledged (%d refused 503 during the outage in %d-%d ms, "
                            + "re-sent), %d requests accepted; all SUCCEEDED %d ms after the re-sends, each upstream call "
                            + "once; GET of a request during the outage: %d in %d ms%n",
                    OUTAGE.toSeconds(), toDown.toMillis(), postgresStart.toMillis(), toUp.toMillis(), acknowledged.size(),
                    refused.size(), refused.stream().mapToLong(a -> a.took().toMillis()).min().orElse(-1),
                    refused.stream().mapToLong(a -> a.took().toMillis()).max().orElse(-1), acceptedRequests.size(),
                    toDrained.toMillis(), read.status(), read.took().toMillis());
        }
    }

    /** One answer of a call made during the outage, and how long it took. */
    private record Answer(String id, int status, String body, long sentAt, Duration took) {
    }

    private static Callable<Answer> timed(long atNanos, Callable<HttpResponse<String>> call, String id) {
        return () -> {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> System.nanoTime() >= atNanos);
            long begin = System.nanoTime();
            HttpResponse<String> response = call.call();
            return new Answer(id, response.statusCode(), response.body(), begin, Duration.ofNanos(System.nanoTime() - begin));
        };
    }

    private static HttpResponse<String> send(FeishuPush feishu, String eventId) throws Exception {
        return feishu.plain(FeishuPush.v2Event(EVENT_TYPE, eventId, "t", "{}"));
    }

    private static JsonNode revoke(JarProcess bridge, String offboardingId) throws Exception {
        HttpResponse<String> response = postApi(bridge, "/api/v1/offboardings/revoke", "{\"offboarding_id\":\"" + offboardingId + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> postApi(JarProcess bridge, String path, String body) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + API_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> getApi(JarProcess bridge, String path) throws Exception {
        return bridge.get(HttpRequest.newBuilder(bridge.api(path)).header("Authorization", "Bearer " + API_TOKEN));
    }

    /** How long after {@code since} {@code /observe/health} first said {@code status}. */
    private static Duration untilHealth(JarProcess bridge, String status, long since, Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            HttpResponse<String> health = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.management("/observe/health"))
                    .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(health.body()).path("status").asText().equals(status);
        });
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private List<LoggedRequest> probeCalls() {
        return upstream.findAll(postRequestedFor(urlEqualTo("/processed")));
    }

    private EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("pgdata"))
                .setCleanDataDirectory(false)
                .setPort(postgresPort)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    private String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgresPort + "/postgres";
    }

    /** Inbox state per trace id (event id or request id), read straight from the database. */
    private Map<String, String> inboxStates() throws Exception {
        Map<String, String> states = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT trace_id, state FROM inbox")) {
            while (rows.next()) {
                states.put(rows.getString(1), rows.getString(2));
            }
        }
        return states;
    }

    private Instant lastHeartbeat() throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT MAX(heartbeat_at) FROM hrb_node")) {
            rows.next();
            return rows.getTimestamp(1).toInstant();
        }
    }

    private boolean succeeded(String requestId) {
        try {
            return "SUCCEEDED".equals(inboxStates().get(requestId));
        } catch (Exception e) {
            return false;
        }
    }
}

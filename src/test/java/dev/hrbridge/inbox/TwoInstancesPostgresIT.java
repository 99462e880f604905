package dev.hrbridge.inbox;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.JarProcess;
import dev.hrbridge.db.PostgresServer;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances share one PostgreSQL database and receive signed, encrypted events alternately, as behind a load
 * balancer. Half-way one of them is killed (SIGKILL) with work claimed and in flight: every acknowledged event is
 * still processed, the survivor takes over the dead instance's claimed work once its heartbeat is stale, and an
 * event reaches the upstream twice only when the kill cut its attempt short.
 */
class TwoInstancesPostgresIT {

    private static final int EVENTS = 2000;
    private static final int SENDERS = 8;
    private static final int WORKERS = 4;
    /**
     * How long the probe flow takes on each instance. The one to be killed is the slower, so that at the kill, on a
     * fast machine or a loaded one, it holds a backlog of work it claimed when storing it, besides attempts in flight.
     */
    private static final int DOOMED_DELAY_MS = 200;
    private static final int SURVIVOR_DELAY_MS = 20;
    /** Beats and a staleness limit short enough for a takeover in seconds, with room for a loaded machine's lag. */
    private static final int HEARTBEAT_MS = 250;
    private static final int STALE_NODE_MS = 3000;
    private static final String EVENT_TYPE = "test.crash_probe_v1";
    private static final String ENCRYPT_KEY = "two-instances-encrypt-key";
    private static final String VERIFICATION_TOKEN = "two-instances-verification-token";

    @TempDir
    Path work;
    private WireMockServer stub;

    @BeforeEach
    void startStub() {
        stub = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(64));
        stub.start();
        stub.stubFor(post(urlPathMatching("/processed/.*")).willReturn(ok()));
    }

    @AfterEach
    void stopStub() {
        stub.stop();
    }

    @Test
    void theSurvivorTakesOverTheKilledInstancesClaimedWorkAndEveryAcknowledgedEventIsProcessed() throws Exception {
        long started = System.nanoTime();
        String url = PostgresServer.newDatabase();
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(getClass().getResource("/crash-probe/crash-probe.camel.yaml").toURI()),
                routes.resolve("crash-probe.camel.yaml"));

        try (HeartbeatAges heartbeats = new HeartbeatAges(url);
             JarProcess doomed = JarProcess.start(work.resolve("a"), instance(url, routes, "a", DOOMED_DELAY_MS));
             JarProcess survivor = JarProcess.start(work.resolve("b"), instance(url, routes, "b", SURVIVOR_DELAY_MS))) {
            doomed.awaitHealthy(Duration.ofSeconds(90));
            survivor.awaitHealthy(Duration.ofSeconds(90));
            String doomedNode = awaitNodeId(url, doomed);
            String survivorNode = awaitNodeId(url, survivor);
            // from here on both serve: neither may look dead to the other (start-up itself claims nothing)
            heartbeats.reset();
            long healthy = System.nanoTime();

            FeishuPush toDoomed = new FeishuPush(doomed.api("/webhooks/feishu/events"), ENCRYPT_KEY);
            FeishuPush toSurvivor = new FeishuPush(survivor.api("/webhooks/feishu/events"), ENCRYPT_KEY);
            AtomicInteger next = new AtomicInteger();
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger failedOver = new AtomicInteger();
            AtomicReference<Instant> killedAt = new AtomicReference<>();
            Set<String> orphaned = new HashSet<>();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            List<Future<?>> sent = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                sent.add(senders.submit(() -> {
                    for (int i = next.getAndIncrement(); i < EVENTS; i = next.getAndIncrement()) {
                        boolean meantForDoomed = i % 2 == 0;
                        String event = FeishuPush.v2Event(EVENT_TYPE, eventId(i), VERIFICATION_TOKEN, "{}");
                        if (!deliver(event, meantForDoomed && killedAt.get() == null ? toDoomed : toSurvivor, toSurvivor,
                                failedOver)) {
                            throw new AssertionError("event " + i + " never acknowledged");
                        }
                        if (acknowledged.incrementAndGet() == EVENTS / 2) {
                            Instant kill = Instant.now();
                            doomed.kill();
                            killedAt.set(kill);
                            orphaned.addAll(claimedBy(url, doomedNode));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            senders.shutdown();
            assertThat(acknowledged.get()).isEqualTo(EVENTS);
            long posted = System.nanoTime();

            long drained;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> countSucceeded(url) == EVENTS);
                drained = System.nanoTime();
            } catch (RuntimeException e) {
                throw new AssertionError("not every event SUCCEEDED; the survivor's log:\n" + survivor.output(), e);
            }

            heartbeats.close();
            long survivorHeartbeatAge = heartbeats.oldest(survivorNode);
            assertThat(survivorHeartbeatAge).as("the survivor's heartbeat, as the other instance saw it, in ms")
                    .isBetween(0L, (long) STALE_NODE_MS);
            Map<String, Integer> attempts = attempts(url);
            Map<String, List<LoggedRequest>> calls = stub.findAll(postRequestedFor(urlPathMatching("/processed/.*")))
                    .stream().collect(Collectors.groupingBy(LoggedRequest::getBodyAsString));
            assertThat(attempts).hasSize(EVENTS);
            assertThat(calls.keySet()).as("every acknowledged event reached the upstream").isEqualTo(attempts.keySet());

            List<String> duplicates = new ArrayList<>();
            for (Map.Entry<String, List<LoggedRequest>> call : calls.entrySet()) {
                String key = call.getKey();
                assertThat(call.getValue().size()).as("upstream calls of %s, at most one per attempt", key)
                        .isLessThanOrEqualTo(attempts.get(key));
                if (call.getValue().size() > 1) {
                    duplicates.add(key);
                    // a second call only for work the killed instance held, one of whose attempts the kill cut short
                    String history = history(key, call.getValue(), attempts.get(key), doomed, survivor)
                            + "\nthe survivor's heartbeat was at most " + survivorHeartbeatAge + " ms old (stale after "
                            + STALE_NODE_MS + " ms)";
                    assertThat(orphaned.contains(key) && by(call.getValue(), "a") == 1 && by(call.getValue(), "b") == 1)
                            .as("a duplicate is work the killed instance had claimed, called once by each; %s", history)
                            .isTrue();
                }
            }

            assertThat(orphaned).as("work the killed instance had claimed and not finished").isNotEmpty();
            Instant firstTakeover = Instant.MAX;
            for (String key : orphaned) {
                List<LoggedRequest> bySurvivor = calls.get(key).stream().filter(r -> r.getUrl().endsWith("/b")).toList();
                assertThat(bySurvivor).as("%s, claimed by the killed instance, finished by the survivor", key).hasSize(1);
                Instant at = bySurvivor.get(0).getLoggedDate().toInstant();
                // the survivor never took work from a live instance
                assertThat(at).isAfterOrEqualTo(killedAt.get().truncatedTo(ChronoUnit.MILLIS));
                firstTakeover = at.isBefore(firstTakeover) ? at : firstTakeover;
            }
            long interruptedCalls = orphaned.stream().filter(k -> by(calls.get(k), "a") > 0).count();
            assertThat(duplicates.size()).as("events called twice: at most one per worker of the killed instance")
                    .isLessThanOrEqualTo(WORKERS);
            System.out.printf("two instances on PostgreSQL: %d events acknowledged (%d failed over to the survivor); "
                            + "killed instance held %d claimed, %d of them already called upstream; survivor took over %d "
                            + "(first %d ms after the kill); %d duplicate upstream calls %s; survivor's heartbeat at most "
                            + "%d ms old; both healthy after %d ms, posted in %d ms, all SUCCEEDED %d ms later; "
                            + "wall time %d s%n",
                    EVENTS, failedOver.get(), orphaned.size(), interruptedCalls, orphaned.size(),
                    Duration.between(killedAt.get(), firstTakeover).toMillis(), duplicates.size(), duplicates,
                    survivorHeartbeatAge, millis(started, healthy), millis(healthy, posted), millis(posted, drained),
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
        }
    }

    private Map<String, String> instance(String url, Path routes, String name, int delayMs) {
        return JarProcess.env(
                "HRB_DB_URL", url, "HRB_DB_USER", "postgres", "HRB_DB_PASSWORD", "postgres",
                "FEISHU_ENCRYPT_KEY", ENCRYPT_KEY, "FEISHU_VERIFICATION_TOKEN", VERIFICATION_TOKEN,
                "HRB_ROUTES_DIR", routes.toString(),
                // each instance reports to its own path, so the stub knows who processed an event
                "CRASH_PROBE_URL", stub.baseUrl() + "/processed/" + name,
                "CRASH_PROBE_DELAY_MS", String.valueOf(delayMs),
                "HRB_INBOX_WORKERS", String.valueOf(WORKERS),
                "HRB_NODE_HEARTBEAT_MS", String.valueOf(HEARTBEAT_MS),
                "HRB_INBOX_STALE_NODE_MS", String.valueOf(STALE_NODE_MS),
                "HRB_INBOX_POLL_INTERVAL_MS", "300");
    }

    /**
     * Samples how old each instance's heartbeat is, as another instance deciding on a takeover sees it: a live
     * instance whose heartbeat lags beyond the staleness limit is taken over by design, so a failure must show it.
     */
    private static final class HeartbeatAges implements AutoCloseable {

        private final Map<String, Long> oldest = new ConcurrentHashMap<>();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        HeartbeatAges(String url) {
            sampler.scheduleWithFixedDelay(() -> {
                try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                     PreparedStatement select = connection.prepareStatement("SELECT node_id, "
                             + "EXTRACT(EPOCH FROM (clock_timestamp() - heartbeat_at)) * 1000 FROM hrb_node");
                     ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        oldest.merge(rows.getString(1), rows.getLong(2), Math::max);
                    }
                } catch (SQLException missedSample) {
                    // the next sample counts
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        void reset() {
            oldest.clear();
        }

        long oldest(String node) {
            return oldest.getOrDefault(node, -1L);
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private static String eventId(int i) {
        return "two-instances-" + i;
    }

    /**
     * Sends until acknowledged; an instance that does not answer is replaced by the survivor, as a load balancer
     * does (the event may be stored already: then the survivor answers it as a duplicate).
     */
    private static boolean deliver(String event, FeishuPush first, FeishuPush survivor, AtomicInteger failedOver)
            throws Exception {
        FeishuPush target = first;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                HttpResponse<String> answer = target.encrypted(event);
                if (answer.statusCode() == 200) {
                    return true;
                }
            } catch (IOException unreachable) {
                if (target != survivor) {
                    failedOver.incrementAndGet();
                    target = survivor;
                }
            }
        }
        return false;
    }

    /** The upstream calls of {@code key} and what both logs say of it, for a failure message. */
    private static String history(String key, List<LoggedRequest> calls, int attempts, JarProcess doomed,
                                  JarProcess survivor) {
        String pattern = key + " ";
        return key + " (attempts " + attempts + ") called by " + calls.stream()
                .map(r -> r.getUrl() + "@" + r.getLoggedDate().toInstant()).toList()
                + "\nkilled instance: " + doomed.output().lines().filter(l -> l.contains(pattern)).toList()
                + "\nsurvivor: " + survivor.output().lines().filter(l -> l.contains(pattern)).toList();
    }

    private static long by(List<LoggedRequest> calls, String instance) {
        return calls.stream().filter(r -> r.getUrl().endsWith("/" + instance)).count();
    }

    private static String awaitNodeId(String url, JarProcess jar) {
        String pid = "-" + jar.process().pid() + "-";
        List<String> ids = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ids.clear();
            ids.addAll(strings(url, "SELECT node_id FROM hrb_node WHERE node_id LIKE ?", "%" + pid + "%"));
            return ids.size() == 1;
        });
        return ids.get(0);
    }

    private static List<String> claimedBy(String url, String node) throws SQLException {
        return strings(url, "SELECT trace_id FROM inbox WHERE state = 'PROCESSING' AND lease_owner = ?", node);
    }

    private static long countSucceeded(String url) throws SQLException {
        return strings(url, "SELECT trace_id FROM inbox WHERE state = ?", "SUCCEEDED").size();
    }

    private static Map<String, Integer> attempts(String url) throws SQLException {
        Map<String, Integer> attempts = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement select = connection.prepareStatement(
                     "SELECT trace_id, attempts FROM inbox WHERE event_type = ?")) {
            select.setString(1, EVENT_TYPE);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    attempts.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return attempts;
    }

    private static List<String> strings(String url, String sql, String parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            List<String> values = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }
}

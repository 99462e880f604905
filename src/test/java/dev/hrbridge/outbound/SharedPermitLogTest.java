package dev.hrbridge.outbound;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The throttle of instances on one PostgreSQL database: one count for all of them, kept by the database's clock, and
 * a database that does not answer defers the call within a bound instead of holding the flow.
 */
class SharedPermitLogTest {

    private static final String API = "test.shared";
    private static final int PER_SECOND = 10;

    private Map<String, String> database;
    private final List<Database> opened = new ArrayList<>();

    @BeforeEach
    void newDatabase() {
        database = Map.of("hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres");
    }

    @AfterEach
    void close() {
        opened.forEach(Database::close);
    }

    /** An instance of the deployment: its own settings, pool and throttle bean, as {@code OutboundConfiguration} makes it. */
    private ApiThrottle instance(Map<String, String> limits) {
        Map<String, String> settings = new java.util.HashMap<>(database);
        settings.put("feishu.app-id", "cli_shared_test");
        settings.putAll(limits);
        Database db = Database.open(Settings.load(Map.of(), new Properties(), settings));
        opened.add(db);
        return ApiThrottle.of(Settings.load(Map.of(), new Properties(), settings), db);
    }

    private record Grant(long before, long after) { }

    @Test
    void twoInstancesHammeringOneApiNeverGetMoreThanTheLimitInAnySecondBetweenThem() throws Exception {
        Map<String, String> limits = Map.of("hrb.throttle." + API + ".per-second", String.valueOf(PER_SECOND));
        List<ApiThrottle> instances = List.of(instance(limits), instance(limits));
        List<Grant> grants = java.util.Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ApiThrottle throttle = instances.get(i % 2);
                running.add(threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        long before = System.nanoTime();
                        try {
                            throttle.acquire(API);
                            grants.add(new Grant(before, System.nanoTime()));
                        } catch (DeferredFailure deferred) {
                            if (deferred.getCause() == null) { // a refusal, not a database too busy to answer in time
                                assertThat(deferred.retryAfter()).isBetween(Duration.ofMillis(1), Duration.ofSeconds(1));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> thread : running) {
                thread.get();
            }
        } finally {
            threads.shutdownNow();
        }

        // a grant happened somewhere between its call and its return: N+1 grants that all happened inside one second
        // would prove the limit broken, whichever order the database granted them in
        List<Grant> sorted = grants.stream().sorted(Comparator.comparingLong(Grant::before)).toList();
        long second = Duration.ofSeconds(1).toNanos();
        for (Grant first : sorted) {
            long within = sorted.stream().filter(g -> g.before() >= first.before() && g.after() < first.before() + second).count();
            assertThat(within).as("grants surely inside one second").isLessThanOrEqualTo(PER_SECOND);
        }
        assertThat(grants.size()).as("grants in 2.5 s").isBetween(2 * PER_SECOND, 3 * PER_SECOND);
    }

    @Test
    void aDatabaseThatHoldsTheThrottleRowDefersTheCallWithinTheStatementTimeout() throws Exception {
        ApiThrottle throttle = instance(Map.of("hrb.throttle." + API + ".per-minute", "100"));
        throttle.acquire(API);
        try (Connection other = PostgresServer.server().getDatabase("postgres", dbName()).getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("SELECT * FROM hrb_throttle FOR UPDATE")) {
                lock.executeQuery().close();
            }
            // the row stays locked until the rollback below: a permit check without a bound would wait for ever
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> assertThatThrownBy(() -> throttle.acquire(API))
                    .isInstanceOfSatisfying(DeferredFailure.class, deferred -> {
                        assertThat(deferred.retryAfter()).isEqualTo(SharedPermitLog.RETRY_WHEN_UNAVAILABLE);
                        assertThat(deferred.getCause()).isInstanceOf(SQLException.class);
                        assertThat(deferred.getMessage()).startsWith("throttle unavailable: " + API + " not called");
                    }));
            other.rollback();
        }
        throttle.acquire(API);
        assertThat(grantsStored()).isEqualTo(2);
    }

    @Test
    void anUnreachableDatabaseDefersTheCallWithinThePoolTimeout() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(config)) {
            ApiThrottle throttle = new ApiThrottle(Settings.load(Map.of(), new Properties(),
                    Map.of("hrb.throttle." + API + ".per-minute", "100")), new SharedPermitLog(unreachable));
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> assertThatThrownBy(() -> throttle.acquire(API))
                    .isInstanceOfSatisfying(DeferredFailure.class, deferred -> assertThat(deferred.getCause()).isNotNull()));
        }
    }

    @Test
    void theRowKeepsOnlyGrantsThatAreStillInsideAWindowWhateverTheLimit() throws Exception {
        ApiThrottle throttle = instance(Map.of("hrb.throttle." + API + ".per-second", "1000000"));
        for (int i = 0; i < 50; i++) {
            throttle.acquire(API);
        }
        assertThat(grantsStored()).isEqualTo(50);
        Thread.sleep(1100); // the time for those grants to leave the one-second window
        throttle.acquire(API);
        assertThat(grantsStored()).isEqualTo(1);
    }

    private String dbName() {
        String url = database.get("hrb.db.url");
        return url.substring(url.lastIndexOf('/') + 1).split("\\?")[0];
    }

    private int grantsStored() throws SQLException {
        try (Connection connection = PostgresServer.server().getDatabase("postgres", dbName()).getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT cardinality(permits) FROM hrb_throttle");
             ResultSet row = query.executeQuery()) {
            assertThat(row.next()).isTrue();
            return row.getInt(1);
        }
    }
}

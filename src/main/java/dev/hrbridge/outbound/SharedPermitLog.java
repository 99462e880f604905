package dev.hrbridge.outbound;

import dev.hrbridge.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The permits of every instance on one PostgreSQL database ({@code hrb_throttle}, one row a key): Feishu counts per
 * app, tenant and API however many instances call, so the deployment keeps one count.
 * <p>
 * The row holds the grant times within the longest limited window, newest last, at most as many as the highest
 * limit. One statement locks the row, checks that the N-th newest grant of each window has left it, and appends
 * the new grant: instances queue on the row and none can overtake another. Every time is the database's
 * {@code clock_timestamp()}, read under the row lock, so an instance whose own clock is off changes nothing.
 * <p>
 * A database that does not answer within {@link #STATEMENT_TIMEOUT_SECONDS} (or a pool that has no connection within
 * {@code hrb.db.connect-timeout-ms}) defers the call by {@link #RETRY_WHEN_UNAVAILABLE}: not called, not an attempt.
 */
final class SharedPermitLog implements PermitLog {

    static final int STATEMENT_TIMEOUT_SECONDS = 1;
    static final Duration RETRY_WHEN_UNAVAILABLE = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(SharedPermitLog.class);

    // parameters: key; grants to keep besides the new one; seconds they stay relevant; per-minute limit (twice);
    // per-second limit (twice). No limit is passed as Integer.MAX_VALUE: its window always has room.
    private static final String TAKE = """
            INSERT INTO hrb_throttle AS t (throttle_key, permits) VALUES (?, ARRAY[clock_timestamp()])
            ON CONFLICT (throttle_key) DO UPDATE
               SET permits = ARRAY(SELECT granted FROM unnest(t.permits) WITH ORDINALITY AS kept(granted, i)
                                    WHERE i > cardinality(t.permits) - ? AND granted > clock_timestamp() - make_interval(secs => ?)
                                    ORDER BY i) || clock_timestamp()
             WHERE (cardinality(t.permits) < ? OR t.permits[cardinality(t.permits) - ? + 1] <= clock_timestamp() - interval '1 minute')
               AND (cardinality(t.permits) < ? OR t.permits[cardinality(t.permits) - ? + 1] <= clock_timestamp() - interval '1 second')
            """;

    // when the fuller window has room again; parameters: per-minute limit, per-second limit, key
    private static final String WAIT_MS = """
            SELECT ceil(extract(epoch FROM greatest(permits[cardinality(permits) - ? + 1] + interval '1 minute',
                                                    permits[cardinality(permits) - ? + 1] + interval '1 second')
                                           - clock_timestamp()) * 1000)
              FROM hrb_throttle WHERE throttle_key = ?
            """;

    private final DataSource dataSource;
    private final AtomicBoolean unavailable = new AtomicBoolean();

    SharedPermitLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void take(ThrottleKey key, ApiThrottle.Limits limits) {
        int perMinute = bound(limits.perMinute());
        int perSecond = bound(limits.perSecond());
        long waitMillis;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement take = connection.prepareStatement(TAKE)) {
                take.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                take.setString(1, key.id());
                take.setInt(2, Math.max(limits.perMinute(), limits.perSecond()) - 1);
                take.setInt(3, limits.perMinute() > 0 ? 60 : 1);
                take.setInt(4, perMinute);
                take.setInt(5, perMinute);
                take.setInt(6, perSecond);
                take.setInt(7, perSecond);
                if (take.executeUpdate() == 1) {
                    available();
                    return;
                }
            }
            try (PreparedStatement wait = connection.prepareStatement(WAIT_MS)) {
                wait.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                wait.setInt(1, perMinute);
                wait.setInt(2, perSecond);
                wait.setString(3, key.id());
                try (ResultSet row = wait.executeQuery()) {
                    waitMillis = row.next() ? row.getLong(1) : 0;
                }
            }
        } catch (SQLException e) {
            if (Database.unreachable(e) || "57014".equals(e.getSQLState())) { // 57014: our statement timeout
                if (unavailable.compareAndSet(false, true)) {
                    LOG.warn("The shared throttle is not answering ({}); calls wait for it and are not attempted", e.toString());
                }
                throw new DeferredFailure(key.api(), RETRY_WHEN_UNAVAILABLE, e);
            }
            throw new IllegalStateException("the shared throttle failed for " + key.id(), e);
        }
        available();
        throw new DeferredFailure(key.api(), Duration.ofMillis(Math.max(waitMillis, 1)));
    }

    private void available() {
        if (unavailable.compareAndSet(true, false)) {
            LOG.info("The shared throttle answers again");
        }
    }

    private static int bound(int limit) {
        return limit == 0 ? Integer.MAX_VALUE : limit;
    }
}

package dev.hrbridge.feishu;

import dev.hrbridge.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.db.SqlColumns.time;

/**
 * The (app, tenant_key) pairs events have come from, in {@code feishu_tenant}: the first event of a tenant, on any
 * instance, writes one INFO line ("a new customer installed the store app"). Recorded off the request thread, so an
 * event's acknowledgement never waits for it; a pair this instance has recorded (or found recorded) is not looked at again.
 */
public class FeishuTenants implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FeishuTenants.class);

    private final DataSource dataSource;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor recorder;

    public FeishuTenants(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.recorder = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), runnable -> {
            Thread thread = new Thread(runnable, "hrb-feishu-tenants");
            thread.setDaemon(true);
            return thread;
        });
        // idle most of the time: no thread is kept for it
        recorder.allowCoreThreadTimeOut(true);
    }

    /** An event of {@code app}'s tenant {@code tenantKey} arrived (null or blank: the event names no tenant). */
    public void seen(String app, String tenantKey) {
        if (tenantKey == null || tenantKey.isBlank()) {
            return;
        }
        String pair = app + "\n" + tenantKey;
        if (known.contains(pair) || !pending.add(pair)) {
            return;
        }
        try {
            recorder.execute(() -> record(app, tenantKey, pair));
        } catch (RejectedExecutionException e) {
            // a flood of new tenants, or stopping: the next event of this one tries again
            pending.remove(pair);
        }
    }

    private void record(String app, String tenantKey, String pair) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO feishu_tenant (feishu_app, tenant_key, first_seen_at) VALUES (?, ?, ?)")) {
            insert.setString(1, app);
            insert.setString(2, tenantKey);
            insert.setObject(3, time(clock.instant()));
            insert.executeUpdate();
            known.add(pair);
            LOG.info("First event from tenant {} of Feishu app {}", tenantKey, app);
        } catch (SQLException e) {
            if (Database.refused(e)) {
                known.add(pair);
            } else {
                LOG.debug("Could not record tenant {} of Feishu app {}: {}", tenantKey, app, e.toString());
            }
        } finally {
            pending.remove(pair);
        }
    }

    @Override
    public void close() {
        recorder.shutdownNow();
    }
}

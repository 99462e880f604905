package dev.hrbridge.ops;

import dev.hrbridge.db.StorageFiles;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Readiness: HR Bridge cannot accept an event it cannot store, so no database means not ready. */
public class DatabaseHealthCheck extends AbstractHealthCheck {

    /** About the inbox's commit timeout: a database slower than this refuses webhooks anyway. */
    private static final Duration LIMIT = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final StorageFiles storage;
    private final BoundedRead<Boolean> probe = new BoundedRead<>("hrb-health-database", LIMIT);

    public DatabaseHealthCheck(DataSource dataSource, StorageFiles storage) {
        super("hrb", "database");
        this.dataSource = dataSource;
        this.storage = storage;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String lost = storage.lost();
        if (lost != null) {
            builder.message("storage lost: " + lost + "; restore it and restart HR Bridge").down();
            return;
        }
        try {
            if (probe.get(this::valid)) {
                builder.up();
            } else {
                builder.message("database connection is not valid").down();
            }
        } catch (TimeoutException e) {
            builder.message("database did not answer within " + LIMIT.toMillis() + " ms").down();
        } catch (Exception e) {
            builder.message("database unreachable: " + e.getMessage()).down();
        }
    }

    private boolean valid() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) LIMIT.toSeconds());
        }
    }
}

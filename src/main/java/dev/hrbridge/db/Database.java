package dev.hrbridge.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The durable store: a pooled {@link DataSource} on H2 (embedded default) or PostgreSQL, with the versioned
 * migrations of {@code db/migration} applied before anything else touches it.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    public enum Vendor { H2, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Vendor vendor;
    private final StorageFiles storage = new StorageFiles();

    private Database(HikariDataSource dataSource, Vendor vendor) {
        this.dataSource = dataSource;
        this.vendor = vendor;
    }

    /** Connects and migrates: the database is ready for use when this returns. */
    public static Database open(Settings settings) {
        Database database = connect(settings);
        try {
            database.prepare();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /**
     * Opens the pool and proves one connection works; {@link #prepare()} must run before the schema is used.
     * Split so that start-up can migrate while Camel loads its routes.
     */
    public static Database connect(Settings settings) {
        String url = settings.require("hrb.db.url");
        Vendor vendor = vendorOf(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("hrb-db");
        // H2 would otherwise close itself in its own shutdown hook, under the routes and Quartz still stopping in ours;
        // the pool closes it last instead
        config.setJdbcUrl(vendor == Vendor.H2 && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE" : url);
        config.setUsername(settings.get("hrb.db.user", ""));
        config.setPassword(settings.get("hrb.db.password", ""));
        config.setMaximumPoolSize(settings.getInt("hrb.db.pool-size", 1, 200));
        config.setConnectionTimeout(settings.getLong("hrb.db.connect-timeout-ms", 250, 600_000));
        config.setValidationTimeout(Math.min(config.getConnectionTimeout(), 3000));
        // fail fast at start when the database is unreachable, with the cause in the message
        config.setInitializationFailTimeout(config.getConnectionTimeout());
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new ConfigurationException("cannot open the database at " + Settings.describe("hrb.db.url") + ": "
                    + rootMessage(e));
        }
        return new Database(dataSource, vendor);
    }

    /** Applies the migrations and this vendor's settings. */
    public void prepare() {
        migrate();
        Optional<Path> file = embeddedFile();
        if (file.isPresent()) {
            try {
                storage.watch("database file", file.get().resolveSibling(file.get().getFileName() + ".mv.db"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read the database file of " + file.get(), e);
            }
        }
        if (vendor == Vendor.H2) {
            // H2 otherwise writes committed changes up to a second later; an acknowledged event must
            // survive a killed process, so every commit reaches the file before we answer.
            execute("SET WRITE_DELAY 0");
            // keep the inbox's hot pages in memory (KiB); the default 16 MiB makes busy inserts read pages back
            execute("SET CACHE_SIZE 32768");
        }
    }

    public static Vendor vendorOf(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return Vendor.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Vendor.POSTGRESQL;
        }
        throw new ConfigurationException(Settings.describe("hrb.db.url")
                + " must be a jdbc:h2: or jdbc:postgresql: URL, got '" + url + "'");
    }

    private void migrate() {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                // common migrations, plus the vendor's own where the SQL differs (Quartz's tables); a folder of
                // their own, since Flyway scans a location with its subfolders
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor.name().toLowerCase(java.util.Locale.ROOT))
                .load()
                .migrate();
        LOG.info("Database {} ready at schema version {} ({} migration(s) applied now)",
                vendor, result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrationsExecuted);
    }

    private void execute(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("database statement failed: " + sql, e);
        }
    }

    /**
     * The file of an embedded H2 database ({@code jdbc:h2:file:./data/hrb} → {@code ./data/hrb}); empty for an
     * in-memory or remote H2 and for PostgreSQL.
     */
    public Optional<Path> embeddedFile() {
        String url = dataSource.getJdbcUrl();
        if (vendor != Vendor.H2) {
            return Optional.empty();
        }
        String location = url.substring("jdbc:h2:".length()).split(";", 2)[0];
        if (location.startsWith("file:")) {
            location = location.substring("file:".length());
        } else if (location.matches("^[a-z]{2,}:.*")) {
            return Optional.empty(); // mem:, tcp:, ssl:, zip:
        }
        return Optional.of(Path.of(location));
    }

    /**
     * Whether {@code failure} says the database could not be reached (no connection within the pool's timeout, a
     * connection lost, the server shutting down), as opposed to a statement it refused: worth waiting out, not a bug.
     */
    public static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLRecoverableException) {
                return true;
            }
            // SQLSTATE class 08: connection exception; 57P: PostgreSQL's operator intervention (shutdown, restart)
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code failure} says the database refused the data itself: a value too long for its column, a constraint
     * broken (SQLSTATE classes 22 and 23). The same data is refused however often it is sent, unlike an unreachable
     * database, which is worth waiting out.
     */
    public static boolean refused(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return !unreachable(failure);
            }
        }
        return false;
    }

    /**
     * A connection of its own, outside the pool, for a thread that must never wait behind pooled work (the webhook
     * journal's dedup look-up). The caller closes it.
     */
    public Connection unpooledConnection() throws SQLException {
        return java.sql.DriverManager.getConnection(dataSource.getJdbcUrl(), dataSource.getUsername(),
                dataSource.getPassword());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The files of an embedded database (none for PostgreSQL), watched for being deleted or replaced while in use. */
    public StorageFiles storage() {
        return storage;
    }

    public Vendor vendor() {
        return vendor;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}

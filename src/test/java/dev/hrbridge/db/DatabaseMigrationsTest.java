package dev.hrbridge.db;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseMigrationsTest {

    @TempDir
    Path dir;

    @Test
    void everyMigrationAppliesOnEmbeddedH2() throws Exception {
        assertAllMigrationsApplied(Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath()), "h2");
    }

    @Test
    void everyMigrationAppliesOnPostgresql() throws Exception {
        assertAllMigrationsApplied(Map.of("hrb.db.url", PostgresServer.newDatabase(),
                "hrb.db.user", "postgres", "hrb.db.password", "postgres"), "postgresql");
    }

    @Test
    void openingTwiceMigratesOnce() throws Exception {
        Map<String, String> url = Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("again").toAbsolutePath());
        try (Database ignored = Database.open(Settings.load(url))) {
            // first start creates the schema
        }
        assertAllMigrationsApplied(url, "h2");
    }

    @Test
    void anUnsupportedUrlIsRefusedByName() {
        assertThatThrownBy(() -> Database.open(Settings.load(Map.of("hrb.db.url", "jdbc:mysql://db/hrb"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.db.url (HRB_DB_URL) must be a jdbc:h2: or jdbc:postgresql: URL");
    }

    @Test
    void anUnreachableDatabaseFailsFastWithItsCause() {
        assertThatThrownBy(() -> Database.open(Settings.load(Map.of(
                "hrb.db.url", "jdbc:postgresql://127.0.0.1:1/none", "hrb.db.connect-timeout-ms", "500"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot open the database at hrb.db.url (HRB_DB_URL)");
    }

    private void assertAllMigrationsApplied(Map<String, String> settings, String vendor) throws Exception {
        try (Database database = Database.open(Settings.load(settings));
             Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
            List<String> applied = new ArrayList<>();
            while (rows.next()) {
                assertThat(rows.getBoolean(2)).isTrue();
                applied.add(rows.getString(1));
            }
            assertThat(applied).containsExactlyElementsOf(shippedVersions(vendor));
        }
    }

    /** The versions of the migration files in db/migration and db/vendor/{vendor}, in order. */
    private static List<String> shippedVersions(String vendor) throws IOException, URISyntaxException {
        List<String> versions = new ArrayList<>(versionsIn("/db/migration"));
        versions.addAll(versionsIn("/db/vendor/" + vendor));
        versions.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        return versions;
    }

    private static List<String> versionsIn(String resource) throws IOException, URISyntaxException {
        if (DatabaseMigrationsTest.class.getResource(resource) == null) {
            return List.of();
        }
        Path folder = Path.of(DatabaseMigrationsTest.class.getResource(resource).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__")))
                    .toList();
        }
    }
}

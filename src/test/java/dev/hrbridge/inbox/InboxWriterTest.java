package dev.hrbridge.inbox;

import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flow writes riding on the inbox's group commit: committed together, each failing alone. */
class InboxWriterTest {

    @TempDir
    Path dir;
    private Database database;
    private InboxWriter writer;

    private void open(String vendor) {
        Map<String, String> settings = vendor.equals("h2")
                ? Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath())
                : Map.of("hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres");
        database = Database.open(Settings.load(settings));
        writer = new InboxWriter(new InboxRepository(database.dataSource(), database.vendor()), Clock.systemUTC(),
                Duration.ofSeconds(30), 1000);
    }

    @AfterEach
    void close() {
        if (writer != null) {
            writer.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aFailingFlowWriteIsRolledBackAloneAndTheOthersInItsCommitStay(String vendor) throws Exception {
        open(vendor);
        // hold the writer in a first commit so that the next three land in one transaction together
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> holding = writer.transact(connection -> {
            await(release);
            return null;
        });
        CompletableFuture<Integer> first = writer.transact(connection -> heartbeat(connection, "node-a"));
        CompletableFuture<Integer> failing = writer.transact(connection -> {
            heartbeat(connection, "node-b");
            return heartbeat(connection, "node-b"); // the same primary key again
        });
        CompletableFuture<Integer> last = writer.transact(connection -> heartbeat(connection, "node-c"));
        release.countDown();
        holding.get();

        assertThat(first.get()).isEqualTo(1);
        assertThat(last.get()).isEqualTo(1);
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SQLException.class);
        assertThat(nodes()).containsExactly("node-a", "node-c");
    }

    private static int heartbeat(Connection connection, String node) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO hrb_node (node_id, host_name, version, started_at, heartbeat_at) "
                        + "VALUES (?, 'test', 'test', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
            insert.setString(1, node);
            return insert.executeUpdate();
        }
    }

    private List<String> nodes() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT node_id FROM hrb_node ORDER BY node_id");
             ResultSet rows = select.executeQuery()) {
            List<String> nodes = new java.util.ArrayList<>();
            while (rows.next()) {
                nodes.add(rows.getString(1));
            }
            return nodes;
        }
    }

    private static void await(CountDownLatch latch) throws SQLException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException(e);
        }
    }
}

package dev.hrbridge.hire;

import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The binding's writes inside someone else's transaction (the inbox's commit of a batch of results), on embedded H2
 * and on a real PostgreSQL server: a duplicate account must not spoil the batch, a refused value must.
 */
class EcoAccountRepositoryTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @TempDir
    Path dir;
    private Database database;
    private EcoAccountRepository accounts;

    private void open(String vendor) {
        database = Database.open(Settings.load(PostgresServer.newDatabase(vendor, dir)));
        accounts = new EcoAccountRepository(database.dataSource());
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoEventsForOneNewAccountInOneBatchStoreItOnceAndTheBatchCommits(String vendor) throws Exception {
        open(vendor);
        // both events found no binding and pushed; their results are committed in one transaction with a third write
        // after them: the second insert conflicts, which must neither fail nor abort the transaction (PostgreSQL would)
        accounts.inTransaction(connection -> {
            accounts.storePushed(connection, account("acc-1", "evt-1", "first name"), true, NOW);
            accounts.storePushed(connection, account("acc-1", "evt-2", "second name"), true, NOW.plusSeconds(1));
            accounts.storePushed(connection, account("acc-2", "evt-3", "other"), true, NOW);
        });
        EcoAccount stored = accounts.find("acc-1").orElseThrow();
        assertThat(stored.eventId()).isEqualTo("evt-1");
        assertThat(stored.accountName()).isEqualTo("first name");
        assertThat(stored.pushedAt()).isEqualTo(NOW);
        assertThat(stored.pushOutcome()).isEqualTo("pushed");
        assertThat(accounts.find("acc-2")).isPresent();
        assertThat(count()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aBindingStoredEarlierIsMarkedPushedOnceAndKeepsItsOwnFields(String vendor) throws Exception {
        open(vendor);
        assertThat(accounts.insertIfAbsent(account("acc-1", "evt-1", "stored first"))).isTrue();
        accounts.inTransaction(connection -> accounts.storePushed(connection, account("acc-1", "evt-2", "later"), false, NOW));
        accounts.inTransaction(connection -> accounts.storePushed(connection, account("acc-1", "evt-3", "later"), true,
                NOW.plusSeconds(60)));
        EcoAccount stored = accounts.find("acc-1").orElseThrow();
        assertThat(stored.eventId()).isEqualTo("evt-1");
        assertThat(stored.accountName()).isEqualTo("stored first");
        // the first push recorded stands
        assertThat(stored.pushedAt()).isEqualTo(NOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aValueTooLongForItsColumnFailsTheWholeTransaction(String vendor) throws Exception {
        open(vendor);
        assertThatThrownBy(() -> accounts.inTransaction(connection -> {
            accounts.storePushed(connection, account("acc-ok", "evt-1", "fine"), true, NOW);
            accounts.storePushed(connection, account("acc-long", "evt-2", "x".repeat(1001)), true, NOW);
        })).isInstanceOf(java.sql.SQLException.class);
        assertThat(count()).isZero();
    }

    private int count() throws Exception {
        try (Connection c = database.dataSource().getConnection();
             ResultSet rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM eco_account")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static EcoAccount account(String accountId, String eventId, String name) {
        return new EcoAccount(accountId, EcoAccount.BACKGROUND_CHECK, name, "[1]", "[{\"key\":\"ord_id\",\"value\":\"7233333\"}]",
                "7233333", EcoAccount.BOUND, null, eventId, null, null, null, NOW, NOW, "default", "tenant-1");
    }
}

package dev.hrbridge.hire;

import dev.hrbridge.db.ListPosition;
import dev.hrbridge.inbox.InboxRepository;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.time;

/** JDBC access to {@code eco_account}, the same SQL on H2 and PostgreSQL. */
public class EcoAccountRepository {

    private static final String COLUMNS = "account_id, scope, account_name, usage_list, custom_field_list, customer_id, "
            + "status, unmatched_reason, event_id, pushed_at, push_outcome, push_error, created_at, updated_at, feishu_app, tenant_key";
    private static final String INSERT = "INSERT INTO eco_account (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /** SQLSTATE class 23: integrity constraint violation, here the account_id primary key. */
    private static final String CONSTRAINT_VIOLATION = "23";

    private final DataSource dataSource;

    public EcoAccountRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores {@code account} unless its account_id is stored already; true when this call stored it. The primary key
     * decides, so two instances handling the same account at once still store it once.
     */
    public boolean insertIfAbsent(EcoAccount account) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return insertIfAbsent(connection, account);
        }
    }

    /** {@link #insertIfAbsent(EcoAccount)} on {@code connection}, in its transaction if it has one. */
    private boolean insertIfAbsent(Connection connection, EcoAccount account) throws SQLException {
        // a conflict must not abort the caller's transaction (PostgreSQL would): it is undone to here
        Savepoint before = connection.getAutoCommit() ? null : connection.setSavepoint();
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, account.accountId());
            insert.setInt(2, account.scope());
            insert.setString(3, account.accountName());
            insert.setString(4, account.usageList());
            insert.setString(5, account.customFieldList());
            insert.setString(6, account.customerId());
            insert.setString(7, account.status());
            insert.setString(8, account.unmatchedReason());
            insert.setString(9, account.eventId());
            insert.setObject(10, time(account.pushedAt()));
            insert.setString(11, account.pushOutcome());
            insert.setString(12, account.pushError());
            insert.setObject(13, time(account.createdAt()));
            insert.setObject(14, time(account.updatedAt()));
            insert.setString(15, account.feishuApp());
            insert.setString(16, account.tenantKey());
            boolean stored = insert.executeUpdate() == 1;
            if (before != null) {
                connection.releaseSavepoint(before);
            }
            return stored;
        } catch (SQLException e) {
            if (before != null) {
                connection.rollback(before);
            }
            if (e.getSQLState() != null && e.getSQLState().startsWith(CONSTRAINT_VIOLATION)
                    && find(connection, account.accountId()).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Feishu accepted {@code account}'s catalogue at {@code now}: on {@code connection}, stores the binding with its
     * push when it is {@code unstored}, unless its account_id was stored meanwhile; marks the stored one pushed.
     */
    public void storePushed(Connection connection, EcoAccount account, boolean unstored, Instant now) throws SQLException {
        if (!unstored || !insertIfAbsent(connection, account.withPush(now, "pushed", null, now))) {
            update(connection, "UPDATE eco_account SET pushed_at = ?, push_outcome = 'pushed', push_error = NULL, updated_at = ? "
                    + "WHERE account_id = ? AND pushed_at IS NULL", time(now), time(now), account.accountId());
        }
    }

    /** Runs {@code write} in a transaction of its own. */
    public void inTransaction(InboxRepository.ResultWrite write) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                write.write(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    public Optional<EcoAccount> find(String accountId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, accountId);
        }
    }

    private static Optional<EcoAccount> find(Connection connection, String accountId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM eco_account WHERE account_id = ?")) {
            select.setString(1, accountId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    /** Newest first, after {@code after} (null: from the newest); {@code status} and {@code tenantKey} null for all. */
    public List<EcoAccount> list(String status, String tenantKey, ListPosition after, int limit) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM eco_account WHERE " + ListPosition.after(after, "account_id")
                + (status == null ? "" : " AND status = ?") + (tenantKey == null ? "" : " AND tenant_key = ?")
                + ListPosition.newestFirst("account_id", limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            int index = ListPosition.bind(select, 1, after);
            if (status != null) {
                select.setString(index++, status);
            }
            if (tenantKey != null) {
                select.setString(index, tenantKey);
            }
            List<EcoAccount> accounts = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    accounts.add(read(rows));
                }
            }
            return accounts;
        }
    }

    /** The push of {@code accountId}'s catalogue failed; {@code outcome} says whether it will be tried again. */
    public void recordPushFailure(String accountId, String outcome, String error, Instant now) throws SQLException {
        update("UPDATE eco_account SET push_outcome = ?, push_error = ?, updated_at = ? WHERE account_id = ? AND pushed_at IS NULL",
                outcome, error, time(now), accountId);
    }

    private void update(String sql, Object... values) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            update(connection, sql, values);
        }
    }

    private static void update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                update.setObject(i + 1, values[i]);
            }
            update.executeUpdate();
        }
    }

    private static EcoAccount read(ResultSet rows) throws SQLException {
        return new EcoAccount(rows.getString("account_id"), rows.getInt("scope"), rows.getString("account_name"),
                rows.getString("usage_list"), rows.getString("custom_field_list"), rows.getString("customer_id"),
                rows.getString("status"), rows.getString("unmatched_reason"), rows.getString("event_id"),
                instant(rows, "pushed_at"), rows.getString("push_outcome"), rows.getString("push_error"),
                instant(rows, "created_at"), instant(rows, "updated_at"), rows.getString("feishu_app"),
                rows.getString("tenant_key"));
    }
}

package dev.hrbridge.inbox;

import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.hrbridge.db.ColumnLimits.truncate;
import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.setInteger;
import static dev.hrbridge.db.SqlColumns.time;

/** JDBC access to the {@code inbox} and {@code dead_letter} tables, the same SQL on H2 and PostgreSQL. */
public class InboxRepository {

    private static final String COLUMNS = "id, kind, dedup_key, flow, event_type, trace_id, payload, state, attempts, "
            + "next_attempt_at, lease_owner, outcome, http_status, platform_code, platform_msg, last_error, created_at, updated_at, feishu_app, tenant_key";

    private final DataSource dataSource;
    private final String insert;
    private final boolean sharedDatabase;

    public InboxRepository(DataSource dataSource, Database.Vendor vendor) {
        this.dataSource = dataSource;
        String columns = "INSERT INTO inbox (id, kind, dedup_key, flow, event_type, trace_id, payload, state, attempts, "
                + "lease_owner, lease_until, next_attempt_at, created_at, updated_at, feishu_app, tenant_key, outcome) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // PostgreSQL instances share the table, so only the database can tell a duplicate. Embedded H2 belongs to
        // one process whose single writer thread sees every insert: one look-up per batch is exact there.
        this.sharedDatabase = vendor == Database.Vendor.POSTGRESQL;
        this.insert = sharedDatabase ? columns + " ON CONFLICT (dedup_key) DO NOTHING" : columns;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** A result for {@link #write}: {@code owner}'s attempt at message {@code id} ended with {@code result}. */
    public record Finish(String id, String owner, Result result) {
    }

    /**
     * Stores new messages and records results in one transaction. The answer says, per new message, whether it
     * was stored (true) or its dedup key was already there (false). A new message with a {@code leaseOwner} is
     * stored as already claimed by that worker (its first attempt starts now), saving a claim round trip; one with an
     * {@code unhandledOutcome} is stored final, UNHANDLED.
     */
    public boolean[] write(List<InboxMessage.New> messages, List<Finish> finishes, Duration lease, Instant now)
            throws SQLException {
        boolean[] inserted = new boolean[messages.size()];
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!messages.isEmpty()) {
                    if (sharedDatabase) {
                        insertEach(connection, messages, inserted, lease, now);
                    } else {
                        insertNew(connection, messages, inserted, lease, now);
                    }
                }
                if (!finishes.isEmpty()) {
                    finishAll(connection, finishes, now);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return inserted;
    }

    /** One statement per message: ON CONFLICT tells each caller whether its key was new. */
    private void insertEach(Connection connection, List<InboxMessage.New> messages, boolean[] inserted, Duration lease,
                            Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            for (int i = 0; i < messages.size(); i++) {
                bindInsert(statement, messages.get(i), lease, now);
                inserted[i] = statement.executeUpdate() == 1;
            }
        }
    }

    /** Single writer: drop keys already stored or repeated in the batch, then insert the rest as one batch. */
    private void insertNew(Connection connection, List<InboxMessage.New> messages, boolean[] inserted, Duration lease,
                           Instant now) throws SQLException {
        Set<String> seen = existingKeys(connection, messages.stream().map(InboxMessage.New::dedupKey).toList());
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            for (int i = 0; i < messages.size(); i++) {
                InboxMessage.New message = messages.get(i);
                inserted[i] = seen.add(message.dedupKey());
                if (inserted[i]) {
                    bindInsert(statement, message, lease, now);
                    statement.addBatch();
                }
            }
            statement.executeBatch();
        }
    }

    /** Keys looked up per query: one fixed statement, which the database parses once per connection. */
    private static final int KEY_BLOCK = 32;
    private static final String KEYS_IN_BLOCK =
            "SELECT dedup_key FROM inbox WHERE dedup_key IN (" + "?, ".repeat(KEY_BLOCK - 1) + "?)";

    private static Set<String> existingKeys(Connection connection, List<String> keys) throws SQLException {
        Set<String> existing = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(KEYS_IN_BLOCK)) {
            for (int from = 0; from < keys.size(); from += KEY_BLOCK) {
                // a short last block repeats its last key
                for (int i = 0; i < KEY_BLOCK; i++) {
                    select.setString(i + 1, keys.get(Math.min(from + i, keys.size() - 1)));
                }
                addFirstColumn(select, existing);
            }
        }
        return existing;
    }

    private void bindInsert(PreparedStatement statement, InboxMessage.New message, Duration lease, Instant now)
            throws SQLException {
        boolean claimed = message.leaseOwner() != null;
        boolean unhandled = message.unhandledOutcome() != null;
        statement.setString(1, message.id());
        statement.setString(2, message.kind().name());
        statement.setString(3, message.dedupKey());
        statement.setString(4, message.flow());
        statement.setString(5, message.eventType());
        statement.setString(6, message.traceId());
        statement.setString(7, message.payload());
        statement.setString(8, (unhandled ? State.UNHANDLED : claimed ? State.PROCESSING : State.PENDING).name());
        // an event stored UNHANDLED counts as routed once, as if the router had run it
        statement.setInt(9, claimed || unhandled ? 1 : 0);
        statement.setString(10, message.leaseOwner());
        statement.setObject(11, claimed ? time(now.plus(lease)) : null);
        statement.setObject(12, time(now));
        statement.setObject(13, time(now));
        statement.setObject(14, time(now));
        statement.setString(15, message.feishuApp());
        statement.setString(16, message.tenantKey());
        statement.setString(17, message.unhandledOutcome());
    }

    /**
     * Takes {@code id} for processing when it is due, or when its lease ran out or its owner, another node than
     * {@code owner}, has no fresh heartbeat (it died, possibly before its first beat).
     * Counts the attempt. Empty when another worker has it or it is final.
     */
    public Optional<InboxMessage> claim(String id, String owner, Instant now, Duration lease, Instant staleHeartbeat)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement update = connection.prepareStatement(CLAIM)) {
                bindClaim(update, id, owner, now, lease, staleHeartbeat);
                if (update.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            return find(connection, id);
        }
    }

    /**
     * Claims each of {@code ids} that {@link #claim} would, all in one transaction (a commit rewrites every page it
     * touched, so one per message costs more than the claim itself). Returns the claimed messages.
     */
    public List<InboxMessage> claimAll(List<String> ids, String owner, Instant now, Duration lease, Instant staleHeartbeat)
            throws SQLException {
        List<InboxMessage> claimed = new ArrayList<>();
        if (ids.isEmpty()) {
            return claimed;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int[] counts;
                try (PreparedStatement update = connection.prepareStatement(CLAIM)) {
                    for (String id : ids) {
                        bindClaim(update, id, owner, now, lease, staleHeartbeat);
                        update.addBatch();
                    }
                    counts = update.executeBatch();
                }
                for (int i = 0; i < ids.size(); i++) {
                    if (counts[i] == 1) {
                        find(connection, ids.get(i)).ifPresent(claimed::add);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return claimed;
    }

    private static final String CLAIM = "UPDATE inbox SET state = 'PROCESSING', lease_owner = ?, lease_until = ?, "
            + "attempts = attempts + 1, updated_at = ? WHERE id = ? AND ((state = 'PENDING' AND next_attempt_at <= ?) OR "
            + "(state = 'PROCESSING' AND (lease_until < ? OR (lease_owner <> ? AND lease_owner NOT IN "
            + "(SELECT node_id FROM hrb_node WHERE heartbeat_at >= ?)))))";

    private static void bindClaim(PreparedStatement update, String id, String owner, Instant now, Duration lease,
                                  Instant staleHeartbeat) throws SQLException {
        update.setString(1, owner);
        update.setObject(2, time(now.plus(lease)));
        update.setObject(3, time(now));
        update.setString(4, id);
        update.setObject(5, time(now));
        update.setObject(6, time(now));
        update.setString(7, owner);
        update.setObject(8, time(staleHeartbeat));
    }

    /** The poller's two queries; each reads a range of the (state, next_attempt_at) index in its order. */
    static final String ORPHANED_IDS = "SELECT id FROM inbox WHERE state = 'PROCESSING' AND (lease_until < ? OR "
            + "(lease_owner <> ? AND lease_owner NOT IN (SELECT node_id FROM hrb_node WHERE heartbeat_at >= ?))) "
            + "ORDER BY state, next_attempt_at FETCH FIRST ? ROWS ONLY";
    static final String DUE_IDS = "SELECT id FROM inbox WHERE state = 'PENDING' AND next_attempt_at <= ? "
            + "ORDER BY state, next_attempt_at FETCH FIRST ? ROWS ONLY";

    /**
     * Ids of rows {@code node}'s poller should try to claim: held by an expired lease or by another node that fell
     * silent first (never {@code node}'s own: it is alive, its workers run them, however late its own heartbeat is, e.g.
     * right after the database was gone), then due ones,
     * oldest due first, {@code limit} in all. Two queries rather than one: an OR over both states made H2 read the
     * whole table, payloads included, on every poll (a third of the CPU while a 170,000-event backlog was worked off).
     */
    public List<String> claimableIds(String node, Instant now, Instant staleHeartbeat, int limit) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement orphaned = connection.prepareStatement(ORPHANED_IDS)) {
                orphaned.setObject(1, time(now));
                orphaned.setString(2, node);
                orphaned.setObject(3, time(staleHeartbeat));
                orphaned.setInt(4, limit);
                addFirstColumn(orphaned, ids);
            }
            if (ids.size() < limit) {
                try (PreparedStatement due = connection.prepareStatement(DUE_IDS)) {
                    due.setObject(1, time(now));
                    due.setInt(2, limit - ids.size());
                    addFirstColumn(due, ids);
                }
            }
        }
        return ids;
    }

    private static void addFirstColumn(PreparedStatement select, Collection<String> values) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
    }

    /** The result of one processing attempt, as the dispatcher records it. */
    public record Result(State state, Instant nextAttemptAt, boolean attemptCounted, String outcome, Integer httpStatus,
                         Integer platformCode, String platformMsg, String lastError) {
    }

    /** Marks the row DEAD and stores its dead letter, in one transaction. */
    public boolean bury(InboxMessage message, String flow, String owner, Result result, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!finish(connection, message.id(), owner, result, now)) {
                    connection.rollback();
                    return false;
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO dead_letter (id, message_id, flow, trace_id, state, error, http_status, platform_code, "
                                + "platform_msg, attempts, payload, created_at) VALUES (?, ?, ?, ?, 'dead', ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, MessageIds.next());
                    insert.setString(2, message.id());
                    insert.setString(3, truncate(flow, ColumnLimits.FLOW));
                    insert.setString(4, message.traceId());
                    insert.setString(5, truncate(result.lastError(), ColumnLimits.ERROR));
                    setInteger(insert, 6, result.httpStatus());
                    setInteger(insert, 7, result.platformCode());
                    insert.setString(8, truncate(result.platformMsg(), ColumnLimits.PLATFORM_MSG));
                    insert.setInt(9, message.attempts());
                    insert.setString(10, message.payload());
                    insert.setObject(11, time(now));
                    insert.executeUpdate();
                }
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Sets aside a journaled event the inbox table refused: a dead letter of kind {@code ingest} with the raw payload and
     * the database's error. Keyed by the message id, so setting the same record aside again (after a crash) adds nothing.
     */
    public void setAside(InboxMessage.New refused, String error, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<String> existing = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT id FROM dead_letter WHERE id = ?")) {
                    select.setString(1, refused.id());
                    addFirstColumn(select, existing);
                }
                if (existing.isEmpty()) {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO dead_letter (id, kind, message_id, flow, trace_id, state, error, attempts, payload, "
                                    + "created_at) VALUES (?, 'ingest', ?, ?, ?, 'dead', ?, 1, ?, ?)")) {
                        insert.setString(1, refused.id());
                        insert.setString(2, refused.id());
                        insert.setString(3, truncate(String.valueOf(refused.flow()), ColumnLimits.FLOW));
                        insert.setString(4, truncate(String.valueOf(refused.traceId()), ColumnLimits.TRACE_ID));
                        insert.setString(5, truncate(error, ColumnLimits.ERROR));
                        insert.setString(6, refused.payload() == null ? "" : refused.payload());
                        insert.setObject(7, time(now));
                        insert.executeUpdate();
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static final String FINISH = "UPDATE inbox SET state = ?, next_attempt_at = ?, attempts = attempts - ?, "
            + "lease_owner = NULL, lease_until = NULL, outcome = ?, http_status = ?, platform_code = ?, platform_msg = ?, "
            + "last_error = ?, updated_at = ? WHERE id = ? AND state = 'PROCESSING' AND lease_owner = ?";
    /**
     * Gives a DEAD or FAILED message with {@code dedupKey} a fresh start: PENDING, due now, attempts from zero; its
     * dead letters count as replayed. For work that is scheduled again by design (the QR-code sweep). False when
     * there is no such message or it is not in one of those states.
     */
    public boolean reopen(String dedupKey, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int reopened;
                try (PreparedStatement update = connection.prepareStatement("UPDATE inbox SET state = 'PENDING', attempts = 0, "
                        + "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? "
                        + "WHERE dedup_key = ? AND state IN ('DEAD', 'FAILED')")) {
                    update.setObject(1, time(now));
                    update.setObject(2, time(now));
                    update.setString(3, dedupKey);
                    reopened = update.executeUpdate();
                }
                if (reopened == 1) {
                    try (PreparedStatement replayed = connection.prepareStatement("UPDATE dead_letter SET state = 'replayed', "
                            + "replayed_at = ? WHERE state = 'dead' AND message_id = (SELECT id FROM inbox WHERE dedup_key = ?)")) {
                        replayed.setObject(1, time(now));
                        replayed.setString(2, dedupKey);
                        replayed.executeUpdate();
                    }
                }
                connection.commit();
                return reopened == 1;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Records {@code result} if {@code owner} still holds the lease; false when it was taken over meanwhile. */
    private boolean finish(Connection connection, String id, String owner, Result result, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FINISH)) {
            bindFinish(update, new Finish(id, owner, result), now);
            return update.executeUpdate() == 1;
        }
    }

    /** Records results as one batch; a result whose lease was lost meanwhile changes nothing. */
    private void finishAll(Connection connection, List<Finish> finishes, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FINISH)) {
            for (Finish finish : finishes) {
                bindFinish(update, finish, now);
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private static void bindFinish(PreparedStatement update, Finish finish, Instant now) throws SQLException {
        Result result = finish.result();
        update.setString(1, result.state().name());
        update.setObject(2, time(result.nextAttemptAt() != null ? result.nextAttemptAt() : now));
        update.setInt(3, result.attemptCounted() ? 0 : 1);
        update.setString(4, truncate(result.outcome(), ColumnLimits.OUTCOME));
        setInteger(update, 5, result.httpStatus());
        setInteger(update, 6, result.platformCode());
        update.setString(7, truncate(result.platformMsg(), ColumnLimits.PLATFORM_MSG));
        update.setString(8, truncate(result.lastError(), ColumnLimits.ERROR));
        update.setObject(9, time(now));
        update.setString(10, finish.id());
        update.setString(11, finish.owner());
    }

    public Optional<InboxMessage> find(String id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, id);
        }
    }

    /** Which of {@code dedupKeys} are stored already, read on {@code connection}. */
    public static Set<String> storedKeys(Connection connection, List<String> dedupKeys) throws SQLException {
        return existingKeys(connection, dedupKeys);
    }

    public Optional<InboxMessage> findByDedupKey(String dedupKey) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM inbox WHERE dedup_key = ?")) {
            select.setString(1, dedupKey);
            return one(select);
        }
    }

    private Optional<InboxMessage> find(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM inbox WHERE id = ?")) {
            select.setString(1, id);
            return one(select);
        }
    }

    /** Newest first, after {@code after} (null: from the newest); {@code kind} and {@code state} may be null for "any". */
    public List<InboxMessage> list(Kind kind, State state, ListPosition after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM inbox WHERE " + ListPosition.after(after, "id"));
        if (kind != null) {
            sql.append(" AND kind = ?");
        }
        if (state != null) {
            sql.append(" AND state = ?");
        }
        sql.append(ListPosition.newestFirst("id", limit));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int index = ListPosition.bind(select, 1, after);
            if (kind != null) {
                select.setString(index++, kind.name());
            }
            if (state != null) {
                select.setString(index, state.name());
            }
            List<InboxMessage> messages = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    messages.add(map(rows));
                }
            }
            return messages;
        }
    }

    /** Row counts per state, for operators and metrics. */
    public Map<State, Long> countByState() throws SQLException {
        Map<State, Long> counts = new TreeMap<>();
        for (State state : State.values()) {
            counts.put(state, 0L);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT state, COUNT(*) FROM inbox GROUP BY state");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                counts.put(State.valueOf(rows.getString(1)), rows.getLong(2));
            }
        }
        return counts;
    }

    /** Creation time of the oldest open row, or null when nothing waits. */
    public Instant oldestOpen() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT MIN(created_at) FROM inbox WHERE state IN ('PENDING', 'PROCESSING')");
             ResultSet rows = select.executeQuery()) {
            rows.next();
            OffsetDateTime oldest = rows.getObject(1, OffsetDateTime.class);
            return oldest == null ? null : oldest.toInstant();
        }
    }

    /**
     * Deletes final rows created before {@code before}, dedup keys with them. Open rows and DEAD rows (awaiting an
     * operator) stay. Returns how many went.
     */
    public int purgeFinishedBefore(Instant before) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM inbox WHERE created_at < ? AND state IN ('SUCCEEDED', 'UNHANDLED', 'FAILED')")) {
            delete.setObject(1, time(before));
            return delete.executeUpdate();
        }
    }

    private Optional<InboxMessage> one(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? Optional.of(map(rows)) : Optional.empty();
        }
    }

    private static InboxMessage map(ResultSet rows) throws SQLException {
        return new InboxMessage(
                rows.getString("id"),
                Kind.valueOf(rows.getString("kind")),
                rows.getString("dedup_key"),
                rows.getString("flow"),
                rows.getString("event_type"),
                rows.getString("trace_id"),
                rows.getString("payload"),
                State.valueOf(rows.getString("state")),
                rows.getInt("attempts"),
                instant(rows, "next_attempt_at"),
                rows.getString("lease_owner"),
                rows.getString("outcome"),
                (Integer) rows.getObject("http_status"),
                (Integer) rows.getObject("platform_code"),
                rows.getString("platform_msg"),
                rows.getString("last_error"),
                instant(rows, "created_at"),
                instant(rows, "updated_at"),
                rows.getString("feishu_app"),
                rows.getString("tenant_key"));
    }
}

package dev.hrbridge.inbox;

import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.db.SqlFilter;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.hrbridge.db.ColumnLimits.truncate;
import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.setInteger;
import static dev.hrbridge.db.SqlColumns.setTime;
import static dev.hrbridge.db.SqlColumns.time;

/** JDBC access to the {@code inbox} and {@code dead_letter} tables, the same SQL on H2 and PostgreSQL. */
public class InboxRepository {

    private static final String COLUMNS = "id, kind, dedup_key, flow, event_type, trace_id, payload, state, attempts, "
            + "next_attempt_at, lease_owner, outcome, http_status, platform_code, platform_msg, last_error, created_at, updated_at, feishu_app, tenant_key, "
            + "received_via, attempt_seq";
    /**
     * The attempt history of a message keeps its first {@value #FIRST_ATTEMPTS_KEPT} and its last
     * {@value #LAST_ATTEMPTS_KEPT} attempts: a message retried for ever keeps how it began and how it is going.
     */
    public static final int FIRST_ATTEMPTS_KEPT = 5;
    public static final int LAST_ATTEMPTS_KEPT = 20;
    /**
     * The due time of a message whose flow is paused: it waits PENDING, out of every poll's way, until its flow is
     * resumed (which makes it due at once).
     */
    public static final Instant PARKED = Instant.parse("9999-12-31T00:00:00Z");

    private final DataSource dataSource;
    private final String insert;
    private final boolean sharedDatabase;

    public InboxRepository(DataSource dataSource, Database.Vendor vendor) {
        this.dataSource = dataSource;
        String columns = "INSERT INTO inbox (id, kind, dedup_key, flow, event_type, trace_id, payload, state, attempts, "
                + "lease_owner, lease_until, next_attempt_at, created_at, updated_at, feishu_app, tenant_key, received_via, "
                + "attempt_seq, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // PostgreSQL instances share the table, so only the database can tell a duplicate. Embedded H2 belongs to
        // one process whose single writer thread sees every insert: one look-up per batch is exact there.
        this.sharedDatabase = vendor == Database.Vendor.POSTGRESQL;
        this.insert = sharedDatabase ? columns + " ON CONFLICT (dedup_key) DO NOTHING" : columns;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * A result for {@link #write}: {@code owner}'s attempt at message {@code id} ended with {@code result}. An attempt
     * that counts comes with its {@code attempt} for the history; a hand-back (not run, not counted) has none.
     */
    public record Finish(String id, String owner, Result result, Attempt attempt, List<ResultWrite> writes) {
        public Finish {
            writes = List.copyOf(writes);
        }

        public Finish(String id, String owner, Result result, Attempt attempt) {
            this(id, owner, result, attempt, List.of());
        }

        public Finish(String id, String owner, Result result) {
            this(id, owner, result, null);
        }

        /** This result without the flow's writes: what is recorded when the database refuses them. */
        Finish withResult(Result other) {
            return new Finish(id, owner, other, attempt, List.of());
        }
    }

    /**
     * A flow's own write that belongs with its message's result (see {@link InboxDispatcher#writeWithResult}): made on
     * the connection, in the transaction, that records the result, and only when that result is recorded (the worker
     * still held the message). It must leave the transaction usable whatever it finds (on PostgreSQL a failed statement
     * aborts it: guard an expected conflict with a savepoint).
     */
    @FunctionalInterface
    public interface ResultWrite {
        void write(Connection connection) throws SQLException;
    }

    /**
     * What the history keeps of one attempt besides its {@link Result}: its number across replays ({@code seq}) and
     * within its run, when it started and for how long, the flow it ran in and the route that failed (or was called).
     */
    public record Attempt(int seq, int number, Instant startedAt, long durationMillis, String flow, String route) {
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
        statement.setString(17, message.receivedVia());
        statement.setInt(18, claimed ? 1 : 0);
        statement.setString(19, message.unhandledOutcome());
    }

    /**
     * Takes {@code id} for processing when it is due, or when its lease ran out or its owner, another node than
     * {@code owner}, has no fresh heartbeat (it died, possibly before its first beat).
     * Counts the attempt. Empty when another worker has it or it is final.
     */
    public Optional<InboxMessage> claim(String id, String owner, Instant now, Duration lease, Instant staleHeartbeat)
            throws SQLException {
        return claimAll(List.of(id), owner, now, lease, staleHeartbeat).stream().findFirst();
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
            + "attempts = attempts + 1, attempt_seq = attempt_seq + 1, updated_at = ? WHERE id = ? AND ((state = 'PENDING' AND next_attempt_at <= ?) OR "
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

    /**
     * Marks the row DEAD and stores its dead letter {@code letterId}, in one transaction with the attempt's history and,
     * when alerts are on, the {@code alert} task that reports it (so a crash cannot come between the two). False when
     * the lease was taken over meanwhile: nothing is stored.
     */
    public boolean bury(InboxMessage message, String flow, Finish finish, String letterId, InboxMessage.New alert,
                        Instant now) throws SQLException {
        Result result = finish.result();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!finish(connection, finish, now)) {
                    connection.rollback();
                    return false;
                }
                if (alert != null) {
                    insertTask(connection, alert, now);
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO dead_letter (id, message_id, flow, trace_id, state, error, http_status, platform_code, "
                                + "platform_msg, attempts, payload, created_at) VALUES (?, ?, ?, ?, 'dead', ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, letterId);
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
     * Stores {@code task} PENDING on {@code connection}, inside the caller's transaction; false when its dedup key is
     * stored already.
     */
    boolean insertTask(Connection connection, InboxMessage.New task, Instant now) throws SQLException {
        if (!sharedDatabase && !existingKeys(connection, List.of(task.dedupKey())).isEmpty()) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            bindInsert(statement, task, Duration.ZERO, now);
            return statement.executeUpdate() == 1;
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
            + "attempt_seq = attempt_seq - ?, "
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
                            + "replayed_at = ?, replayed_by = 'sweep' WHERE state = 'dead' AND message_id = (SELECT id FROM inbox WHERE dedup_key = ?)")) {
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

    /** Records {@code finish} if its owner still holds the lease; false when it was taken over meanwhile. */
    private boolean finish(Connection connection, Finish finish, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FINISH)) {
            bindFinish(update, finish, now);
            if (update.executeUpdate() != 1) {
                return false;
            }
        }
        writeWith(connection, finish);
        recordAttempts(connection, List.of(finish));
        return true;
    }

    private static void writeWith(Connection connection, Finish finish) throws SQLException {
        for (ResultWrite write : finish.writes()) {
            write.write(connection);
        }
    }

    private static final String INSERT_ATTEMPT = "INSERT INTO inbox_attempt (message_id, seq, attempt, started_at, "
            + "duration_ms, node_id, flow, route, result, outcome, http_status, platform_code, platform_msg, error, "
            + "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /** The one attempt that falls out of the "last" window as a newer one comes in, unless it is among the first. */
    private static final String FORGET_ATTEMPT = "DELETE FROM inbox_attempt WHERE message_id = ? AND seq = ?";

    /**
     * Adds the attempts of {@code finishes}, whose results were recorded (their owner still held the lease), to their
     * messages' histories: batches riding on the transaction of the results, no round trip of their own.
     */
    private static void recordAttempts(Connection connection, List<Finish> finishes) throws SQLException {
        List<Finish> attempts = finishes.stream().filter(f -> f.attempt() != null).toList();
        if (attempts.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_ATTEMPT)) {
            for (Finish finish : attempts) {
                Attempt attempt = finish.attempt();
                Result result = finish.result();
                insert.setString(1, finish.id());
                insert.setInt(2, attempt.seq());
                insert.setInt(3, attempt.number());
                insert.setObject(4, time(attempt.startedAt()));
                insert.setLong(5, attempt.durationMillis());
                insert.setString(6, finish.owner());
                insert.setString(7, truncate(attempt.flow(), ColumnLimits.FLOW));
                insert.setString(8, truncate(attempt.route(), ROUTE));
                insert.setString(9, result.state() == State.PENDING ? RETRY : result.state().name());
                insert.setString(10, truncate(result.outcome(), ColumnLimits.OUTCOME));
                setInteger(insert, 11, result.httpStatus());
                setInteger(insert, 12, result.platformCode());
                insert.setString(13, truncate(result.platformMsg(), ColumnLimits.PLATFORM_MSG));
                insert.setString(14, truncate(result.lastError(), ColumnLimits.ERROR));
                setTime(insert, 15, result.state() == State.PENDING ? result.nextAttemptAt() : null);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        List<Finish> overflowing = attempts.stream()
                .filter(f -> f.attempt().seq() > FIRST_ATTEMPTS_KEPT + LAST_ATTEMPTS_KEPT).toList();
        if (!overflowing.isEmpty()) {
            try (PreparedStatement forget = connection.prepareStatement(FORGET_ATTEMPT)) {
                for (Finish finish : overflowing) {
                    forget.setString(1, finish.id());
                    forget.setInt(2, finish.attempt().seq() - LAST_ATTEMPTS_KEPT);
                    forget.addBatch();
                }
                forget.executeBatch();
            }
        }
    }

    /** The history's name for an attempt after which the message waits for another one. */
    public static final String RETRY = "RETRY";
    /** {@code inbox_attempt.route}. */
    private static final int ROUTE = 128;

    /**
     * Records results as one batch, with their attempts' history in the same transaction; a result whose lease was
     * lost meanwhile changes nothing.
     */
    private void finishAll(Connection connection, List<Finish> finishes, Instant now) throws SQLException {
        int[] recorded;
        try (PreparedStatement update = connection.prepareStatement(FINISH)) {
            for (Finish finish : finishes) {
                bindFinish(update, finish, now);
                update.addBatch();
            }
            recorded = update.executeBatch();
        }
        List<Finish> kept = new ArrayList<>(finishes.size());
        for (int i = 0; i < finishes.size(); i++) {
            // a result whose lease was lost changed nothing, and its attempt is no part of the history
            if (recorded[i] == 1) {
                kept.add(finishes.get(i));
                writeWith(connection, finishes.get(i));
            }
        }
        recordAttempts(connection, kept);
    }

    private static void bindFinish(PreparedStatement update, Finish finish, Instant now) throws SQLException {
        Result result = finish.result();
        update.setString(1, result.state().name());
        update.setObject(2, time(result.nextAttemptAt() != null ? result.nextAttemptAt() : now));
        update.setInt(3, result.attemptCounted() ? 0 : 1);
        update.setInt(4, result.attemptCounted() ? 0 : 1);
        update.setString(5, truncate(result.outcome(), ColumnLimits.OUTCOME));
        setInteger(update, 6, result.httpStatus());
        setInteger(update, 7, result.platformCode());
        update.setString(8, truncate(result.platformMsg(), ColumnLimits.PLATFORM_MSG));
        update.setString(9, truncate(result.lastError(), ColumnLimits.ERROR));
        update.setObject(10, time(now));
        update.setString(11, finish.id());
        update.setString(12, finish.owner());
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
        return list(new Filter(kind, state, null, null, null, null, null, null, null), after, limit);
    }

    /**
     * What a list of messages is narrowed to; a null field means "any". {@code eventTypes}, when not null, admits only
     * those types (none when empty); {@code from} is inclusive, {@code to} exclusive, both on {@code created_at}.
     */
    public record Filter(Kind kind, State state, String flow, String eventType, Collection<String> eventTypes,
                         Instant from, Instant to, Integer platformCode, String dedupKey) {
    }

    /** Newest first, after {@code after} (null: from the newest), those {@code filter} admits. */
    public List<InboxMessage> list(Filter filter, ListPosition after, int limit) throws SQLException {
        if (filter.eventTypes() != null && filter.eventTypes().isEmpty()) {
            return List.of();
        }
        SqlFilter where = new SqlFilter()
                .and("kind = ?", filter.kind() == null ? null : filter.kind().name())
                .and("state = ?", filter.state() == null ? null : filter.state().name())
                .and("flow = ?", filter.flow())
                .and("event_type = ?", filter.eventType())
                .andIn("event_type", filter.eventTypes())
                .and("created_at >= ?", filter.from())
                .and("created_at < ?", filter.to())
                .and("platform_code = ?", filter.platformCode())
                .and("dedup_key = ?", filter.dedupKey());
        String sql = "SELECT " + COLUMNS + " FROM inbox WHERE " + ListPosition.after(after, "id") + where.sql()
                + ListPosition.newestFirst("id", limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            where.bind(select, ListPosition.bind(select, 1, after));
            List<InboxMessage> messages = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    messages.add(map(rows));
                }
            }
            return messages;
        }
    }

    /**
     * Makes the parked messages of a resumed flow due at {@code now}: those the inbox sends to {@code flow} and the events
     * of {@code eventTypes}. Answers how many.
     */
    public int unpark(String flow, Collection<String> eventTypes, Instant now) throws SQLException {
        String events = eventTypes.isEmpty() ? ""
                : " OR (kind = 'EVENT' AND event_type IN (" + "?, ".repeat(eventTypes.size() - 1) + "?))";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE inbox SET next_attempt_at = ?, updated_at = ? "
                     + "WHERE state = 'PENDING' AND next_attempt_at = ? AND (flow = ?" + events + ")")) {
            update.setObject(1, time(now));
            update.setObject(2, time(now));
            update.setObject(3, time(PARKED));
            update.setString(4, flow);
            int index = 5;
            for (String eventType : eventTypes) {
                update.setString(index++, eventType);
            }
            return update.executeUpdate();
        }
    }

    /** A kind of parked message: the inbox flow it is sent to and its event type (null for requests and tasks). */
    public record ParkedKind(String flow, String eventType) {
    }

    /** How many messages of each kind are parked now, read from the (state, next_attempt_at) index. */
    public Map<ParkedKind, Long> parked() throws SQLException {
        Map<ParkedKind, Long> counts = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT flow, event_type, COUNT(*) FROM inbox "
                     + "WHERE state = 'PENDING' AND next_attempt_at = ? GROUP BY flow, event_type")) {
            select.setObject(1, time(PARKED));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(new ParkedKind(rows.getString(1), rows.getString(2)), rows.getLong(3));
                }
            }
        }
        return counts;
    }

    /** Makes the parked messages of {@code kind} due at {@code now}. Answers how many. */
    public int unpark(ParkedKind kind, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE inbox SET next_attempt_at = ?, updated_at = ? "
                     + "WHERE state = 'PENDING' AND next_attempt_at = ? AND flow = ? AND "
                     + (kind.eventType() == null ? "event_type IS NULL" : "event_type = ?"))) {
            update.setObject(1, time(now));
            update.setObject(2, time(now));
            update.setObject(3, time(PARKED));
            update.setString(4, kind.flow());
            if (kind.eventType() != null) {
                update.setString(5, kind.eventType());
            }
            return update.executeUpdate();
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

    /** Row counts per flow and state (flows without rows absent), for the operator console. */
    public Map<String, Map<State, Long>> countByFlowAndState() throws SQLException {
        Map<String, Map<State, Long>> counts = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT flow, state, COUNT(*) FROM inbox GROUP BY flow, state");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                counts.computeIfAbsent(rows.getString(1), flow -> new TreeMap<>())
                        .put(State.valueOf(rows.getString(2)), rows.getLong(3));
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
                rows.getString("tenant_key"),
                rows.getString("received_via"),
                rows.getInt("attempt_seq"));
    }
}

package dev.hrbridge.qrcode;

import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.qrcode.ManagedQrCode.Status;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.time;

/** JDBC access to {@code onboarding_qr_code} and {@code onboarding_qr_code_unmanaged}, the same SQL on H2 and PostgreSQL. */
public class QrCodeRepository {

    /** Ids per IN (...) list: an event names up to 10,000 codes. */
    static final int CHUNK = 500;
    private static final String COLUMNS = "id, url, png, dimension_value_list, status, replaced_by, replaces, created_at";

    private final DataSource dataSource;

    public QrCodeRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(ManagedQrCode code) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            insert(connection, code);
        }
    }

    private static void insert(Connection connection, ManagedQrCode code) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO onboarding_qr_code (" + COLUMNS
                + ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, code.id());
            insert.setString(2, code.url());
            insert.setString(3, code.png());
            insert.setString(4, code.dimensionValueList());
            insert.setString(5, code.status().column());
            insert.setString(6, code.replacedBy());
            insert.setString(7, code.replaces());
            insert.setObject(8, time(code.createdAt()));
            insert.setObject(9, time(code.createdAt()));
            insert.executeUpdate();
        }
    }

    public Optional<ManagedQrCode> find(String id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM onboarding_qr_code WHERE id = ?")) {
            select.setString(1, id);
            List<ManagedQrCode> found = read(select);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Newest first, after {@code after} (null: from the newest); {@code status} null for all. */
    public List<ManagedQrCode> list(Status status, ListPosition after, int limit) throws SQLException {
        String where = ListPosition.after(after, "id") + (status == null ? "" : " AND status = ?");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM onboarding_qr_code WHERE "
                     + where + ListPosition.newestFirst("id", limit))) {
            int index = ListPosition.bind(select, 1, after);
            if (status != null) {
                select.setString(index, status.column());
            }
            return read(select);
        }
    }

    /**
     * Marks the managed codes among {@code ids} inactive (those still active) and answers the ids of the managed
     * ones not yet replaced: the codes to rotate. Ids we never created are not in the answer.
     */
    public Set<String> markInactive(List<String> ids, Instant now) throws SQLException {
        Set<String> toRotate = new LinkedHashSet<>();
        try (Connection connection = dataSource.getConnection()) {
            for (List<String> chunk : chunks(ids)) {
                String in = placeholders(chunk.size());
                try (PreparedStatement update = connection.prepareStatement("UPDATE onboarding_qr_code SET status = 'inactive', "
                        + "updated_at = ? WHERE status = 'active' AND id IN (" + in + ")")) {
                    update.setObject(1, time(now));
                    bind(update, 2, chunk);
                    update.executeUpdate();
                }
                try (PreparedStatement select = connection.prepareStatement("SELECT id FROM onboarding_qr_code "
                        + "WHERE replaced_by IS NULL AND id IN (" + in + ")")) {
                    bind(select, 1, chunk);
                    toRotate.addAll(ids(select));
                }
            }
        }
        return toRotate;
    }

    /** Which of {@code ids} are managed codes (any status). */
    public Set<String> managed(List<String> ids) throws SQLException {
        Set<String> managed = new LinkedHashSet<>();
        try (Connection connection = dataSource.getConnection()) {
            for (List<String> chunk : chunks(ids)) {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id FROM onboarding_qr_code WHERE id IN (" + placeholders(chunk.size()) + ")")) {
                    bind(select, 1, chunk);
                    managed.addAll(ids(select));
                }
            }
        }
        return managed;
    }

    /** Records codes we do not manage as seen inactive; a code seen before keeps its first sighting. */
    private static String fits(String link) {
        return link == null || link.length() > ColumnLimits.QR_CODE_LINK ? null : link;
    }

    public void recordUnmanaged(List<SeenCode> codes, String eventId, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO onboarding_qr_code_unmanaged "
                    + "(id, url, png, event_id, seen_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
                    + "(SELECT 1 FROM onboarding_qr_code_unmanaged WHERE id = ?)")) {
                for (int i = 0; i < codes.size(); i++) {
                    SeenCode code = codes.get(i);
                    insert.setString(1, code.id());
                    // links are kept for the operator's reference; one longer than the column is left out, not cut
                    insert.setString(2, fits(code.url()));
                    insert.setString(3, fits(code.png()));
                    insert.setString(4, eventId);
                    insert.setObject(5, time(now));
                    insert.setString(6, code.id());
                    insert.addBatch();
                    if ((i + 1) % CHUNK == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Links {@code replacement} to the code it replaces and stores it, in one transaction, only if the old code was
     * not replaced yet. False (nothing stored) when another rotation got there first.
     */
    public boolean replace(ManagedQrCode replacement, Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int linked;
                try (PreparedStatement update = connection.prepareStatement("UPDATE onboarding_qr_code SET status = 'replaced', "
                        + "replaced_by = ?, updated_at = ? WHERE id = ? AND replaced_by IS NULL")) {
                    update.setString(1, replacement.id());
                    update.setObject(2, time(now));
                    update.setString(3, replacement.replaces());
                    linked = update.executeUpdate();
                }
                if (linked != 1) {
                    connection.rollback();
                    return false;
                }
                insert(connection, replacement);
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Ids the sweep rotates: inactive and not replaced, and, when {@code createdBefore} is set, active ones older. */
    /** Managed codes per status, and those inactive without a replacement (a rotation still owed): for operators. */
    public Map<String, Long> counts() throws SQLException {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT status, COUNT(*), SUM(CASE WHEN replaced_by IS NULL THEN 1 ELSE 0 END) "
                             + "FROM onboarding_qr_code GROUP BY status");
             java.sql.ResultSet rows = select.executeQuery()) {
            long unreplacedInactive = 0;
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
                if ("inactive".equals(rows.getString(1))) {
                    unreplacedInactive = rows.getLong(3);
                }
            }
            counts.put("inactive_not_replaced", unreplacedInactive);
        }
        return counts;
    }

    public List<String> dueForRotation(Instant createdBefore) throws SQLException {
        String sql = "SELECT id FROM onboarding_qr_code WHERE (status = 'inactive' AND replaced_by IS NULL)"
                + (createdBefore == null ? "" : " OR (status = 'active' AND created_at < ?)") + " ORDER BY created_at";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            if (createdBefore != null) {
                select.setObject(1, time(createdBefore));
            }
            return ids(select);
        }
    }

    /** A code as an inactive event names it. */
    public record SeenCode(String id, String url, String png) {
    }

    private static List<ManagedQrCode> read(PreparedStatement select) throws SQLException {
        List<ManagedQrCode> codes = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                codes.add(new ManagedQrCode(rows.getString("id"), rows.getString("url"), rows.getString("png"),
                        rows.getString("dimension_value_list"),
                        Status.valueOf(rows.getString("status").toUpperCase(Locale.ROOT)),
                        rows.getString("replaced_by"), rows.getString("replaces"),
                        instant(rows, "created_at")));
            }
        }
        return codes;
    }

    private static List<String> ids(PreparedStatement select) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            chunks.add(ids.subList(from, Math.min(ids.size(), from + CHUNK)));
        }
        return chunks;
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    private static void bind(PreparedStatement statement, int first, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            statement.setString(first + i, values.get(i));
        }
    }
}

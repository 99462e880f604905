package dev.hrbridge.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

import static dev.hrbridge.db.SqlColumns.time;

/**
 * A row's place in the one order of every list operators read: newest first by {@code (created_at, key)}, the key
 * being the table's primary key, so rows stored at the same instant (a batch) still have a fixed place. A page
 * continues strictly after the position of the last row of the page before, never at an OFFSET: rows stored
 * meanwhile shift nothing, so a walk neither repeats nor skips a row.
 */
public record ListPosition(Instant createdAt, String key) {

    /** The SQL condition for rows after {@code after} (any row when null) on a table whose key column is {@code keyColumn}. */
    public static String after(ListPosition after, String keyColumn) {
        // the first term alone bounds the index range; the second breaks ties on created_at
        return after == null ? "1 = 1" : "created_at <= ? AND (created_at < ? OR " + keyColumn + " < ?)";
    }

    /** Binds {@link #after}'s parameters from {@code index} on; answers the next free index. */
    public static int bind(PreparedStatement statement, int index, ListPosition after) throws SQLException {
        if (after == null) {
            return index;
        }
        statement.setObject(index, time(after.createdAt()));
        statement.setObject(index + 1, time(after.createdAt()));
        statement.setString(index + 2, after.key());
        return index + 3;
    }

    /** The order and size clause: {@code limit} rows, newest first. */
    public static String newestFirst(String keyColumn, int limit) {
        return " ORDER BY created_at DESC, " + keyColumn + " DESC FETCH FIRST " + limit + " ROWS ONLY";
    }
}

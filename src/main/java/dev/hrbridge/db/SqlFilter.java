package dev.hrbridge.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static dev.hrbridge.db.SqlColumns.time;

/**
 * The conditions a list is narrowed by, each with its value, added only for the filters a caller gave: a null value
 * adds nothing. Values are bound, never written into the SQL.
 */
public final class SqlFilter {

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> values = new ArrayList<>();

    /** {@code AND condition}, its one {@code ?} bound to {@code value}; nothing when {@code value} is null. */
    public SqlFilter and(String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            values.add(value);
        }
        return this;
    }

    /** {@code AND column IN (...)} of {@code values}, which must not be empty; nothing when they are null. */
    public SqlFilter andIn(String column, Collection<String> in) {
        if (in != null) {
            sql.append(" AND ").append(column).append(" IN (").append("?, ".repeat(in.size() - 1)).append("?)");
            values.addAll(in);
        }
        return this;
    }

    /** The conditions, each starting with {@code AND}. */
    public String sql() {
        return sql.toString();
    }

    /** Binds the values from {@code index} on; answers the next free index. */
    public int bind(PreparedStatement statement, int index) throws SQLException {
        for (Object value : values) {
            statement.setObject(index++, value instanceof Instant instant ? time(instant) : value);
        }
        return index;
    }
}

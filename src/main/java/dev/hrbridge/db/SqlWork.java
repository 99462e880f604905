package dev.hrbridge.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Statements to run on a connection inside a transaction someone else commits. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}

package dev.hrbridge;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The lists operators page through, each with the field that identifies an item, a filter, and how a test stores a
 * row straight into its table (with the created_at it chooses, so that rows can share one). A row stored with
 * {@code matching} passes the filter; the others fail it, for the two-part dead-letter filter in either part.
 */
public enum PagedList {

    EVENTS("/api/v1/events", "id", "state=DEAD",
            "INSERT INTO inbox (id, kind, dedup_key, flow, event_type, trace_id, payload, state, attempts, next_attempt_at, "
                    + "created_at, updated_at) VALUES (?, 'EVENT', 'paging:' || ?, 'event-router', 'test.paging_v1', ?, '{}', ?, 1, ?, ?, ?)"),
    DEAD_LETTERS("/api/v1/dead-letters", "id", "state=replayed&flow=paging-b",
            "INSERT INTO dead_letter (id, message_id, trace_id, flow, state, error, attempts, payload, created_at) "
                    + "VALUES (?, ?, ?, ?, ?, 'HTTP 503', 1, '{}', ?)"),
    QR_CODES("/api/v1/onboarding-qr-codes", "id", "status=replaced",
            "INSERT INTO onboarding_qr_code (id, url, png, dimension_value_list, status, created_at, updated_at) "
                    + "VALUES (?, 'https://qr.example/' || ?, 'https://qr.example/png', '[]', ?, ?, ?)"),
    ECO_ACCOUNTS("/api/v1/eco-accounts", "account_id", "status=unmatched",
            "INSERT INTO eco_account (account_id, scope, usage_list, custom_field_list, event_id, status, created_at, updated_at) "
                    + "VALUES (?, 1, '[1]', '[]', ?, ?, ?, ?)");

    public final String path;
    public final String keyField;
    public final String filter;
    private final String insert;

    PagedList(String path, String keyField, String filter, String insert) {
        this.path = path;
        this.keyField = keyField;
        this.filter = filter;
        this.insert = insert;
    }

    public void insert(DataSource dataSource, String key, Instant createdAt, boolean matching) throws SQLException {
        Object time = createdAt.atOffset(ZoneOffset.UTC);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement row = connection.prepareStatement(insert)) {
            row.setString(1, key);
            row.setString(2, key);
            switch (this) {
                case EVENTS -> {
                    row.setString(3, key);
                    row.setString(4, matching ? "DEAD" : "SUCCEEDED");
                    row.setObject(5, time);
                    row.setObject(6, time);
                    row.setObject(7, time);
                }
                case DEAD_LETTERS -> {
                    // only the two parts together pass: the others miss the state or the flow, half each
                    boolean replayed = matching || key.hashCode() % 2 == 0;
                    row.setString(3, key);
                    row.setString(4, matching || !replayed ? "paging-b" : "paging-a");
                    row.setString(5, replayed ? "replayed" : "dead");
                    row.setObject(6, time);
                }
                case QR_CODES -> {
                    row.setString(3, matching ? "replaced" : "active");
                    row.setObject(4, time);
                    row.setObject(5, time);
                }
                case ECO_ACCOUNTS -> {
                    row.setString(3, matching ? "unmatched" : "bound");
                    row.setObject(4, time);
                    row.setObject(5, time);
                }
            }
            row.executeUpdate();
        }
    }
}

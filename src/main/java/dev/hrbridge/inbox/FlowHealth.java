package dev.hrbridge.inbox;

import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.ops.Alerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import static dev.hrbridge.db.ColumnLimits.truncate;
import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.setInteger;
import static dev.hrbridge.db.SqlColumns.setTime;
import static dev.hrbridge.db.SqlColumns.time;

/**
 * Whether each flow is failing, as all instances together see it, and the alerts that go with it. Each worker notes its
 * attempts' outcome in memory (no database work per attempt); at each refresh of {@link Flows} the notes are merged into
 * {@code hrb_flow} under the row's lock: the last success, the last failure and {@code failing_since}, the first failure
 * after the last success. A flow is failing once {@code failing_since} is {@code hrb.alerts.flow-failing-after} old and it
 * failed within that time too: every attempt of it in that window failed. That starts an episode, reported once
 * ({@code failing_alerted_at}); the first success after the report ends it with a recovery alert.
 */
public class FlowHealth {

    private static final Logger LOG = LoggerFactory.getLogger(FlowHealth.class);

    private final DataSource dataSource;
    private final InboxRepository repository;
    private final Flows flows;
    private final Alerts alerts;
    private final Map<String, Notes> notes = new ConcurrentHashMap<>();
    private volatile Consumer<String> submit = id -> { };

    /** What this instance saw of a flow since its last merge. */
    private record Notes(Instant lastSuccess, Instant failingSince, Instant lastFailure, String lastError, Integer lastCode) {

        Notes and(Notes later) {
            if (later.lastSuccess() != null) {
                // a success ends the streak of failures before it
                return new Notes(later.lastSuccess(), later.failingSince(), max(lastFailure, later.lastFailure()),
                        later.lastError() != null ? later.lastError() : lastError,
                        later.lastError() != null ? later.lastCode() : lastCode);
            }
            return new Notes(lastSuccess, failingSince != null ? failingSince : later.failingSince(),
                    max(lastFailure, later.lastFailure()), later.lastError(), later.lastCode());
        }
    }

    public FlowHealth(DataSource dataSource, InboxRepository repository, Flows flows, Alerts alerts) {
        this.dataSource = dataSource;
        this.repository = repository;
        this.flows = flows;
        this.alerts = alerts;
    }

    /** Where an alert task goes once it is stored: the dispatcher runs it. */
    void submitTo(Consumer<String> submit) {
        this.submit = submit;
    }

    /** An attempt of {@code flow} ended at {@code at}: successfully, or failing with {@code error} and {@code code}. */
    public void noted(String flow, boolean succeeded, Instant at, String error, Integer code) {
        Notes attempt = succeeded ? new Notes(at, null, null, null, null) : new Notes(null, at, at, error, code);
        notes.merge(flow, attempt, Notes::and);
    }

    /** Merges what was noted since the last tick and decides the alerts that are due; called by {@link Flows}. */
    void tick(Map<String, Flows.Row> rows, Instant now) {
        Map<String, Notes> taken = new TreeMap<>();
        for (String flow : List.copyOf(notes.keySet())) {
            Notes noted = notes.remove(flow);
            if (noted != null) {
                taken.put(flow, noted);
            }
        }
        TreeSet<String> due = new TreeSet<>(taken.keySet());
        if (alerts.enabled()) {
            rows.values().stream().filter(row -> failingDue(row, now)).forEach(row -> due.add(row.flow()));
        }
        if (due.isEmpty()) {
            return;
        }
        List<String> tasks = new ArrayList<>();
        try {
            for (String flow : due) {
                flows.ensureRow(flow, now);
            }
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    // one order for every instance, so two merging at once never wait on each other's rows
                    for (String flow : due) {
                        merge(connection, flow, taken.get(flow), now, tasks);
                    }
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    tasks.clear();
                    throw e;
                }
            }
        } catch (Exception e) {
            // kept for the next tick rather than lost
            taken.forEach((flow, noted) -> notes.merge(flow, noted, (newer, older) -> older.and(newer)));
            LOG.warn("Could not record the flows' health; tried again at the next refresh: {}", e.toString());
            return;
        }
        tasks.forEach(submit);
    }

    private boolean failingDue(Flows.Row row, Instant now) {
        Instant windowStart = now.minus(alerts.flowFailingAfter());
        // failures before the window and inside it, no success since the first: every attempt in the window failed
        return row.failingAlertedAt() == null && row.failingSince() != null && row.lastFailureAt() != null
                && row.failingSince().isBefore(windowStart) && !row.lastFailureAt().isBefore(windowStart);
    }

    private void merge(Connection connection, String flow, Notes noted, Instant now, List<String> tasks) throws SQLException {
        Flows.Row row;
        try (PreparedStatement select = connection.prepareStatement("SELECT last_success_at, last_failure_at, failing_since, "
                + "failing_alerted_at, last_error, last_platform_code FROM hrb_flow WHERE flow = ? FOR UPDATE")) {
            select.setString(1, flow);
            try (ResultSet found = select.executeQuery()) {
                if (!found.next()) {
                    return;
                }
                row = new Flows.Row(flow, false, null, null, null, instant(found, "last_success_at"),
                        instant(found, "last_failure_at"), instant(found, "failing_since"),
                        instant(found, "failing_alerted_at"), found.getString("last_error"),
                        (Integer) found.getObject("last_platform_code"));
            }
        }
        Instant lastSuccess = row.lastSuccessAt();
        Instant lastFailure = row.lastFailureAt();
        Instant failingSince = row.failingSince();
        String lastError = row.lastError();
        Integer lastCode = row.lastPlatformCode();
        if (noted != null) {
            lastSuccess = max(lastSuccess, noted.lastSuccess());
            lastFailure = max(lastFailure, noted.lastFailure());
            failingSince = earliestAfter(lastSuccess, failingSince, noted.failingSince());
            if (noted.lastError() != null) {
                lastError = noted.lastError();
                lastCode = noted.lastCode();
            }
        }
        if (failingSince == null && lastFailure != null && (lastSuccess == null || lastFailure.isAfter(lastSuccess))) {
            // the first failure after the success was noted elsewhere before it; the latest one known stands in
            failingSince = lastFailure;
        }
        Instant alertedAt = row.failingAlertedAt();
        Flows.Row merged = new Flows.Row(flow, false, null, null, null, lastSuccess, lastFailure, failingSince, alertedAt,
                lastError, lastCode);
        if (alertedAt != null && lastSuccess != null && lastSuccess.isAfter(alertedAt)) {
            LOG.info("Flow {} succeeds again ({}), after it was reported failing at {}", flow, lastSuccess, alertedAt);
            add(tasks, connection, alerts.flowRecovered(flow, alertedAt, lastSuccess), now);
            alertedAt = null;
        } else if (alerts.enabled() && failingDue(merged, now)) {
            LOG.warn("Flow {} has failed every attempt since {} (last error: {})", flow, failingSince, lastError);
            add(tasks, connection, alerts.flowFailing(new Alerts.Failing(flow, failingSince, lastFailure, lastSuccess,
                    lastError, lastCode, now)), now);
            alertedAt = now;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE hrb_flow SET last_success_at = ?, "
                + "last_failure_at = ?, failing_since = ?, failing_alerted_at = ?, last_error = ?, last_platform_code = ?, "
                + "updated_at = ? WHERE flow = ?")) {
            setTime(update, 1, lastSuccess);
            setTime(update, 2, lastFailure);
            setTime(update, 3, failingSince);
            setTime(update, 4, alertedAt);
            update.setString(5, truncate(lastError, ColumnLimits.ERROR));
            setInteger(update, 6, lastCode);
            update.setObject(7, time(now));
            update.setString(8, flow);
            update.executeUpdate();
        }
    }

    private void add(List<String> tasks, Connection connection, InboxMessage.New alert, Instant now) throws SQLException {
        if (alert != null && repository.insertTask(connection, alert, now)) {
            tasks.add(alert.id());
        }
    }

    /** The earliest of {@code candidates} after {@code lastSuccess}: the start of the failures since. */
    private static Instant earliestAfter(Instant lastSuccess, Instant... candidates) {
        Instant earliest = null;
        for (Instant candidate : candidates) {
            if (candidate != null && (lastSuccess == null || candidate.isAfter(lastSuccess))
                    && (earliest == null || candidate.isBefore(earliest))) {
                earliest = candidate;
            }
        }
        return earliest;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}

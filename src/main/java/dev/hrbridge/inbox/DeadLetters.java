package dev.hrbridge.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ListPosition;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.time;

/**
 * The dead-letter store as operators use it ({@code /api/v1/dead-letters}): list, inspect, replay once, delete.
 * Dead letters are written by {@link InboxRepository#bury}; a replay puts the original inbox message back to
 * PENDING and hands it to the dispatcher, so it runs through the same flow with a fresh set of attempts.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, kind, message_id, flow, trace_id, state, error, http_status, platform_code, "
            + "platform_msg, attempts, payload, created_at, replayed_at";

    /** The kind of a dead letter set aside by the journal ingester: an event the inbox table refused. */
    public static final String INGEST = "ingest";

    private final DataSource dataSource;
    private final InboxDispatcher dispatcher;
    private final ListPages pages;
    private final Clock clock;

    public DeadLetters(InboxRepository repository, InboxDispatcher dispatcher, ListPages pages) {
        this(repository.dataSource(), dispatcher, pages, Clock.systemUTC());
    }

    DeadLetters(DataSource dataSource, InboxDispatcher dispatcher, ListPages pages, Clock clock) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.pages = pages;
        this.clock = clock;
    }

    /** One row of {@code dead_letter}. */
    public record DeadLetter(String id, String kind, String messageId, String flow, String traceId, String state, String error,
                             Integer httpStatus, Integer platformCode, String platformMsg, int attempts, String payload,
                             Instant createdAt, Instant replayedAt) {
    }

    /** {@code GET /api/v1/dead-letters[?state=dead|replayed&flow=&limit=&cursor=]}: newest first. */
    public String list(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        ListPages.Page page = pages.page("dead-letters", query);
        List<DeadLetter> letters = find(parseState(query.get("state")), query.get("flow"), page.after(), page.fetch());
        return JSON.writeValueAsString(pages.answer(page, letters,
                letter -> new ListPosition(letter.createdAt(), letter.id()), letter -> view(letter, false)));
    }

    /** {@code GET /api/v1/dead-letters/{id}}: the dead letter with the original payload. */
    public String detail(@Header("id") String id) throws Exception {
        return JSON.writeValueAsString(view(require(id), true));
    }

    /**
     * {@code POST /api/v1/dead-letters/{id}/replay}. In one transaction the dead letter turns {@code replayed} only
     * if it is still {@code dead}, and its inbox message goes back to PENDING with no attempts, due now; only the
     * replay whose conditional update won hands the message to the dispatcher, so two replays at once call the
     * upstream once.
     */
    public String replay(@Header("id") String id) throws Exception {
        DeadLetter letter = require(id);
        if (INGEST.equals(letter.kind())) {
            throw new ApiException(409, "not_replayable", "dead letter " + id + " is an event the inbox table refused when "
                    + "it was taken in; it has no inbox message to run again. Fix the cause, then have it sent again")
                    .with("id", id);
        }
        Instant now = clock.instant();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!markReplayed(connection, id, now)) {
                    connection.rollback();
                    throw alreadyReplayed(id);
                }
                if (!reopen(connection, letter.messageId(), now)) {
                    connection.rollback();
                    throw new ApiException(409, "message_not_dead",
                            "the inbox message of dead letter " + id + " is no longer DEAD; it cannot be replayed")
                            .with("id", id).with("message_id", letter.messageId());
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        LOG.info("Dead letter {} replayed: {} {} runs again through {}", id, letter.messageId(), letter.traceId(),
                letter.flow());
        dispatcher.submit(letter.messageId());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("state", "replayed");
        answer.put("message_id", letter.messageId());
        return JSON.writeValueAsString(answer);
    }

    /** {@code DELETE /api/v1/dead-letters/{id}}: the operator has dealt with it; the inbox row stays as it is. */
    public void delete(@Header("id") String id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM dead_letter WHERE id = ?")) {
            delete.setString(1, id);
            if (delete.executeUpdate() == 0) {
                throw ApiException.notFound("dead letter " + id);
            }
        }
        LOG.info("Dead letter {} deleted", id);
    }

    /** Dead letters still waiting for an operator, per flow. */
    public Map<String, Long> countDeadByFlow() throws SQLException {
        Map<String, Long> counts = new java.util.TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "SELECT flow, COUNT(*) FROM dead_letter WHERE state = 'dead' GROUP BY flow");
             ResultSet rows = count.executeQuery()) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }

    /** Dead letters still waiting for an operator. */
    public long countDead() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM dead_letter WHERE state = 'dead'");
             ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    public Optional<DeadLetter> find(String id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?")) {
            select.setString(1, id);
            List<DeadLetter> found = read(select);
            return found.stream().findFirst();
        }
    }

    /** The dead letters of inbox message {@code messageId} (one per time it died), newest first. */
    public List<DeadLetter> ofMessage(String messageId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT " + COLUMNS + " FROM dead_letter WHERE message_id = ? ORDER BY created_at DESC, id DESC")) {
            select.setString(1, messageId);
            return read(select);
        }
    }

    /** Newest first, after {@code after} (null: from the newest); {@code state} and {@code flow} may be null for "any". */
    public List<DeadLetter> find(String state, String flow, ListPosition after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dead_letter WHERE " + ListPosition.after(after, "id"));
        if (state != null) {
            sql.append(" AND state = ?");
        }
        if (flow != null) {
            sql.append(" AND flow = ?");
        }
        sql.append(ListPosition.newestFirst("id", limit));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int index = ListPosition.bind(select, 1, after);
            if (state != null) {
                select.setString(index++, state);
            }
            if (flow != null) {
                select.setString(index, flow);
            }
            return read(select);
        }
    }

    private static boolean markReplayed(Connection connection, String id, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE dead_letter SET state = 'replayed', replayed_at = ? WHERE id = ? AND state = 'dead'")) {
            update.setObject(1, time(now));
            update.setString(2, id);
            return update.executeUpdate() == 1;
        }
    }

    private static boolean reopen(Connection connection, String messageId, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE inbox SET state = 'PENDING', attempts = 0, next_attempt_at = ?, lease_owner = NULL, "
                        + "lease_until = NULL, outcome = NULL, updated_at = ? WHERE id = ? AND state = 'DEAD'")) {
            update.setObject(1, time(now));
            update.setObject(2, time(now));
            update.setString(3, messageId);
            return update.executeUpdate() == 1;
        }
    }

    private DeadLetter require(String id) throws SQLException {
        return find(id).orElseThrow(() -> ApiException.notFound("dead letter " + id));
    }

    private static ApiException alreadyReplayed(String id) {
        return new ApiException(409, "already_replayed", "dead letter " + id + " was already replayed").with("id", id);
    }

    private static List<DeadLetter> read(PreparedStatement select) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                letters.add(new DeadLetter(rows.getString("id"), rows.getString("kind"), rows.getString("message_id"), rows.getString("flow"),
                        rows.getString("trace_id"), rows.getString("state"), rows.getString("error"),
                        (Integer) rows.getObject("http_status"), (Integer) rows.getObject("platform_code"),
                        rows.getString("platform_msg"), rows.getInt("attempts"), rows.getString("payload"),
                        instant(rows, "created_at"), instant(rows, "replayed_at")));
            }
        }
        return letters;
    }

    /** {@code letter} as the API lists it, without its payload. */
    public static Map<String, Object> listed(DeadLetter letter) {
        return view(letter, false);
    }

    private static Map<String, Object> view(DeadLetter letter, boolean withPayload) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", letter.id());
        view.put("kind", letter.kind());
        view.put("flow", letter.flow());
        view.put("state", letter.state());
        view.put("error", letter.error());
        putIfSet(view, "http_status", letter.httpStatus());
        putIfSet(view, "platform_code", letter.platformCode());
        putIfSet(view, "platform_msg", letter.platformMsg());
        view.put("attempts", letter.attempts());
        view.put("trace_id", letter.traceId());
        view.put("message_id", letter.messageId());
        view.put("created_at", letter.createdAt().toString());
        putIfSet(view, "replayed_at", letter.replayedAt() == null ? null : letter.replayedAt().toString());
        if (withPayload) {
            view.put("payload", payloadOf(letter.payload()));
        }
        return view;
    }

    /** The payload as JSON when it is JSON (every inbox payload so far), else as the text it is. */
    private static Object payloadOf(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return payload;
        }
    }

    static void putIfSet(Map<String, Object> view, String key, Object value) {
        if (value != null) {
            view.put(key, value);
        }
    }

    private static String parseState(String state) {
        if (state == null) {
            return null;
        }
        String value = state.toLowerCase(Locale.ROOT);
        if (!value.equals("dead") && !value.equals("replayed")) {
            throw ApiException.invalidField("state", "state must be dead or replayed");
        }
        return value;
    }
}

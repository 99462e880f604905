package dev.hrbridge.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.FilterValues;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.db.SqlFilter;
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
import java.util.Set;

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
            + "platform_msg, attempts, payload, created_at, replayed_at, replayed_by";
    /** The most dead letters one bulk replay may re-drive. */
    public static final int MAX_BULK_REPLAY = 500;
    private static final Set<String> BULK_FIELDS = Set.of("flow", "platform_code", "from", "to", "limit");

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
                             Instant createdAt, Instant replayedAt, String replayedBy) {
    }

    /**
     * {@code GET /api/v1/dead-letters[?state=dead|replayed&flow=&platform_code=&from=&to=&limit=&cursor=]}: newest first;
     * the filters a bulk replay takes show what it would re-drive.
     */
    public String list(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        ListPages.Page page = pages.page("dead-letters", query, "state", "flow", "platform_code", "from", "to");
        Filter filter = new Filter(parseState(query.get("state")), query.get("flow"),
                FilterValues.integer("platform_code", query.get("platform_code")),
                FilterValues.instant("from", query.get("from")), FilterValues.instant("to", query.get("to")));
        return JSON.writeValueAsString(page(filter, page));
    }

    /** The page {@code page} of the dead letters {@code filter} admits, as {@code GET /api/v1/dead-letters} answers it. */
    public Map<String, Object> page(Filter filter, ListPages.Page page) throws SQLException {
        FilterValues.checkRange(filter.from(), filter.to());
        List<DeadLetter> letters = find(filter, page.after(), page.fetch(), true);
        return pages.answer(page, letters, letter -> new ListPosition(letter.createdAt(), letter.id()),
                letter -> view(letter, false));
    }

    /** What a list or a bulk replay is narrowed to; a null field means "any". {@code from} inclusive, {@code to} exclusive. */
    public record Filter(String state, String flow, Integer platformCode, Instant from, Instant to) {
    }

    /** The dead letters of inbox message {@code messageId}, oldest first. */
    public List<DeadLetter> ofMessage(String messageId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                     + " FROM dead_letter WHERE message_id = ? ORDER BY created_at, id")) {
            select.setString(1, messageId);
            return read(select);
        }
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
        return JSON.writeValueAsString(replayFor(id, "api"));
    }

    /** Replays dead letter {@code id} once, for {@code by} (api, jmx); the answer of {@link #replay(String)}. */
    public Map<String, Object> replayFor(String id, String by) throws Exception {
        DeadLetter letter = require(id);
        if (INGEST.equals(letter.kind())) {
            throw new ApiException(409, "not_replayable", "dead letter " + id + " is an event the inbox table refused when "
                    + "it was taken in; it has no inbox message to run again. Fix the cause, then have it sent again")
                    .with("id", id);
        }
        String refused = replayOnce(letter, by);
        if ("already_replayed".equals(refused)) {
            throw alreadyReplayed(id);
        }
        if (refused != null) {
            throw new ApiException(409, refused,
                    "the inbox message of dead letter " + id + " is no longer DEAD; it cannot be replayed")
                    .with("id", id).with("message_id", letter.messageId());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("state", "replayed");
        answer.put("message_id", letter.messageId());
        return answer;
    }

    /**
     * In one transaction the dead letter turns {@code replayed} only if it is still {@code dead}, and its inbox message
     * goes back to PENDING with no attempts, due now; the winner hands the message to the dispatcher. Answers null when
     * this call replayed it, else why not: {@code already_replayed} or {@code message_not_dead}.
     */
    private String replayOnce(DeadLetter letter, String by) throws SQLException {
        Instant now = clock.instant();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!markReplayed(connection, letter.id(), by, now)) {
                    connection.rollback();
                    return "already_replayed";
                }
                if (!reopen(connection, letter.messageId(), now)) {
                    connection.rollback();
                    return "message_not_dead";
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        LOG.info("Dead letter {} replayed ({}): {} {} runs again through {}", letter.id(), by, letter.messageId(),
                letter.traceId(), letter.flow());
        dispatcher.submit(letter.messageId());
        return null;
    }

    /**
     * {@code POST /api/v1/dead-letters/replay} {@code {"flow"?, "platform_code"?, "from"?, "to"?, "limit"}}: replays up to
     * {@code limit} dead letters the filter admits, oldest first, each once however many callers do the same at once.
     */
    public String replayMatching(Exchange exchange) throws Exception {
        JsonNode body = JsonRequestBody.readObject(exchange);
        FilterValues.onlyKnown(body, BULK_FIELDS);
        Integer limit = FilterValues.integer(body, "limit");
        if (limit == null || limit < 1 || limit > MAX_BULK_REPLAY) {
            throw ApiException.invalidField("limit", "limit is required, a whole number from 1 to " + MAX_BULK_REPLAY)
                    .with("max", MAX_BULK_REPLAY);
        }
        String flow = FilterValues.text(body, "flow");
        ApiException.checkLength("flow", flow, ColumnLimits.FLOW);
        Filter filter = new Filter("dead", flow, FilterValues.integer(body, "platform_code"),
                FilterValues.instant("from", FilterValues.text(body, "from")),
                FilterValues.instant("to", FilterValues.text(body, "to")));
        return JSON.writeValueAsString(replayAll(filter, limit, "api-bulk"));
    }

    /**
     * Replays up to {@code limit} dead letters of kind flow that {@code filter} admits, oldest first, for {@code by}.
     * Answers {@code {"replayed": [{id, message_id, flow}], "count", "skipped": [{id, reason}], "more"}}: {@code skipped}
     * are those another caller replayed first, {@code more} whether others match beyond the limit.
     */
    public Map<String, Object> replayAll(Filter filter, int limit, String by) throws Exception {
        FilterValues.checkRange(filter.from(), filter.to());
        List<DeadLetter> candidates = find(new Filter("dead", filter.flow(), filter.platformCode(), filter.from(),
                filter.to()), null, limit + 1, false);
        List<Map<String, Object>> replayed = new ArrayList<>();
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (DeadLetter letter : candidates.subList(0, Math.min(limit, candidates.size()))) {
            String refused = replayOnce(letter, by);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", letter.id());
            item.put("message_id", letter.messageId());
            item.put("flow", letter.flow());
            if (refused == null) {
                replayed.add(item);
            } else {
                item.put("reason", refused);
                skipped.add(item);
            }
        }
        LOG.info("Bulk replay ({}) of dead letters {}: {} replayed, {} replayed by another caller first", by, filter,
                replayed.size(), skipped.size());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", replayed);
        answer.put("count", replayed.size());
        answer.put("skipped", skipped);
        answer.put("more", candidates.size() > limit);
        return answer;
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

    /** Newest first, after {@code after} (null: from the newest); {@code state} and {@code flow} may be null for "any". */
    public List<DeadLetter> find(String state, String flow, ListPosition after, int limit) throws SQLException {
        return find(new Filter(state, flow, null, null, null), after, limit, true);
    }

    /**
     * Those {@code filter} admits after {@code after} (null: from the start), newest first or (a bulk replay, which
     * walks from the oldest) oldest first; only replayable ones (kind flow) for the oldest-first walk.
     */
    private List<DeadLetter> find(Filter filter, ListPosition after, int limit, boolean newestFirst) throws SQLException {
        SqlFilter where = new SqlFilter()
                .and("state = ?", filter.state())
                .and("flow = ?", filter.flow())
                .and("platform_code = ?", filter.platformCode())
                .and("created_at >= ?", filter.from())
                .and("created_at < ?", filter.to());
        String sql = "SELECT " + COLUMNS + " FROM dead_letter WHERE "
                + (newestFirst ? ListPosition.after(after, "id") : "kind = 'flow'") + where.sql()
                + (newestFirst ? ListPosition.newestFirst("id", limit) : " ORDER BY created_at, id FETCH FIRST " + limit + " ROWS ONLY");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            where.bind(select, newestFirst ? ListPosition.bind(select, 1, after) : 1);
            return read(select);
        }
    }

    private static boolean markReplayed(Connection connection, String id, String by, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE dead_letter SET state = 'replayed', replayed_at = ?, replayed_by = ? WHERE id = ? AND state = 'dead'")) {
            update.setObject(1, time(now));
            update.setString(2, by);
            update.setString(3, id);
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
                        instant(rows, "created_at"), instant(rows, "replayed_at"), rows.getString("replayed_by")));
            }
        }
        return letters;
    }

    /** {@code letter} as the API lists it, without its payload. */
    public static Map<String, Object> listed(DeadLetter letter) {
        return view(letter, false);
    }

    /** The answer of one dead letter, with its payload or (in lists) without. */
    public static Map<String, Object> view(DeadLetter letter, boolean withPayload) {
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
        putIfSet(view, "replayed_by", letter.replayedBy());
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

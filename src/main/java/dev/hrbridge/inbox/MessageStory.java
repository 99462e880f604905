package dev.hrbridge.inbox;

import dev.hrbridge.feishu.FeishuWebhook;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.inbox.DeadLetters.putIfSet;
import static dev.hrbridge.inbox.InboxRepository.FIRST_ATTEMPTS_KEPT;
import static dev.hrbridge.inbox.InboxRepository.LAST_ATTEMPTS_KEPT;

/**
 * The story of one inbox message, what {@code GET /api/v1/events/{id}} and {@code GET /api/v1/requests/{id}} add to its
 * state: how and when it came in, each attempt the history keeps (its first {@value InboxRepository#FIRST_ATTEMPTS_KEPT}
 * and last {@value InboxRepository#LAST_ATTEMPTS_KEPT}), its dead letters and replays, and why it waits if it does.
 */
public class MessageStory {

    private final DataSource dataSource;
    private final Flows flows;
    private final DeadLetters deadLetters;

    public MessageStory(DataSource dataSource, Flows flows, DeadLetters deadLetters) {
        this.dataSource = dataSource;
        this.flows = flows;
        this.deadLetters = deadLetters;
    }

    /** Adds the story's fields to {@code view}, the message's own answer. */
    public Map<String, Object> tell(InboxMessage message, Map<String, Object> view) throws SQLException {
        view.put("kind", message.kind().name());
        putIfSet(view, "flow", flows.flowOf(message));
        view.put("received", received(message));
        putIfSet(view, "http_status", message.httpStatus());
        putIfSet(view, "platform_code", message.platformCode());
        putIfSet(view, "platform_msg", message.platformMsg());
        boolean parked = message.state() == State.PENDING && InboxRepository.PARKED.equals(message.nextAttemptAt());
        if (parked) {
            view.put("waiting", "flow_paused");
        } else if (message.state() == State.PENDING) {
            view.put("next_attempt_at", message.nextAttemptAt().toString());
        }
        view.put("final_state", isFinal(message.state()) ? message.state().name() : null);
        List<Map<String, Object>> attempts = attempts(message);
        view.put("attempt_history", attempts);
        view.put("attempts_not_kept", Math.max(0, message.attemptSeq() - FIRST_ATTEMPTS_KEPT - LAST_ATTEMPTS_KEPT));
        List<Map<String, Object>> letters = new ArrayList<>();
        List<Map<String, Object>> replays = new ArrayList<>();
        for (DeadLetters.DeadLetter letter : deadLetters.ofMessage(message.id())) {
            letters.add(DeadLetters.view(letter, false));
            if (letter.replayedAt() != null) {
                Map<String, Object> replay = new LinkedHashMap<>();
                replay.put("dead_letter_id", letter.id());
                replay.put("at", letter.replayedAt().toString());
                putIfSet(replay, "by", letter.replayedBy());
                replays.add(replay);
            }
        }
        view.put("dead_letters", letters);
        view.put("replays", replays);
        return view;
    }

    private static boolean isFinal(State state) {
        return state != State.PENDING && state != State.PROCESSING;
    }

    private static Map<String, Object> received(InboxMessage message) {
        Map<String, Object> received = new LinkedHashMap<>();
        received.put("via", switch (message.kind()) {
            case REQUEST -> "api";
            case TASK -> "task";
            case EVENT -> message.receivedVia() != null ? message.receivedVia() : FeishuWebhook.BY_WEBHOOK;
        });
        received.put("at", message.createdAt().toString());
        if (message.kind() == Kind.EVENT) {
            putIfSet(received, "feishu_app", message.feishuApp());
            putIfSet(received, "app_id", appIdOf(message));
            putIfSet(received, "tenant_key", message.tenantKey());
            received.put("event_id", message.traceId());
        }
        return received;
    }

    /** The Feishu app id, the middle of the event's key {@code feishu:<app_id>:<event_type>:<event_id>}. */
    static String appIdOf(InboxMessage message) {
        String key = message.dedupKey();
        String tail = ":" + message.eventType() + ":" + message.traceId();
        return key.startsWith("feishu:") && key.endsWith(tail) && key.length() >= "feishu:".length() + tail.length()
                ? key.substring("feishu:".length(), key.length() - tail.length()) : null;
    }

    /**
     * The attempts the history keeps, in order; an attempt without a recorded result is {@code RUNNING} while the message
     * is being worked on, else {@code INTERRUPTED} (a crash, or a lost lease, cut it short).
     */
    public List<Map<String, Object>> attempts(InboxMessage message) throws SQLException {
        Map<Integer, Map<String, Object>> kept = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT seq, attempt, started_at, duration_ms, node_id, "
                     + "flow, route, result, outcome, http_status, platform_code, platform_msg, error, next_attempt_at "
                     + "FROM inbox_attempt WHERE message_id = ? ORDER BY seq")) {
            select.setString(1, message.id());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Map<String, Object> attempt = new LinkedHashMap<>();
                    attempt.put("seq", rows.getInt("seq"));
                    attempt.put("attempt", rows.getInt("attempt"));
                    attempt.put("started_at", instant(rows, "started_at").toString());
                    attempt.put("duration_ms", rows.getLong("duration_ms"));
                    attempt.put("flow", rows.getString("flow"));
                    putIfSet(attempt, "route", rows.getString("route"));
                    attempt.put("result", rows.getString("result"));
                    putIfSet(attempt, "outcome", rows.getString("outcome"));
                    putIfSet(attempt, "http_status", rows.getObject("http_status"));
                    putIfSet(attempt, "platform_code", rows.getObject("platform_code"));
                    putIfSet(attempt, "platform_msg", rows.getString("platform_msg"));
                    putIfSet(attempt, "error", rows.getString("error"));
                    putIfSet(attempt, "next_attempt_at", instant(rows, "next_attempt_at") == null ? null
                            : instant(rows, "next_attempt_at").toString());
                    attempt.put("node", rows.getString("node_id"));
                    kept.put(rows.getInt("seq"), attempt);
                }
            }
        }
        int last = message.attemptSeq();
        List<Map<String, Object>> story = new ArrayList<>();
        for (int seq = 1; seq <= last; seq++) {
            if (seq > FIRST_ATTEMPTS_KEPT && seq <= last - LAST_ATTEMPTS_KEPT) {
                seq = last - LAST_ATTEMPTS_KEPT;
                continue;
            }
            Map<String, Object> attempt = kept.get(seq);
            if (attempt == null) {
                attempt = new LinkedHashMap<>();
                attempt.put("seq", seq);
                attempt.put("result", seq == last && message.state() == State.PROCESSING ? "RUNNING" : "INTERRUPTED");
            }
            story.add(attempt);
        }
        return story;
    }
}

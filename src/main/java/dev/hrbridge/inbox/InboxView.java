package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import org.apache.camel.Header;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What operators see of the inbox: stored events with their state, and the purge of old ones. */
public class InboxView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InboxRepository repository;

    public InboxView(InboxRepository repository) {
        this.repository = repository;
    }

    /** {@code GET /api/v1/events[?state=&limit=]}: newest first. */
    public String events(@Header("state") String state, @Header("limit") String limit) throws Exception {
        List<InboxMessage> events = repository.list(Kind.EVENT, parseState(state), parseLimit(limit));
        List<Map<String, Object>> items = events.stream().map(InboxView::eventView).toList();
        return JSON.writeValueAsString(Map.of("items", items));
    }

    /** Deletes final rows older than {@code retention}; dedup keys stay at least that long. */
    public int purge(String retention) throws Exception {
        Duration keep = Duration.parse(retention);
        return repository.purgeFinishedBefore(Instant.now().minus(keep));
    }

    private static Map<String, Object> eventView(InboxMessage message) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", message.id());
        view.put("event_id", message.traceId());
        view.put("event_type", message.eventType());
        view.put("state", message.state().name());
        view.put("attempts", message.attempts());
        view.put("outcome", message.outcome());
        view.put("last_error", message.lastError());
        view.put("created_at", message.createdAt().toString());
        view.put("updated_at", message.updatedAt().toString());
        return view;
    }

    static State parseState(String state) {
        if (state == null || state.isBlank()) {
            return null;
        }
        try {
            return State.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("state", "state must be one of " + List.of(State.values()));
        }
    }

    public static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 100;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= 1000) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.invalidField("limit", "limit must be a whole number from 1 to 1000");
    }
}

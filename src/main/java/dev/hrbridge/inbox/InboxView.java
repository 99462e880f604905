package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import org.apache.camel.Exchange;

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
    private final ListPages pages;

    public InboxView(InboxRepository repository, ListPages pages) {
        this.repository = repository;
        this.pages = pages;
    }

    /** {@code GET /api/v1/events[?state=&limit=&cursor=]}: newest first. */
    public String events(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        ListPages.Page page = pages.page("events", query);
        List<InboxMessage> events = repository.list(Kind.EVENT, parseState(query.get("state")), page.after(), page.fetch());
        return JSON.writeValueAsString(pages.answer(page, events,
                message -> new ListPosition(message.createdAt(), message.id()), InboxView::eventView));
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
        if (message.feishuApp() != null) {
            view.put("feishu_app", message.feishuApp());
        }
        if (message.tenantKey() != null) {
            view.put("tenant_key", message.tenantKey());
        }
        view.put("state", message.state().name());
        view.put("attempts", message.attempts());
        view.put("outcome", message.outcome());
        view.put("last_error", message.lastError());
        view.put("created_at", message.createdAt().toString());
        view.put("updated_at", message.updatedAt().toString());
        return view;
    }

    private static State parseState(String state) {
        if (state == null) {
            return null;
        }
        try {
            return State.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("state", "state must be one of " + List.of(State.values()));
        }
    }
}

package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.FilterValues;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.feishu.FeishuWebhook;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.hrbridge.api.FilterValues.abbreviated;

/**
 * What operators see of the inbox: stored events with their state, one event's story, and the purge of old ones. The
 * methods returning maps are the answers' content, for callers in this process (the console) as for the API.
 */
public class InboxView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] FILTERS = {"state", "flow", "event_type", "from", "to", "platform_code", "event_id", "app_id"};

    private final InboxRepository repository;
    private final ListPages pages;
    private final Flows flows;
    private final MessageStory story;

    public InboxView(InboxRepository repository, ListPages pages, Flows flows, MessageStory story) {
        this.repository = repository;
        this.pages = pages;
        this.flows = flows;
        this.story = story;
    }

    /**
     * {@code GET /api/v1/events[?state=&flow=&event_type=&from=&to=&platform_code=&event_id=&app_id=&limit=&cursor=]}:
     * newest first. {@code event_id} (a v1 event's {@code uuid}) with {@code app_id} and {@code event_type} finds the
     * event by the key Feishu delivers it under.
     */
    public String events(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        ListPages.Page page = pages.page("events", query, FILTERS);
        return JSON.writeValueAsString(eventPage(filter(query), page));
    }

    /** The page {@code page} of the events {@code filter} admits. */
    public Map<String, Object> eventPage(InboxRepository.Filter filter, ListPages.Page page) throws Exception {
        List<InboxMessage> events = repository.list(filter, page.after(), page.fetch());
        return pages.answer(page, events, message -> new ListPosition(message.createdAt(), message.id()),
                InboxView::eventView);
    }

    private InboxRepository.Filter filter(QueryParameters query) {
        String flow = query.get("flow");
        String eventType = query.get("event_type");
        String eventId = query.get("event_id");
        String appId = query.get("app_id");
        ApiException.checkLength("flow", flow, ColumnLimits.FLOW);
        ApiException.checkLength("event_type", eventType, ColumnLimits.EVENT_TYPE);
        ApiException.checkLength("event_id", eventId, ColumnLimits.TRACE_ID);
        ApiException.checkLength("app_id", appId, ColumnLimits.APP_ID);
        String dedupKey = null;
        if (eventId != null || appId != null) {
            if (eventId == null || appId == null || eventType == null) {
                throw ApiException.badRequest("invalid_query", "event_id, app_id and event_type go together: they are the "
                        + "key Feishu delivers an event under (a v1 event's uuid is its event_id)")
                        .with("parameter", eventId == null ? "event_id" : appId == null ? "app_id" : "event_type");
            }
            dedupKey = FeishuWebhook.Event.dedupKey(appId, eventType, eventId);
        }
        Instant from = FilterValues.instant("from", query.get("from"));
        Instant to = FilterValues.instant("to", query.get("to"));
        FilterValues.checkRange(from, to);
        return new InboxRepository.Filter(Kind.EVENT, parseState(query.get("state")), null, eventType,
                flow == null ? null : flows.eventTypesOf(flow), from, to,
                FilterValues.integer("platform_code", query.get("platform_code")), dedupKey);
    }

    /** {@code GET /api/v1/events/{id}}: the message's state and its story. */
    public String event(@Header("id") String id) throws Exception {
        return JSON.writeValueAsString(story(id));
    }

    /** Inbox message {@code id} (an event, or a task or request) with its story; 404 when there is none. */
    public Map<String, Object> story(String id) throws Exception {
        InboxMessage message = find(repository, id).orElseThrow(() -> ApiException.notFound("event " + abbreviated(id)));
        return story.tell(message, eventView(message));
    }

    /** Message {@code id}; none for an id that cannot be one, however long. */
    static Optional<InboxMessage> find(InboxRepository repository, String id) throws SQLException {
        return id == null || id.length() > MAX_ID ? Optional.empty() : repository.find(id);
    }

    /** {@code inbox.id}. */
    private static final int MAX_ID = 36;

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

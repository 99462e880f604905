package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ListPosition;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.hrbridge.inbox.DeadLetters.putIfSet;

/**
 * The flows as operators steer them ({@code /api/v1/flows}, and the {@code Flows} MBean): each with its event types,
 * whether it is paused and how many of its messages wait for it, its dead letters and whether it is failing. The methods
 * returning maps are the answers' content, for callers in this process as for the API.
 */
public class FlowsView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Flows flows;
    private final InboxRepository repository;
    private final DeadLetters deadLetters;
    private final ListPages pages;

    public FlowsView(Flows flows, InboxRepository repository, DeadLetters deadLetters, ListPages pages) {
        this.flows = flows;
        this.repository = repository;
        this.deadLetters = deadLetters;
        this.pages = pages;
    }

    /** {@code GET /api/v1/flows[?limit=&cursor=]}: every known flow, by name. */
    public String list(Exchange exchange) throws Exception {
        ListPages.Page page = pages.page("flows", QueryParameters.of(exchange));
        return JSON.writeValueAsString(page(page));
    }

    /** The page {@code page} of the flows, by name. */
    public Map<String, Object> page(ListPages.Page page) throws SQLException {
        String after = page.after() == null ? null : page.after().key();
        List<String> names = flows.names().stream().filter(name -> after == null || name.compareTo(after) > 0)
                .limit(page.fetch()).toList();
        Map<String, Long> waiting = waiting();
        Map<String, Long> dead = deadLetters.countDeadByFlow();
        return pages.answer(page, names, name -> new ListPosition(Instant.EPOCH, name),
                name -> view(name, waiting, dead));
    }

    /** The flows paused now, as this instance holds them. */
    public List<String> paused() {
        return flows.pausedFlows();
    }

    /** {@code GET /api/v1/flows/{flow}}. */
    public String flow(@Header("flow") String flow) throws Exception {
        return JSON.writeValueAsString(state(flow));
    }

    /** {@code flow}'s state; 404 when no such flow is known. */
    public Map<String, Object> state(String flow) throws SQLException {
        flows.requireKnown(flow);
        return view(flow, waiting(), deadLetters.countDeadByFlow());
    }

    /** {@code POST /api/v1/flows/{flow}/pause}. */
    public String pause(@Header("flow") String flow) throws Exception {
        return JSON.writeValueAsString(pauseFor(flow, "api"));
    }

    /** Pauses {@code flow} for {@code by} (api, jmx); its answer. */
    public Map<String, Object> pauseFor(String flow, String by) throws SQLException {
        flows.requireKnown(flow);
        flows.pause(flow, by);
        return state(flow);
    }

    /** {@code POST /api/v1/flows/{flow}/resume}. */
    public String resume(@Header("flow") String flow) throws Exception {
        return JSON.writeValueAsString(resumeFor(flow, "api"));
    }

    /** Resumes {@code flow} for {@code by}; its answer with {@code resumed_messages}, how many waiting ones run now. */
    public Map<String, Object> resumeFor(String flow, String by) throws SQLException {
        flows.requireKnown(flow);
        Flows.Resumed resumed = flows.resume(flow, by);
        Map<String, Object> view = state(flow);
        view.put("resumed_messages", resumed.due());
        return view;
    }

    /** Parked messages per flow. */
    private Map<String, Long> waiting() throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        repository.parked().forEach((kind, count) -> {
            String flow = flows.flowOf(kind.flow(), kind.eventType());
            if (flow != null) {
                counts.merge(flow, count, Long::sum);
            }
        });
        return counts;
    }

    private Map<String, Object> view(String name, Map<String, Long> waiting, Map<String, Long> dead) {
        Flows.Row row = flows.row(name);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("flow", name);
        view.put("paused", row != null && row.paused());
        view.put("event_types", List.copyOf(flows.eventTypesOf(name)));
        view.put("waiting", waiting.getOrDefault(name, 0L));
        view.put("dead_letters", dead.getOrDefault(name, 0L));
        if (row != null) {
            putIfSet(view, "paused_at", text(row.pausedAt()));
            putIfSet(view, "paused_by", row.pausedBy());
            putIfSet(view, "resumed_at", text(row.resumedAt()));
            putIfSet(view, "last_success_at", text(row.lastSuccessAt()));
            putIfSet(view, "last_failure_at", text(row.lastFailureAt()));
            putIfSet(view, "failing_since", text(row.failingSince()));
            putIfSet(view, "failing_alerted_at", text(row.failingAlertedAt()));
            putIfSet(view, "last_error", row.lastError());
            putIfSet(view, "last_platform_code", row.lastPlatformCode());
        }
        return view;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

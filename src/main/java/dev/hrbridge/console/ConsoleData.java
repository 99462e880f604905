package dev.hrbridge.console;

import dev.hrbridge.config.RuntimeMode;
import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.feishu.longconnection.FeishuEventsComponent;
import dev.hrbridge.feishu.longconnection.FeishuEventsConsumer;
import dev.hrbridge.feishu.longconnection.LongConnectionStatus;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.inbox.FlowsView;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.inbox.MessageStory;
import dev.hrbridge.qrcode.ManagedQrCode;
import dev.hrbridge.qrcode.QrCodeRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator console shows, read from the beans that run HR Bridge: the inbox by state and flow, the newest
 * failures, dead letters waiting for an operator, the Feishu tokens, app tickets and long connections, QR codes
 * waiting for their rotation. Never a token, ticket, secret or payload.
 */
final class ConsoleData {

    /** How many failures and dead letters the page lists, newest first. */
    static final int LISTED = 25;

    private final CamelContext context;
    private final InboxRepository inbox;
    private final DeadLetters deadLetters;

    ConsoleData(CamelContext context) {
        this.context = context;
        Registry registry = context.getRegistry();
        this.inbox = registry.lookupByNameAndType("inboxRepository", InboxRepository.class);
        this.deadLetters = registry.lookupByNameAndType("deadLetters", DeadLetters.class);
    }

    /** Everything of the page but the message stories, in one answer. */
    Map<String, Object> overview() throws SQLException {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instance", instance());
        view.put("inbox", inbox());
        view.put("failures", failures());
        view.put("dead_letters", deadLetters());
        view.put("feishu", feishu());
        view.put("qr_codes", qrCodes());
        view.put("at", Instant.now().toString());
        return view;
    }

    private Map<String, Object> instance() {
        Map<String, Object> view = new LinkedHashMap<>();
        RuntimeMode mode = context.getRegistry().lookupByNameAndType("runtimeMode", RuntimeMode.class);
        view.put("name", context.getName());
        view.put("mode", mode == null ? "" : mode.name().toLowerCase(java.util.Locale.ROOT));
        view.put("camel", context.getVersion());
        view.put("uptime", duration(context.getUptime()));
        return view;
    }

    /** {@code 3 d 4 h}, {@code 5 h 12 min}, {@code 12 min 3 s}, {@code 8 s}: the two largest units. */
    static String duration(java.time.Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        long days = seconds / 86_400;
        long hours = seconds / 3_600 % 24;
        long minutes = seconds / 60 % 60;
        if (days > 0) {
            return days + " d " + hours + " h";
        }
        if (hours > 0) {
            return hours + " h " + minutes + " min";
        }
        return minutes > 0 ? minutes + " min " + seconds % 60 + " s" : seconds + " s";
    }

    private Map<String, Object> inbox() throws SQLException {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("by_state", inbox.countByState());
        List<Map<String, Object>> flows = new ArrayList<>();
        inbox.countByFlowAndState().forEach((flow, counts) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("flow", flow);
            row.put("by_state", counts);
            flows.add(row);
        });
        view.put("by_flow", flows);
        Inbox running = context.getRegistry().lookupByNameAndType("inbox", Inbox.class);
        if (running != null) {
            view.put("journal_backlog", running.journalBacklog());
            view.put("stuck", running.stuck());
        }
        Instant oldest = inbox.oldestOpen();
        view.put("oldest_open_at", oldest == null ? null : oldest.toString());
        return view;
    }

    /** The newest FAILED and DEAD messages. */
    private List<Map<String, Object>> failures() throws SQLException {
        List<InboxMessage> failed = new ArrayList<>(inbox.list(null, State.DEAD, null, LISTED));
        failed.addAll(inbox.list(null, State.FAILED, null, LISTED));
        return failed.stream()
                .sorted(Comparator.comparing(InboxMessage::updatedAt).reversed())
                .limit(LISTED)
                .map(ConsoleData::summary)
                .toList();
    }

    private List<Map<String, Object>> deadLetters() throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DeadLetters.DeadLetter letter : deadLetters.find("dead", null, null, LISTED)) {
            rows.add(deadLetter(letter));
        }
        return rows;
    }

    /** A dead letter as the API lists it, and whether replay applies to it (not to an event set aside at ingest). */
    private static Map<String, Object> deadLetter(DeadLetters.DeadLetter letter) {
        Map<String, Object> row = DeadLetters.listed(letter);
        row.put("replayable", !DeadLetters.INGEST.equals(letter.kind()));
        return row;
    }

    private Map<String, Object> feishu() {
        Map<String, Object> view = new LinkedHashMap<>();
        Registry registry = context.getRegistry();
        TenantTokenCache tokens = registry.lookupByNameAndType("tenantTokenCache", TenantTokenCache.class);
        List<Map<String, Object>> rows = new ArrayList<>();
        if (tokens != null) {
            for (TenantTokenCache.TokenState token : tokens.tokens()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("app", token.key().app());
                row.put("tenant", token.key().tenant());
                row.put("kind", token.key().kind());
                row.put("expires_at", token.expiresAt() == null ? null : token.expiresAt().toString());
                row.put("refreshes", token.refreshes());
                row.put("failures", token.failures());
                row.put("failing_in_a_row", token.failingInARow());
                rows.add(row);
            }
        }
        view.put("tokens", rows);
        view.put("app_tickets", appTickets(registry));
        List<Map<String, Object>> connections = new ArrayList<>();
        if (context.hasComponent(FeishuEventsComponent.SCHEME) instanceof FeishuEventsComponent longConnections) {
            for (FeishuEventsConsumer consumer : longConnections.consumers()) {
                connections.add(longConnection(consumer.status()));
            }
        }
        view.put("long_connections", connections);
        return view;
    }

    private static List<Map<String, Object>> appTickets(Registry registry) {
        AppTickets tickets = registry.lookupByNameAndType("appTickets", AppTickets.class);
        FeishuApps apps = registry.lookupByNameAndType("feishuApps", FeishuApps.class);
        List<Map<String, Object>> rows = new ArrayList<>();
        if (tickets == null || apps == null) {
            return rows;
        }
        for (FeishuApp app : apps.stores()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("app", app.name());
            try {
                row.put("received_at", tickets.current(app).map(ticket -> ticket.receivedAt().toString()).orElse(null));
                row.put("problem", tickets.problem(app));
            } catch (SQLException e) {
                row.put("problem", "not read: the database did not answer");
            }
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Object> longConnection(LongConnectionStatus status) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("app", status.app());
        row.put("state", status.state().name());
        row.put("connected_since", status.connectedSince() == null ? null : status.connectedSince().toString());
        row.put("last_pong", status.lastPong() == null ? null : status.lastPong().toString());
        row.put("last_disconnect_reason", status.lastDisconnectReason());
        row.put("refusal", status.refusalCode() == null ? null : status.refusalCode() + " " + status.refusalMessage());
        row.put("reconnects", status.reconnects());
        row.put("events_received", status.eventsReceived());
        row.put("in_flight", status.inFlight());
        return row;
    }

    private Map<String, Object> qrCodes() throws SQLException {
        Map<String, Object> view = new LinkedHashMap<>();
        QrCodeRepository codes = context.getRegistry().lookupByNameAndType("qrCodes", QrCodeRepository.class);
        if (codes == null) {
            return view;
        }
        view.put("counts", codes.counts());
        List<Map<String, Object>> waiting = new ArrayList<>();
        for (ManagedQrCode code : codes.list(ManagedQrCode.Status.INACTIVE, null, LISTED)) {
            if (code.replacedBy() == null) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", code.id());
                row.put("url", code.url());
                row.put("created_at", code.createdAt().toString());
                waiting.add(row);
            }
        }
        view.put("awaiting_rotation", waiting);
        return view;
    }

    /**
     * {@code GET /console/api/messages/{id}}: what the inbox knows of one message, and its dead letter if it has one.
     * Empty when no message has that id.
     */
    Optional<Map<String, Object>> message(String id) throws SQLException {
        Optional<InboxMessage> found = inbox.find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        InboxMessage message = found.get();
        Map<String, Object> view = summary(message);
        view.put("http_status", message.httpStatus());
        view.put("platform_code", message.platformCode());
        view.put("platform_msg", message.platformMsg());
        view.put("next_attempt_at", message.state() == State.PENDING ? message.nextAttemptAt().toString() : null);
        view.put("feishu_app", message.feishuApp());
        view.put("tenant_key", message.tenantKey());
        view.put("created_at", message.createdAt().toString());
        view.put("payload_characters", message.payload() == null ? 0 : message.payload().length());
        view.put("dead_letters", deadLetters.ofMessage(id).stream().map(ConsoleData::deadLetter).toList());
        // each attempt as GET /api/v1/events/{id} tells it: when, route, result, HTTP status, Feishu code, error, next try
        MessageStory story = context.getRegistry().lookupByNameAndType("messageStory", MessageStory.class);
        view.put("history", story == null ? null : story.attempts(message));
        return Optional.of(view);
    }

    /** One line of the failures list, also the head of a message's story. */
    private static Map<String, Object> summary(InboxMessage message) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", message.id());
        row.put("kind", message.kind().name());
        row.put("flow", message.flow());
        row.put("event_type", message.eventType());
        row.put("trace_id", message.traceId());
        row.put("state", message.state().name());
        row.put("attempts", message.attempts());
        row.put("outcome", message.outcome());
        row.put("last_error", message.lastError());
        row.put("updated_at", message.updatedAt().toString());
        return row;
    }

    /** {@code GET /console/api/flows/paused}: the flows paused now (for every instance; API and MBean pause them). */
    Map<String, Object> pausedFlows() {
        FlowsView flows = context.getRegistry().lookupByNameAndType("flowsView", FlowsView.class);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("available", flows != null);
        view.put("items", flows == null ? List.of() : flows.paused().stream().map(flow -> Map.of("flow", flow)).toList());
        return view;
    }
}

package dev.hrbridge.inbox;

import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.FilterValues;
import dev.hrbridge.feishu.EventHandlers;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.time;

/**
 * The flows the inbox runs, by the names operators know them by (a dead letter's {@code flow}, {@code hrb.retry.<flow>.*}),
 * and whether each is paused. A request or task names its flow in its inbox row; an event waits under the router's name,
 * so a flow's event types are those its configuration declares, or the ones the event router last sent it
 * ({@code hrb_event_flow}), or {@code <type>} for an {@code on-<type>} route.
 * <p>
 * A paused flow's messages wait PENDING: the dispatcher parks each one it finds ({@link InboxRepository#PARKED}) instead of
 * running it, and resuming makes them due at once. The pause lives in {@code hrb_flow}, which every instance reads every
 * {@code refresh}, so a pause or resume made on one instance holds on all of them within that time (an attempt already
 * running finishes).
 */
public class Flows implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Flows.class);

    private final DataSource dataSource;
    private final InboxRepository repository;
    private final CamelContext camel;
    private final Clock clock;
    private final Duration refresh;
    /** Event types by the flow that declares them. */
    private final Map<String, Set<String>> declared = new ConcurrentHashMap<>();
    private volatile Map<String, String> learned = Map.of();
    private volatile Map<String, Row> rows = Map.of();
    private volatile Set<String> paused = Set.of();
    /** Paused as the last refresh read it: a flow that is no longer paused was resumed, maybe on another instance. */
    private Set<String> pausedWhenRead = Set.of();
    /** Flows resumed lately, un-parked once more at the next refresh: a park decided just before the resume lands after it. */
    private Set<String> unparkAgain = new HashSet<>();
    private final Set<String> resumedHere = ConcurrentHashMap.newKeySet();
    private volatile FlowHealth health;
    private volatile Runnable onResume = () -> { };
    private ScheduledExecutorService timer;
    private volatile String lastRefreshProblem;

    /** A flow as {@code hrb_flow} keeps it: its pause, and its health as every instance together saw it. */
    public record Row(String flow, boolean paused, Instant pausedAt, String pausedBy, Instant resumedAt,
                      Instant lastSuccessAt, Instant lastFailureAt, Instant failingSince, Instant failingAlertedAt,
                      String lastError, Integer lastPlatformCode) {
    }

    public Flows(DataSource dataSource, InboxRepository repository, CamelContext camel, Clock clock, Duration refresh) {
        this.dataSource = dataSource;
        this.repository = repository;
        this.camel = camel;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** A flow the deployment runs, with the event types the event router sends it (none for a request's or task's flow). */
    public void declare(String flow, String... eventTypes) {
        declared.computeIfAbsent(flow, ignored -> ConcurrentHashMap.newKeySet()).addAll(List.of(eventTypes));
    }

    /** Health is kept, and flow-failing alerts decided, at each refresh. */
    void watchHealth(FlowHealth health) {
        this.health = health;
    }

    /** Runs after a resume made here, so that waiting messages start at once rather than at the next poll. */
    void onResume(Runnable onResume) {
        this.onResume = onResume;
    }

    /** How often the pause state is read again; the longest a pause made on another instance takes to hold here. */
    public Duration refresh() {
        return refresh;
    }

    // --- which flow a message runs in

    /** The flow {@code message} runs in, as far as it is known before it runs; null for an event no flow takes. */
    public String flowOf(InboxMessage message) {
        return flowOf(message.flow(), message.kind() == InboxMessage.Kind.EVENT ? message.eventType() : null);
    }

    /** The flow of messages sent to {@code inboxFlow} with {@code eventType} (null for requests and tasks). */
    public String flowOf(String inboxFlow, String eventType) {
        if (eventType == null) {
            return inboxFlow;
        }
        String flow = learned.get(eventType);
        if (flow != null) {
            return flow;
        }
        for (Map.Entry<String, Set<String>> entry : declared.entrySet()) {
            if (entry.getValue().contains(eventType)) {
                return entry.getKey();
            }
        }
        String handler = EventHandlers.routeId(eventType);
        return camel != null && camel.getRoute(handler) != null ? handler : null;
    }

    /** Whether {@code message} must wait because its flow is paused. */
    public boolean paused(InboxMessage message) {
        Set<String> now = paused;
        if (now.isEmpty()) {
            return false;
        }
        String flow = flowOf(message);
        return flow != null && now.contains(flow);
    }

    /** The event router sent an event of {@code eventType} to {@code flow}: remembered for every instance, if new. */
    void learn(String eventType, String flow) {
        if (eventType == null || flow == null || flow.equals(learned.get(eventType))) {
            return;
        }
        try {
            Instant now = clock.instant();
            if (update("UPDATE hrb_event_flow SET flow = ?, seen_at = ? WHERE event_type = ?", flow, time(now), eventType) == 0) {
                update("INSERT INTO hrb_event_flow (event_type, flow, seen_at) VALUES (?, ?, ?)", eventType, flow, time(now));
            }
            Map<String, String> more = new HashMap<>(learned);
            more.put(eventType, flow);
            learned = Map.copyOf(more);
        } catch (SQLException e) {
            // another instance learned it at the same moment, or the database is away: learned again next time
            LOG.debug("Could not record that {} events run in flow {}: {}", eventType, flow, e.toString());
        }
    }

    /** The event types the router sends {@code flow}, as far as known. */
    public Set<String> eventTypesOf(String flow) {
        Set<String> types = new TreeSet<>();
        Map<String, String> seen = learned;
        for (String type : declared.getOrDefault(flow, Set.of())) {
            if (flow.equals(seen.getOrDefault(type, flow))) {
                types.add(type);
            }
        }
        seen.forEach((type, to) -> {
            if (to.equals(flow)) {
                types.add(type);
            }
        });
        if (flow.startsWith("on-") && camel != null && camel.getRoute(flow) != null) {
            types.add(flow.substring("on-".length()));
        }
        return types;
    }

    /** Every flow known here: declared, run, steered, or an {@code on-<type>} route. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(declared.keySet());
        names.addAll(learned.values());
        names.addAll(rows.keySet());
        if (camel != null) {
            for (Route route : camel.getRoutes()) {
                if (route.getRouteId().startsWith("on-")) {
                    names.add(route.getRouteId());
                }
            }
        }
        return names;
    }

    public boolean known(String flow) {
        return flow != null && names().contains(flow);
    }

    /** {@code hrb_flow}'s row of {@code flow} as last read or changed here; null when it has none yet. */
    public Row row(String flow) {
        return rows.get(flow);
    }

    // --- pause and resume

    /** Pauses {@code flow} (404 when no such flow is known); pausing a paused flow changes nothing. */
    public synchronized Row pause(String flow, String by) throws SQLException {
        requireKnown(flow);
        Instant now = clock.instant();
        ensureRow(flow, now);
        if (update("UPDATE hrb_flow SET paused = TRUE, paused_at = ?, paused_by = ?, updated_at = ? "
                + "WHERE flow = ? AND paused = FALSE", time(now), by, time(now), flow) == 1) {
            LOG.warn("Flow {} paused ({}): its messages wait PENDING until it is resumed", flow, by);
        }
        readRows();
        return rows.get(flow);
    }

    /** What a resume did: the flow's row, and how many waiting messages became due. */
    public record Resumed(Row row, int due) {
    }

    /** Resumes {@code flow} (404 when no such flow is known): its waiting messages are due at once. */
    public Resumed resume(String flow, String by) throws SQLException {
        int due;
        synchronized (this) {
            requireKnown(flow);
            Instant now = clock.instant();
            ensureRow(flow, now);
            if (update("UPDATE hrb_flow SET paused = FALSE, resumed_at = ?, updated_at = ? WHERE flow = ? AND paused = TRUE",
                    time(now), time(now), flow) == 1) {
                LOG.info("Flow {} resumed ({})", flow, by);
            }
            readRows();
            resumedHere.add(flow);
            due = repository.unpark(flow, eventTypesOf(flow), now);
        }
        onResume.run();
        return new Resumed(rows.get(flow), due);
    }

    /** 404 {@code not_found} unless {@code flow} is a known flow. */
    public void requireKnown(String flow) {
        if (!known(flow)) {
            String name = FilterValues.abbreviated(String.valueOf(flow));
            throw new ApiException(404, "not_found", "no flow named '" + name + "' is known here; GET /api/v1/flows "
                    + "lists them").with("flow", name);
        }
    }

    /** Gives {@code flow} its row in {@code hrb_flow}; another instance adding it at the same moment is fine. */
    void ensureRow(String flow, Instant now) throws SQLException {
        try {
            update("INSERT INTO hrb_flow (flow, paused, updated_at) SELECT ?, FALSE, ? "
                    + "WHERE NOT EXISTS (SELECT 1 FROM hrb_flow WHERE flow = ?)", flow, time(now), flow);
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** Runs one statement on its own connection, its {@code ?} bound to {@code values}; answers its update count. */
    private int update(String sql, Object... values) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                update.setObject(i + 1, values[i]);
            }
            return update.executeUpdate();
        }
    }

    // --- refresh

    /** Reads the state, makes what no paused flow holds due, and starts refreshing every {@link #refresh()}. */
    public void start() {
        try {
            refreshNow();
            for (InboxRepository.ParkedKind kind : repository.parked().keySet()) {
                String flow = flowOf(kind.flow(), kind.eventType());
                if (flow == null || !paused.contains(flow)) {
                    int due = repository.unpark(kind, clock.instant());
                    LOG.info("{} message(s) of {} waited for a flow that is not paused any more; they run now", due,
                            kind.eventType() != null ? kind.eventType() : kind.flow());
                }
            }
        } catch (SQLException e) {
            LOG.warn("Could not read the flows' pause state at start; retried every {} ms: {}", refresh.toMillis(), e.toString());
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hrb-flows");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    void tick() {
        try {
            refreshNow();
            String problem = lastRefreshProblem;
            lastRefreshProblem = null;
            if (problem != null) {
                LOG.info("The flows' pause state is read again");
            }
        } catch (Exception e) {
            if (lastRefreshProblem == null) {
                LOG.warn("Could not read the flows' pause state; pauses keep their last known state: {}", e.toString());
            }
            lastRefreshProblem = e.toString();
            return;
        }
        FlowHealth watching = health;
        if (watching != null) {
            watching.tick(rows, clock.instant());
        }
    }

    private synchronized void refreshNow() throws SQLException {
        Set<String> before = pausedWhenRead;
        readLearned();
        readRows();
        Set<String> resumed = new HashSet<>(before);
        resumed.removeAll(paused);
        Set<String> toUnpark = new HashSet<>(resumed);
        toUnpark.addAll(unparkAgain);
        unparkAgain = new HashSet<>(resumed);
        unparkAgain.addAll(resumedHere);
        resumedHere.clear();
        pausedWhenRead = paused;
        for (String flow : toUnpark) {
            if (!paused.contains(flow)) {
                repository.unpark(flow, eventTypesOf(flow), clock.instant());
            }
        }
    }

    private void readRows() throws SQLException {
        Map<String, Row> fresh = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT flow, paused, paused_at, paused_by, resumed_at, "
                     + "last_success_at, last_failure_at, failing_since, failing_alerted_at, last_error, last_platform_code "
                     + "FROM hrb_flow");
             ResultSet found = select.executeQuery()) {
            while (found.next()) {
                Row row = new Row(found.getString("flow"), found.getBoolean("paused"), instant(found, "paused_at"),
                        found.getString("paused_by"), instant(found, "resumed_at"), instant(found, "last_success_at"),
                        instant(found, "last_failure_at"), instant(found, "failing_since"),
                        instant(found, "failing_alerted_at"), found.getString("last_error"),
                        (Integer) found.getObject("last_platform_code"));
                fresh.put(row.flow(), row);
            }
        }
        Set<String> nowPaused = new HashSet<>();
        fresh.values().stream().filter(Row::paused).forEach(row -> nowPaused.add(row.flow()));
        rows = fresh;
        paused = Set.copyOf(nowPaused);
    }

    private void readLearned() throws SQLException {
        Map<String, String> fresh = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT event_type, flow FROM hrb_event_flow");
             ResultSet found = select.executeQuery()) {
            while (found.next()) {
                fresh.put(found.getString(1), found.getString(2));
            }
        }
        learned = Map.copyOf(fresh);
    }

    /** The paused flows as this instance holds them now. */
    public List<String> pausedFlows() {
        return new ArrayList<>(new TreeSet<>(paused));
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}

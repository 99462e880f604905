package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.FilterValues;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.feishu.longconnection.FeishuEventsComponent;
import dev.hrbridge.feishu.longconnection.FeishuEventsConsumer;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.inbox.FlowsView;
import dev.hrbridge.qrcode.QrCodeRepository;
import dev.hrbridge.qrcode.QrCodeSweep;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxDispatcher;
import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * HR Bridge's own MBeans beside Camel's route MBeans, in the {@code dev.hrbridge} domain
 * ({@code dev.hrbridge:context=<camel management name>,type=<Inbox|TenantToken|...>}), reachable with jconsole
 * and over Jolokia, and the matching gauges on /observe/metrics.
 */
public class OperationsMBeans implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsMBeans.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String context;
    private final List<ObjectName> registered = new ArrayList<>();

    /**
     * Registers the inbox and tenant-token MBeans, their gauges and the degraded health checks for a started
     * {@code camelContext} (Camel binds its metrics registry while starting).
     */
    public static OperationsMBeans start(CamelContext camelContext) {
        Registry registry = camelContext.getRegistry();
        MeterRegistry meters = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        InboxStatistics statistics = new InboxStatistics(
                registry.lookupByNameAndType("inboxRepository", InboxRepository.class), Clock.systemUTC(), Duration.ofSeconds(2));
        registry.bind("inboxStatistics", statistics);
        TenantTokenCache tokens = registry.lookupByNameAndType("tenantTokenCache", TenantTokenCache.class);
        OperationsMBeans operations = new OperationsMBeans(camelContext);
        operations.registerInbox(statistics, registry.lookupByNameAndType("inboxDispatcher", InboxDispatcher.class),
                registry.lookupByNameAndType("inbox", Inbox.class), meters);
        AppTickets tickets = registry.lookupByNameAndType("appTickets", AppTickets.class);
        FeishuApps apps = registry.lookupByNameAndType("feishuApps", FeishuApps.class);
        operations.registerTenantToken(tokens, tickets, apps, meters);
        DeadLetters deadLetters = registry.lookupByNameAndType("deadLetters", DeadLetters.class);
        if (deadLetters != null) {
            operations.registerDeadLetters(deadLetters, meters);
        }
        FlowsView flows = registry.lookupByNameAndType("flowsView", FlowsView.class);
        if (flows != null) {
            operations.registerFlows(flows);
        }
        QrCodeSweep sweep = registry.lookupByNameAndType("qrCodeSweep", QrCodeSweep.class);
        QrCodeRepository codes = registry.lookupByNameAndType("qrCodes", QrCodeRepository.class);
        if (sweep != null && codes != null) {
            operations.registerQrCodes(codes, sweep);
        }
        HealthCheckRegistry health = HealthCheckHelper.getHealthCheckRegistry(camelContext);
        if (camelContext.hasComponent(FeishuEventsComponent.SCHEME) instanceof FeishuEventsComponent longConnections) {
            for (FeishuEventsConsumer consumer : longConnections.consumers()) {
                LongConnectionView view = new LongConnectionView(consumer);
                operations.register("LongConnection,app=" + consumer.appName(), view);
                health.register(view.healthCheck());
            }
        }
        health.register(new InboxIngestCheck(registry.lookupByNameAndType("inbox", Inbox.class)));
        health.register(DegradedChecks.tenantToken(tokens, Clock.systemUTC()));
        if (!apps.stores().isEmpty()) {
            health.register(DegradedChecks.appTickets(tickets, apps));
        }
        health.register(DegradedChecks.deadLetters(statistics, Clock.systemUTC(), Duration.ofMinutes(15)));
        return operations;
    }

    public OperationsMBeans(CamelContext camelContext) {
        this.context = camelContext.getManagementName() != null ? camelContext.getManagementName() : camelContext.getName();
    }

    public ObjectName name(String type) throws Exception {
        String value = context.matches("[\\w.-]+") ? context : ObjectName.quote(context);
        return new ObjectName("dev.hrbridge:context=" + value + ",type=" + type);
    }

    /** Registers {@code mbean} (an MXBean implementation) as {@code type}. */
    public void register(String type, Object mbean) {
        try {
            ObjectName name = name(type);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(mbean, name);
            registered.add(name);
        } catch (Exception e) {
            LOG.warn("Could not register the {} MBean: {}", type, e.toString());
        }
    }

    /** The inbox MBean and gauges {@code hrb_inbox_messages{state}}, {@code hrb_inbox_oldest_open_age_seconds}. */
    public void registerInbox(InboxStatistics statistics, InboxDispatcher dispatcher, Inbox inbox, MeterRegistry meters) {
        register("Inbox", new InboxMXBean() {
            public long getPending() { return statistics.snapshot().count(State.PENDING); }
            public long getProcessing() { return statistics.snapshot().count(State.PROCESSING); }
            public long getUnhandled() { return statistics.snapshot().count(State.UNHANDLED); }
            public long getFailed() { return statistics.snapshot().count(State.FAILED); }
            public long getDead() { return statistics.snapshot().count(State.DEAD); }
            public long getSucceeded() { return statistics.snapshot().count(State.SUCCEEDED); }
            public long getOldestOpenAgeSeconds() { return statistics.oldestOpenAgeSeconds(); }
            public int getInFlightHere() { return dispatcher.inFlight(); }
            public int getJournalBacklog() { return inbox.journalBacklog(); }
            public long getJournalOldestAgeSeconds() { return inbox.oldestUnmovedAge().toSeconds(); }
            public long getIngestSetAside() { return inbox.ingestSetAside(); }
            public long getUnhandledAtIngest() { return dispatcher.unhandledAtIngest(); }
            public String getIngestStuck() { return Objects.requireNonNullElse(inbox.stuck(), ""); }
        });
        if (meters != null) {
            for (State state : State.values()) {
                Gauge.builder("hrb.inbox.messages", statistics, s -> s.snapshot().count(state))
                        .description("Inbox messages by state").tag("state", state.name()).register(meters);
            }
            Gauge.builder("hrb.inbox.oldest.open.age", statistics, InboxStatistics::oldestOpenAgeSeconds)
                    .description("Age of the oldest waiting or running inbox message").baseUnit("seconds").register(meters);
            Gauge.builder("hrb.inbox.inflight", dispatcher, InboxDispatcher::inFlight)
                    .description("Messages queued or running on this instance").register(meters);
            Gauge.builder("hrb.inbox.journal.backlog", inbox, Inbox::journalBacklog)
                    .description("Events acknowledged from the journal, not yet in the inbox table").register(meters);
            Gauge.builder("hrb.inbox.journal.oldest.age", inbox, i -> i.oldestUnmovedAge().toMillis() / 1000.0)
                    .description("Age of the oldest acknowledged event not yet in the inbox table").baseUnit("seconds")
                    .register(meters);
            Gauge.builder("hrb.inbox.ingest.failing", inbox, i -> i.ingestFailingFor().toMillis() / 1000.0)
                    .description("How long moving journaled events into the inbox table has failed").baseUnit("seconds")
                    .register(meters);
            FunctionCounter.builder("hrb.inbox.ingest.set.aside", inbox, Inbox::ingestSetAside)
                    .description("Acknowledged events the inbox table refused, set aside as dead letters of kind ingest")
                    .register(meters);
        }
    }

    /**
     * The token MBean and, per (app, tenant, kind) token, the gauges {@code hrb_feishu_token_seconds_to_expiry},
     * {@code hrb_feishu_token_refreshes} and {@code hrb_feishu_token_failures}, registered as each token is first asked for.
     */
    public void registerTenantToken(TenantTokenCache tokens, AppTickets tickets, FeishuApps apps, MeterRegistry meters) {
        TenantTokenMXBean view = new TenantTokenMXBean() {
            public String getExpiresAt() {
                Instant expiresAt = tokens.expiresAt();
                return expiresAt == null ? "" : expiresAt.toString();
            }
            public long getSecondsToExpiry() {
                return secondsToExpiry(tokens.expiresAt());
            }
            public long getRefreshes() { return tokens.refreshCount(); }
            public long getFailures() { return tokens.failureCount(); }
            public List<TokenRow> getTokens() {
                return tokens.tokens().stream().map(OperationsMBeans::row).toList();
            }
            public List<TicketRow> getAppTickets() {
                return apps.stores().stream().map(app -> ticketRow(app, tickets)).toList();
            }
            public void invalidate() { tokens.invalidate(); }
            public boolean invalidateTenant(String app, String tenant) {
                if (app != null && !app.isBlank() && apps.get(app) == null) {
                    throw OperationFailure.badArgument("not_found: no Feishu app is named '" + app + "'; the apps are "
                            + apps.all().stream().map(FeishuApp::name).toList());
                }
                return tokens.invalidateTenant(app == null || app.isBlank() ? null : app, tenant);
            }
        };
        register("TenantToken", view);
        if (meters != null) {
            java.util.function.Consumer<TenantTokenCache.TokenState> gauges = state -> {
                List<Tag> tags = List.of(Tag.of("app", state.key().app()), Tag.of("tenant", state.key().tenant()),
                        Tag.of("token", state.key().kind()));
                Gauge.builder("hrb.feishu.token.seconds.to.expiry", state, s -> secondsToExpiry(s.expiresAt())).tags(tags)
                        .description("Seconds until the cached Feishu token of this app and tenant expires").register(meters);
                Gauge.builder("hrb.feishu.token.refreshes", state, TenantTokenCache.TokenState::refreshes).tags(tags)
                        .description("Successful fetches of the Feishu token of this app and tenant").register(meters);
                Gauge.builder("hrb.feishu.token.failures", state, TenantTokenCache.TokenState::failures).tags(tags)
                        .description("Failed fetches of the Feishu token of this app and tenant").register(meters);
            };
            tokens.onNewToken(gauges);
            tokens.tokens().forEach(gauges);
        }
    }

    private static long secondsToExpiry(Instant expiresAt) {
        return expiresAt == null ? 0 : Duration.between(Instant.now(), expiresAt).toSeconds();
    }

    private static TenantTokenMXBean.TokenRow row(TenantTokenCache.TokenState state) {
        return new TenantTokenMXBean.TokenRow() {
            public String getApp() { return state.key().app(); }
            public String getTenant() { return state.key().tenant(); }
            public String getKind() { return state.key().kind(); }
            public String getExpiresAt() { return state.expiresAt() == null ? "" : state.expiresAt().toString(); }
            public long getSecondsToExpiry() { return secondsToExpiry(state.expiresAt()); }
            public long getRefreshes() { return state.refreshes(); }
            public long getFailures() { return state.failures(); }
        };
    }

    private static TenantTokenMXBean.TicketRow ticketRow(FeishuApp app, AppTickets tickets) {
        String receivedAt;
        String problem;
        try {
            receivedAt = tickets.current(app).map(ticket -> ticket.receivedAt().toString()).orElse("");
            problem = Objects.requireNonNullElse(tickets.problem(app), "");
        } catch (Exception e) {
            receivedAt = "";
            problem = "not read: " + e.getMessage();
        }
        String received = receivedAt;
        String why = problem;
        return new TenantTokenMXBean.TicketRow() {
            public String getApp() { return app.name(); }
            public String getReceivedAt() { return received; }
            public String getProblem() { return why; }
        };
    }

    /** The dead-letter MBean (count, per flow, replay) and gauge {@code hrb_dead_letters}. */
    public void registerDeadLetters(DeadLetters deadLetters, MeterRegistry meters) {
        DeadLettersMXBean view = new DeadLettersMXBean() {
            public long getDead() {
                try {
                    return deadLetters.countDead();
                } catch (Exception e) {
                    return -1;
                }
            }
            public Map<String, Long> getDeadByFlow() {
                try {
                    return deadLetters.countDeadByFlow();
                } catch (Exception e) {
                    return Map.of();
                }
            }
            public String replay(String id) {
                if (id == null || id.isBlank()) {
                    throw OperationFailure.badArgument("invalid_field: name the dead letter to replay by its id");
                }
                return answer("replay of dead letter " + id, () -> deadLetters.replayFor(id, "jmx"));
            }
            public String replayMatching(String flow, String platformCode, String from, String to, int limit) {
                return answer("replay of dead letters", () -> {
                    if (limit < 1 || limit > DeadLetters.MAX_BULK_REPLAY) {
                        throw ApiException.invalidField("limit", "limit must be from 1 to " + DeadLetters.MAX_BULK_REPLAY);
                    }
                    return deadLetters.replayAll(new DeadLetters.Filter("dead", blankToNull(flow),
                            FilterValues.integer("platform_code", blankToNull(platformCode)),
                            FilterValues.instant("from", blankToNull(from)), FilterValues.instant("to", blankToNull(to))),
                            limit, "jmx-bulk");
                });
            }
        };
        register("DeadLetters", view);
        if (meters != null) {
            Gauge.builder("hrb.dead.letters", view, DeadLettersMXBean::getDead)
                    .description("Dead letters waiting for an operator").register(meters);
        }
    }

    /** The flows MBean: each flow's state; pause and resume one. */
    public void registerFlows(FlowsView flows) {
        register("Flows", new FlowsMXBean() {
            public List<String> getPaused() {
                return flows.paused();
            }
            public String getFlows() {
                return answer("the flows' list", () -> flows.page(new ListPages.Page("flows", null, 1000)));
            }
            public String pause(String flow) {
                return answer("pause of flow " + flow, () -> flows.pauseFor(flow, "jmx"));
            }
            public String resume(String flow) {
                return answer("resume of flow " + flow, () -> flows.resumeFor(flow, "jmx"));
            }
        });
    }

    /**
     * An operation's answer as JSON (a JMX client shows text); a refusal fails the operation with the API's error code
     * and message, as the API answers the same request with a 4xx.
     */
    private static String answer(String what, java.util.concurrent.Callable<Map<String, Object>> operation) {
        try {
            return JSON.writeValueAsString(operation.call());
        } catch (ApiException e) {
            String message = e.errorCode() + ": " + e.getMessage();
            throw e.status() == 409 ? OperationFailure.refused(message) : OperationFailure.badArgument(message);
        } catch (Exception e) {
            throw OperationFailure.failed(what, e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The QR-code MBean: counts, last sweep, run the sweep now. */
    public void registerQrCodes(QrCodeRepository codes, QrCodeSweep sweep) {
        register("QrCodes", new QrCodesMXBean() {
            public Map<String, Long> getCounts() {
                try {
                    return codes.counts();
                } catch (Exception e) {
                    return Map.of();
                }
            }
            public long getInactiveNotReplaced() {
                return getCounts().getOrDefault("inactive_not_replaced", 0L);
            }
            public String getLastSweepAt() {
                return sweep.lastRunAt() == null ? "" : sweep.lastRunAt().toString();
            }
            public String getLastSweepResult() {
                return sweep.lastResult();
            }
            public int runSweepNow() {
                try {
                    return sweep.runNow();
                } catch (Exception e) {
                    throw OperationFailure.failed("the QR-code sweep", e);
                }
            }
        });
    }

    @Override
    public void close() {
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (Exception ignored) {
                // already gone
            }
        }
        registered.clear();
    }
}

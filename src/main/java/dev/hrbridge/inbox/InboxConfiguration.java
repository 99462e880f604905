package dev.hrbridge.inbox;

import dev.hrbridge.api.ListPages;
import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.RuntimeMode;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.feishu.EventHandlers;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.FeishuTenants;
import dev.hrbridge.feishu.FeishuWebhookReader;
import dev.hrbridge.feishu.FeishuWebhooks;
import dev.hrbridge.ops.Alerts;
import dev.hrbridge.ops.NodeRegistry;
import dev.hrbridge.outbound.RetryPolicy;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Wires the webhook reader, the durable inbox and its dispatcher into the registry for the routes. */
public class InboxConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;
    @BeanInject
    private Database database;
    @BeanInject
    private NodeRegistry nodeRegistry;
    @BeanInject
    private RuntimeMode runtimeMode;
    @BeanInject
    private FeishuApps feishuApps;

    @Override
    public void configure(CamelContext camelContext) {
        Registry registry = camelContext.getRegistry();
        Clock clock = Clock.systemUTC();
        RetryPolicy retryPolicy = registry.lookupByNameAndType("retryPolicy", RetryPolicy.class);
        InboxRepository repository = new InboxRepository(database.dataSource(), database.vendor());
        Duration lease = Duration.ofMillis(settings.getLong("hrb.inbox.lease-ms", 1000, 86_400_000));
        InboxWriter writer = new InboxWriter(repository, clock, lease,
                settings.getInt("hrb.inbox.write-queue", 100, 1_000_000), database.storage());
        InboxDispatcher dispatcher = new InboxDispatcher(repository, writer, retryPolicy, camelContext,
                nodeRegistry.nodeId(), clock, settings.getInt("hrb.inbox.workers", 1, 256), lease,
                Duration.ofMillis(settings.getLong("hrb.inbox.stale-node-ms", 1000, 86_400_000)));
        Duration commitTimeout = Duration.ofMillis(settings.getLong("hrb.inbox.commit-timeout-ms", 100, 60_000));
        Inbox inbox = journal(database).map(journal -> new Inbox(repository, writer, dispatcher, commitTimeout, journal,
                        new Inbox.JournalLimits(settings.getInt("hrb.inbox.journal.max-backlog", 1000, 10_000_000),
                                settings.getLong("hrb.inbox.journal.hold-above", 0, 1_000_000),
                                settings.getLong("hrb.inbox.journal.hold-longest-ms", 0, 3_600_000),
                                Duration.ofMillis(settings.getLong("hrb.inbox.journal.max-lag-ms", 1000, 3_600_000)))))
                .orElseGet(() -> new Inbox(repository, writer, dispatcher, commitTimeout));
        registry.bind("inboxRepository", repository);
        registry.bind("inbox", inbox);
        registry.bind("inboxDispatcher", dispatcher);
        ListPages pages = registry.lookupByNameAndType("listPages", ListPages.class);
        Flows flows = new Flows(database.dataSource(), repository, camelContext, clock,
                Duration.ofMillis(settings.getLong("hrb.flows.refresh-ms", 100, 60_000)));
        Alerts alerts = new Alerts(settings.get("hrb.alerts.url"), settings.get("hrb.alerts.secret"),
                Optional.ofNullable(settings.getDuration("hrb.alerts.flow-failing-after")).orElse(Duration.ofMinutes(5)));
        flows.declare(Alerts.FLOW);
        FlowHealth health = new FlowHealth(database.dataSource(), repository, flows, alerts);
        flows.watchHealth(health);
        dispatcher.steer(flows, health, alerts);
        DeadLetters deadLetters = new DeadLetters(repository, dispatcher, pages);
        MessageStory story = new MessageStory(database.dataSource(), flows, deadLetters);
        registry.bind("flows", flows);
        registry.bind("alerts", alerts);
        registry.bind("messageStory", story);
        registry.bind("inboxView", new InboxView(repository, pages, flows, story));
        registry.bind("requestView", new RequestView(repository, story));
        registry.bind("deadLetters", deadLetters);
        registry.bind("flowsView", new FlowsView(flows, repository, deadLetters, pages));
        EventHandlers handlers = new EventHandlers();
        handlers.setCamelContext(camelContext);
        registry.bind("eventHandlers", handlers);
        dispatcher.routeEventsWith(handlers::routed);
        FeishuTenants tenants = new FeishuTenants(database.dataSource(), clock);
        registry.bind("feishuTenants", tenants);
        Map<String, FeishuWebhookReader> readers = new LinkedHashMap<>();
        for (FeishuApp app : feishuApps.all()) {
            // the sandbox's own app id is not the operator's: in sandbox mode events of any app reach the default app
            String appId = app.isDefault() && runtimeMode != RuntimeMode.LIVE ? null : app.appId();
            readers.put(app.name(), new FeishuWebhookReader(app.name(), app.encryptKey(), app.verificationToken(), appId,
                    settings.getDuration("feishu.webhook.max-age"), clock,
                    settings.getLong("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26)));
        }
        registry.bind("feishuWebhooks", new FeishuWebhooks(readers, feishuApps, FeishuEventMode.of(settings), tenants));
    }

    /** The journal beside an embedded H2 file (PostgreSQL instances share the table, so they commit to it). */
    private Optional<InboxJournal> journal(Database database) {
        Optional<Path> file = database.embeddedFile();
        if (file.isEmpty() || !settings.getBoolean("hrb.inbox.journal.enabled")) {
            return Optional.empty();
        }
        Path directory = file.get().resolveSibling(file.get().getFileName() + ".inbox-journal");
        try {
            return Optional.of(new InboxJournal(directory,
                    settings.getLong("hrb.inbox.journal.segment-bytes", 1 << 20, 1L << 34),
                    settings.getBoolean("hrb.inbox.journal.force"),
                    settings.getInt("hrb.inbox.write-queue", 100, 1_000_000), new KeyLookup(database), database.storage()));
        } catch (IOException e) {
            throw new ConfigurationException("cannot open the inbox journal in " + directory + ": " + e);
        }
    }

    /**
     * The journal's dedup look-up on a connection of its own: an acknowledgement never waits for a pooled
     * connection that flows and the inbox writer are busy with.
     */
    private static final class KeyLookup implements InboxJournal.StoredKeys, AutoCloseable {
        private final Database database;
        private Connection connection;

        KeyLookup(Database database) {
            this.database = database;
        }

        @Override
        public Set<String> of(List<String> dedupKeys) throws SQLException {
            try {
                if (connection == null) {
                    connection = database.unpooledConnection();
                }
                return InboxRepository.storedKeys(connection, dedupKeys);
            } catch (SQLException e) {
                if (connection != null) {
                    try {
                        connection.close();
                    } catch (SQLException ignored) {
                        // broken already; a new one is opened on the next look-up
                    }
                    connection = null;
                }
                throw e;
            }
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                connection.close();
            }
        }
    }
}

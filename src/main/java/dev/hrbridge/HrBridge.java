package dev.hrbridge;

import dev.hrbridge.api.ApiConfiguration;
import dev.hrbridge.api.BusinessHttpServerFactory;
import dev.hrbridge.api.HttpErrorAnswers;
import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.console.OperatorConsole;
import dev.hrbridge.config.PackagedRoutes;
import dev.hrbridge.config.RuntimeMode;
import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SettingsValidator;
import dev.hrbridge.config.SimulatedPlatforms;
import dev.hrbridge.db.Database;
import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.FeishuWebhookRoutes;
import dev.hrbridge.feishu.longconnection.LongConnectionConfiguration;
import dev.hrbridge.feishu.longconnection.LongConnectionRoutes;
import dev.hrbridge.hire.EcoAccountConfiguration;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxConfiguration;
import dev.hrbridge.inbox.InboxRoutes;
import dev.hrbridge.iot.IotConfiguration;
import dev.hrbridge.offboarding.OffboardingConfiguration;
import dev.hrbridge.ops.DatabaseHealthCheck;
import dev.hrbridge.ops.ExternalRoutes;
import dev.hrbridge.ops.HeartbeatRoutes;
import dev.hrbridge.ops.InboundLog;
import dev.hrbridge.ops.ManagementPort;
import dev.hrbridge.ops.ManagementPortGuard;
import dev.hrbridge.ops.NodeRegistry;
import dev.hrbridge.ops.OperationsMBeans;
import dev.hrbridge.ops.SecretMasking;
import dev.hrbridge.ops.StartupCheck;
import dev.hrbridge.ops.UnexpectedStop;
import dev.hrbridge.outbound.OutboundConfiguration;
import dev.hrbridge.qrcode.QrCodeConfiguration;
import dev.hrbridge.qrcode.QrSweepRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * One running HR Bridge instance: resolves and checks its settings, opens and migrates the database, starts the
 * sandbox simulator when no Feishu app is configured, then starts Camel with the platform's Java routes and the YAML
 * flows.
 */
public final class HrBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HrBridge.class);

    static final String SANDBOX_API_TOKEN = "sandbox-token";
    /** Settings whose values never appear in a log line; every Feishu app's secrets too ({@link #secrets}). */
    static final List<String> SECRET_KEYS = List.of("feishu.app-secret", "feishu.encrypt-key", "feishu.verification-token",
            "hrb.api.token", "hrb.db.password", "iot.app-secret", "qr.notify.secret", "hrb.management.token",
            "hrb.alerts.secret");

    private final Settings settings;
    private final RuntimeMode mode;
    private final Database database;
    private final SimulatedPlatforms sandbox;
    private final Main main;
    private final Runnable onUnexpectedStop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean stoppedCleanly = true;
    private ExternalRoutes externalRoutes;
    private OperationsMBeans operations;
    private final StartupCheck startup = new StartupCheck();
    private volatile CompletableFuture<Void> appTicketsAsked = CompletableFuture.completedFuture(null);

    private HrBridge(Settings settings, RuntimeMode mode, Database database, SimulatedPlatforms sandbox, Main main,
                     Runnable onUnexpectedStop) {
        this.settings = settings;
        this.mode = mode;
        this.database = database;
        this.sandbox = sandbox;
        this.main = main;
        this.onUnexpectedStop = onUnexpectedStop;
    }

    /** Starts an instance and returns once its routes run; {@code overrides} win over every other source. */
    public static HrBridge start(Map<String, String> overrides) throws Exception {
        return start(overrides, () -> { });
    }

    /** As {@link #start(Map)}; {@code onUnexpectedStop} runs if Camel stops without {@link #close()} ({@link UnexpectedStop}). */
    public static HrBridge start(Map<String, String> overrides, Runnable onUnexpectedStop) throws Exception {
        return start(overrides, onUnexpectedStop, List.of());
    }

    /**
     * As {@link #start(Map)}, with {@code extras} configuring Camel after HR Bridge's own configuration classes: what a
     * tool adds to the runtime it starts ({@code try}'s recorder).
     */
    public static HrBridge start(Map<String, String> overrides, List<org.apache.camel.CamelConfiguration> extras)
            throws Exception {
        return start(overrides, () -> { }, extras);
    }

    private static HrBridge start(Map<String, String> overrides, Runnable onUnexpectedStop,
                                  List<org.apache.camel.CamelConfiguration> extras) throws Exception {
        long begin = System.nanoTime();
        Settings settings = Settings.load(overrides);
        RuntimeMode mode = RuntimeMode.of(settings);
        SettingsValidator.validate(settings);

        SimulatedPlatforms sandbox = null;
        if (mode == RuntimeMode.SANDBOX) {
            // the simulator says where it listens and which app credentials it knows
            sandbox = SimulatedPlatforms.load();
            Map<String, String> simulated = new LinkedHashMap<>(sandbox.start(settings));
            if (!settings.isSet("hrb.api.token")) {
                simulated.put("hrb.api.token", SANDBOX_API_TOKEN);
            }
            settings = settings.with(simulated);
        }

        SecretMasking.mask(secrets(settings));
        Database database;
        try {
            database = Database.connect(settings);
        } catch (RuntimeException e) {
            if (sandbox != null) {
                sandbox.close();
            }
            throw e;
        }
        // migrations run while Camel loads its routes; they must be done before anything touches the schema
        Database ready = database;
        CompletableFuture<Void> schema = CompletableFuture.runAsync(ready::prepare);
        Main main = new Main();
        HrBridge bridge = new HrBridge(settings, mode, database, sandbox, main, onUnexpectedStop);
        try {
            bridge.configure();
            extras.forEach(main.configure()::addConfiguration);
            main.addMainListener(bridge.startupChecks(schema));
            main.start();
            ManagementPort.requireListening(main.getCamelContext(), settings);
            OperatorConsole.install(main.getCamelContext());
            HttpErrorAnswers.install(main.getCamelContext(), settings.getInt("camel.server.port", 0, 65535));
            bridge.registerOperations();
            bridge.loadExternalRoutes();
            // processing (the journal and the last run's backlog first) starts once every route, external ones
            // too, is in place: an event routed before its flow's route exists would end UNHANDLED
            main.getCamelContext().getRegistry().lookupByNameAndType("inbox", Inbox.class).start();
        } catch (Exception e) {
            bridge.close();
            throw e;
        }
        if (mode == RuntimeMode.SANDBOX) {
            LOG.info("HR Bridge is running in SANDBOX mode: no FEISHU_APP_ID is set, so Feishu and the IoT gateway are "
                    + "simulated at {}, data is kept in {}, and the API token is the sandbox default unless HRB_API_TOKEN is set",
                    settings.get("feishu.base-url"), settings.get("hrb.db.url"));
        } else {
            LOG.info("HR Bridge is running LIVE against Feishu at {} and the IoT gateway at {}",
                    settings.get("feishu.base-url"), settings.get("iot.base-url"));
        }
        ManagementPort.logEndpoints(main.getCamelContext(), settings.get("camel.server.host"),
                settings.getInt("camel.server.port", 0, 65535));
        LOG.info("HR Bridge started in {} ms: webhooks and API on port {}, management on {}",
                (System.nanoTime() - begin) / 1_000_000, settings.get("camel.server.port"),
                Objects.requireNonNullElse(ManagementPort.baseUrl(main.getCamelContext()), "(off)"));
        bridge.startup.started();
        // store apps without a fresh app_ticket ask Feishu for one, now that their webhooks take it (no longer 503)
        AppTickets tickets = main.getCamelContext().getRegistry().lookupByNameAndType("appTickets", AppTickets.class);
        bridge.appTicketsAsked = CompletableFuture.runAsync(tickets::requestMissing);
        return bridge;
    }

    /** The values of {@link #SECRET_KEYS} and every Feishu app's secret, encrypt key and verification token. */
    static List<String> secrets(Settings settings) {
        List<String> secrets = new java.util.ArrayList<>(SECRET_KEYS.stream().map(settings::get).toList());
        secrets.addAll(FeishuApps.of(settings).secrets());
        return secrets;
    }

    /**
     * The Camel context this configuration would run, built as {@link #start} builds it (settings, beans, configuration
     * classes, packaged routes, Java routes) but not started: no port is opened, no route runs, and an in-memory
     * database stands in for the configured one, so nothing is touched. For the route tools ({@code validate}), which
     * check route files against what HR Bridge really binds and runs. Close it when done.
     */
    public static ConfiguredContext configureOnly(Map<String, String> overrides) throws Exception {
        Map<String, String> standIns = new LinkedHashMap<>(overrides);
        standIns.put("hrb.db.url", "jdbc:h2:mem:hrb-configure-only-" + java.util.UUID.randomUUID());
        Settings settings = Settings.load(standIns);
        if (!settings.isSet("hrb.api.token")) {
            settings = settings.with(Map.of("hrb.api.token", SANDBOX_API_TOKEN));
        }
        RuntimeMode mode = RuntimeMode.of(settings);
        Database database = Database.connect(settings);
        Main main = new Main();
        HrBridge bridge = new HrBridge(settings, mode, database, null, main, () -> { });
        try {
            bridge.configure();
            main.init();
        } catch (Exception | Error e) {
            bridge.close();
            throw e;
        }
        return new ConfiguredContext(main.getCamelContext(), settings, bridge::close);
    }

    private void configure() {
        Map<String, String> camel = new LinkedHashMap<>(settings.asMap());
        camel.put("camel.management.port", settings.get("hrb.management.port"));
        camel.put("camel.management.host", settings.get("hrb.management.host"));
        // in long-connection mode nothing of a self-built app arrives by webhook, so its path is not served at all;
        // a store app's events come by webhook in every mode
        FeishuApps apps = FeishuApps.of(settings);
        camel.put("hrb.feishu.webhook.enabled", String.valueOf(apps.defaultApp().receivesByWebhook(FeishuEventMode.of(settings))));
        camel.put("camel.main.routesIncludePattern",
                PackagedRoutes.expand(settings.require("camel.main.routesIncludePattern"), HrBridge.class));
        camel.forEach(main::addOverrideProperty);

        main.bind("settings", settings);
        main.bind("feishuApps", apps);
        main.bind("businessHttpServerFactory", new BusinessHttpServerFactory(settings, startup::isStarted));
        main.bind("runtimeMode", mode);
        main.bind("dataSource", database.dataSource());
        main.bind("database", database);
        NodeRegistry nodeRegistry = new NodeRegistry(database.dataSource());
        main.bind("nodeRegistry", nodeRegistry);
        main.configure().addConfiguration(ApiConfiguration.class);
        main.configure().addConfiguration(OutboundConfiguration.class);
        main.configure().addConfiguration(InboxConfiguration.class);
        main.configure().addConfiguration(OffboardingConfiguration.class);
        main.configure().addConfiguration(QrCodeConfiguration.class);
        main.configure().addConfiguration(IotConfiguration.class);
        main.configure().addConfiguration(EcoAccountConfiguration.class);
        main.configure().addConfiguration(LongConnectionConfiguration.class);
        // the platform's own routes, in Java; the flows an engineer edits are the YAML files under routes/
        main.configure().addRoutesBuilder(new FeishuWebhookRoutes());
        main.configure().addRoutesBuilder(new InboxRoutes());
        main.configure().addRoutesBuilder(new HeartbeatRoutes());
        main.configure().addRoutesBuilder(new QrSweepRoutes());
    }

    /** What a started instance checks and installs once Camel is configured, before its routes start. */
    private org.apache.camel.main.MainListener startupChecks(CompletableFuture<Void> schema) {
        return new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void afterConfigure(org.apache.camel.main.BaseMainSupport support) {
                awaitSchema(schema);
                try {
                    // registered before any work is claimed in its name, so others never mistake it for a dead node
                    support.getCamelContext().getRegistry().lookupByNameAndType("nodeRegistry", NodeRegistry.class).heartbeat();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("cannot register this instance in hrb_node", e);
                }
                CamelContext context = support.getCamelContext();
                HealthCheckHelper.getHealthCheckRegistry(context).register(new DatabaseHealthCheck(database.dataSource(), database.storage()));
                HealthCheckHelper.getHealthCheckRegistry(context).register(startup);
                context.getManagementStrategy().addEventNotifier(new InboundLog());
                ManagementPortGuard.install(context, settings);
                context.getManagementStrategy().addEventNotifier(
                        new UnexpectedStop(() -> closed || !startup.isStarted(), onUnexpectedStop));
            }
        };
    }

    private static void awaitSchema(CompletableFuture<Void> schema) {
        try {
            schema.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** The project's MBeans, gauges and degraded checks, once Camel's metrics registry exists. */
    private void registerOperations() {
        operations = OperationsMBeans.start(main.getCamelContext());
    }

    /** The operator's route directory: adds and replaces routes after the packaged ones are running. */
    private void loadExternalRoutes() throws java.io.IOException {
        String dir = settings.get("hrb.routes.dir");
        if (dir == null) {
            return;
        }
        externalRoutes = new ExternalRoutes(main.getCamelContext(), Path.of(dir));
        externalRoutes.loadAll();
        if (settings.getBoolean("hrb.routes.reload")) {
            externalRoutes.watch();
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** The operator's route directory ({@code hrb.routes.dir}), when one is set. */
    public java.util.Optional<ExternalRoutes> externalRoutes() {
        return java.util.Optional.ofNullable(externalRoutes);
    }

    public Settings settings() {
        return settings;
    }

    public RuntimeMode mode() {
        return mode;
    }

    public Database database() {
        return database;
    }

    /** Done once each store app without a fresh app_ticket has asked Feishu for one (at start, in the background). */
    public CompletableFuture<Void> appTicketsAsked() {
        return appTicketsAsked;
    }

    /** The simulated platforms in sandbox mode, else null. */
    public SimulatedPlatforms sandbox() {
        return sandbox;
    }

    /**
     * Blocks until {@link #close()} ran: on SIGTERM or Ctrl-C (SIGINT), from a shutdown hook when the JVM exits for
     * another reason, or from another thread. A signal is handled here rather than by the JVM's default, which ends
     * the process with 143 after its hooks: a service manager should see an orderly stop as exit status 0.
     */
    public void awaitShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            // the log is written asynchronously: flush it before the JVM goes
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
                logback.stop();
            }
        }, "hrb-shutdown"));
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("SIG{} received: stopping", name);
                    close();
                });
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal to itself (-Xrs): its shutdown hook still stops HR Bridge
                LOG.debug("SIG{} stays the JVM's: {}", name, e.getMessage());
            }
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After {@link #close()}: whether everything stopped without an error (the process's exit status 0). */
    public boolean stoppedCleanly() {
        return stoppedCleanly;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (externalRoutes != null) {
                externalRoutes.close();
            }
            if (operations != null) {
                operations.close();
            }
            // the long connection first: what it already took is stored and acknowledged while the inbox still
            // takes it, what comes later Feishu delivers again
            if (main.getCamelContext() != null) {
                for (FeishuApp app : FeishuApps.of(settings).all()) {
                    String route = LongConnectionRoutes.routeId(app.name());
                    if (main.getCamelContext().getRoute(route) != null) {
                        main.getCamelContext().getRouteController().stopRoute(route);
                    }
                }
            }
            // stop taking work before the routes go, so nothing is half-run; the inbox keeps the rest
            Inbox inbox = main.getCamelContext() == null ? null
                    : main.getCamelContext().getRegistry().lookupByNameAndType("inbox", Inbox.class);
            if (inbox != null) {
                inbox.close();
            }
            main.stop();
        } catch (Exception e) {
            stoppedCleanly = false;
            LOG.warn("Camel did not stop cleanly", e);
        } finally {
            database.close();
            if (sandbox != null) {
                sandbox.close();
            }
            stopped.countDown();
            LOG.info("HR Bridge stopped");
        }
    }
}

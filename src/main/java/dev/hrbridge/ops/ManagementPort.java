package dev.hrbridge.ops;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Comparator;
import java.util.Set;

/**
 * The management port as it really listens. Camel's management server logs a port it cannot bind and starts anyway,
 * so HR Bridge checks it once Camel runs; and Camel's endpoint summary names every address {@code 0.0.0.0}, so HR
 * Bridge writes its own with the addresses bound.
 */
public final class ManagementPort {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementPort.class);

    private ManagementPort() {
    }

    /** The router of the management server, where its handlers go; null when the management server is off. */
    public static VertxPlatformHttpRouter router(CamelContext context) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        return server == null ? null : server.getRouter();
    }

    /**
     * Stops the start when the management server does not listen: another process on the port would otherwise
     * answer health checks and Prometheus in HR Bridge's name.
     */
    public static void requireListening(CamelContext context, Settings settings) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        HttpServer listening = server.getRouter() == null ? null : server.getRouter().getServer().getServer();
        // Vert.x knows the port it asked for before the bind; only the server's own state tells whether it took it
        if (listening == null || listening instanceof TCPServerBase tcp && !tcp.isListening()) {
            throw new ConfigurationException("cannot listen on " + server.getHost() + ":" + server.getPort()
                    + " for the management port (" + whyNotBindable(server.getHost(), server.getPort())
                    + "); free the port or choose another with " + Settings.describe("hrb.management.port") + " / "
                    + Settings.describe("hrb.management.host"));
        }
    }

    /** What binding the address says now; Camel keeps the reason of its failed bind to its log. */
    private static String whyNotBindable(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
            return "the server did not start";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** {@code http://<bound host>:<port>} of the management server, or null when it is off. */
    public static String baseUrl(CamelContext context) {
        VertxPlatformHttpRouter router = router(context);
        if (router == null) {
            return null;
        }
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        return "http://" + server.getHost() + ":" + router.getServer().getPort();
    }

    /** One line per HTTP endpoint of both ports, with the address each listens on. */
    public static void logEndpoints(CamelContext context, String businessHost, int businessPort) {
        PlatformHttpComponent http = context.getComponent("platform-http", PlatformHttpComponent.class);
        log("Webhooks and API", "http://" + businessHost + ":" + businessPort, http.getHttpEndpoints());
        String management = baseUrl(context);
        if (management != null) {
            log("Management", management, http.getHttpManagementEndpoints());
        }
    }

    private static void log(String title, String base, Set<HttpEndpointModel> endpoints) {
        LOG.info("{} endpoints:", title);
        endpoints.stream().sorted(Comparator.comparing(HttpEndpointModel::getUri)).forEach(endpoint ->
                LOG.info("    {}{} ({})", base, endpoint.getUri(), endpoint.getVerbs()));
    }
}

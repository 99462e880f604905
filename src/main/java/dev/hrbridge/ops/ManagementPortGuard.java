package dev.hrbridge.ops;

import dev.hrbridge.api.BearerToken;
import dev.hrbridge.api.HttpErrorAnswers;
import dev.hrbridge.config.Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.plugin.JolokiaPlatformHttpPlugin;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * The first handler of every request to the management port (health, metrics, Jolokia). It refuses what a web page
 * in an operator's browser could send: a request from another origin, and, while the port listens on loopback, one
 * addressed to a host name other than {@code localhost} (a DNS name an attacker re-points at 127.0.0.1). With
 * {@code hrb.management.token} set it also requires {@code Authorization: Bearer <token>}, or the token as the password
 * of HTTP Basic authentication, which is how an operator's browser opens the console.
 */
public final class ManagementPortGuard implements AuthenticationHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementPortGuard.class);

    /** The protection space a browser keeps the operator's credentials for, on every path of the port. */
    private static final String REALM = "realm=\"HR Bridge management\"";

    private final BearerToken token;
    private final byte[] basicPassword;
    private final boolean loopback;

    private ManagementPortGuard(Settings settings) {
        String configured = settings.get("hrb.management.token");
        this.token = configured == null ? null : new BearerToken(configured);
        this.basicPassword = configured == null ? null : configured.getBytes(StandardCharsets.UTF_8);
        this.loopback = isLoopback(settings.get("hrb.management.host", ""));
    }

    /**
     * {@code localhost} or a loopback address literal. Names are never resolved: the name a request carries is the
     * attacker's to choose, and so is what it resolves to.
     */
    public static boolean isLoopback(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (name.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!name.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            return InetAddress.getByName(name).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        HostAndPort authority = request.authority();
        if (loopback && authority != null && !isLoopback(authority.host())) {
            refuse(context, 403, "foreign_host", "the management port answers only requests addressed to localhost "
                    + "or a loopback address");
        } else if (!fromOwnOrigin(request)) {
            refuse(context, 403, "foreign_origin", "the management port refuses requests sent from another origin "
                    + "(a web page)");
        } else if (token != null && !authorized(request.getHeader(HttpHeaders.AUTHORIZATION))) {
            // Basic makes a browser ask the operator once and send it with every request of the console's page
            context.response().headers().add("WWW-Authenticate", "Bearer " + REALM)
                    .add("WWW-Authenticate", "Basic " + REALM + ", charset=\"UTF-8\"");
            refuse(context, 401, "unauthorized", "missing or invalid bearer token for the management port");
        } else {
            context.next();
        }
    }

    /**
     * {@code Bearer <token>}, or {@code Basic} with the token as the password (any user name), as a browser sends it
     * once the operator typed it in; both compared in constant time.
     */
    private boolean authorized(String authorization) {
        if (token.matches(authorization)) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] credentials;
        try {
            credentials = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = 0;
        while (colon < credentials.length && credentials[colon] != ':') {
            colon++;
        }
        byte[] password = colon < credentials.length
                ? Arrays.copyOfRange(credentials, colon + 1, credentials.length) : new byte[0];
        return colon < credentials.length & MessageDigest.isEqual(basicPassword, password);
    }

    /**
     * A browser names the page that sent a request in {@code Origin} (cross-origin requests, every POST) and
     * {@code Sec-Fetch-Site} (every request to localhost); curl, Prometheus and JMX tools send neither.
     */
    private static boolean fromOwnOrigin(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String site = request.getHeader("Sec-Fetch-Site");
        HostAndPort authority = request.authority();
        String own = authority == null ? null
                : request.scheme() + "://" + authority.host() + (authority.port() < 0 ? "" : ":" + authority.port());
        return (origin == null || origin.equalsIgnoreCase(own))
                && (site == null || site.equals("same-origin") || site.equals("none"));
    }

    private static void refuse(RoutingContext context, int status, String error, String message) {
        HttpServerRequest request = context.request();
        LOG.warn("Management port refused {} {} from {}: {}", request.method(), request.path(),
                request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress(), error);
        HttpErrorAnswers.respond(context, status, error, message);
    }

    /**
     * Puts a guard in front of every handler of Camel's management server and {@link GuardedJolokia} in place of
     * Camel's Jolokia; call it once Camel is configured and before it starts, when the management port opens.
     */
    public static void install(CamelContext context, Settings settings) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        ManagementPortGuard guard = new ManagementPortGuard(settings);
        AuthenticationConfig authentication = server.getConfiguration().getAuthenticationConfig();
        AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
        entry.setPath("/*");
        entry.setAuthenticationProviderFactory(vertx -> null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T unused) {
                return guard;
            }
        });
        authentication.getEntries().add(entry);
        authentication.setEnabled(true);

        GuardedJolokia jolokia = new GuardedJolokia();
        // Camel's management server takes the plugin bound under this name before its own
        context.getRegistry().bind(JolokiaPlatformHttpPlugin.NAME, jolokia);
        try {
            // Camel's plugin registry starts the plugin and never stops it
            context.addService(jolokia);
        } catch (Exception e) {
            throw new IllegalStateException("cannot add Jolokia to Camel's services", e);
        }
    }
}

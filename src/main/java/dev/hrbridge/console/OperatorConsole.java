package dev.hrbridge.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.HttpErrorAnswers;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.ops.ManagementPort;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The operator console at {@code /console} on the management port, behind the same guard as health, metrics and
 * Jolokia ({@code ManagementPortGuard}: loopback by default, own origin only, {@code hrb.management.token}). The page is
 * three static files from the jar ({@code console/}) with plain JavaScript, no build step and nothing from another
 * host; it reads the JSON endpoints under {@code /console/api/}. The one action, replaying a dead letter, is a POST that
 * must carry the header {@code X-HRB-Console} and a JSON content type: a page of another site can send neither
 * without the browser asking this port first (a CORS preflight, which it never grants), on top of the guard's
 * {@code Origin} check.
 */
public final class OperatorConsole {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorConsole.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The header the console's own script sends with an action. */
    public static final String ACTION_HEADER = "X-HRB-Console";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private final ConsoleData data;
    private final DeadLetters deadLetters;
    private final Map<String, byte[]> files;

    private OperatorConsole(CamelContext context) {
        this.data = new ConsoleData(context);
        this.deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class);
        this.files = Map.of("index.html", read("index.html"), "console.js", read("console.js"), "console.css", read("console.css"));
    }

    /** Adds the console's routes to the management server of a started {@code context}; nothing when it is off. */
    public static void install(CamelContext context) {
        VertxPlatformHttpRouter router = ManagementPort.router(context);
        if (router == null) {
            return;
        }
        OperatorConsole console = new OperatorConsole(context);
        router.route(HttpMethod.GET, "/console").handler(routing -> console.file(routing, "index.html"));
        router.route(HttpMethod.GET, "/console/").handler(routing -> console.file(routing, "index.html"));
        router.route(HttpMethod.GET, "/console/console.js").handler(routing -> console.file(routing, "console.js"));
        router.route(HttpMethod.GET, "/console/console.css").handler(routing -> console.file(routing, "console.css"));
        // database reads and the replay run off the event loop
        router.route(HttpMethod.GET, "/console/api/overview").blockingHandler(console::overview, false);
        router.route(HttpMethod.GET, "/console/api/messages/:id").blockingHandler(console::message, false);
        router.route(HttpMethod.GET, "/console/api/flows/paused").handler(routing -> json(routing, 200, console.data.pausedFlows()));
        router.route(HttpMethod.POST, "/console/api/dead-letters/:id/replay").blockingHandler(console::replay, false);
        router.route("/console/*").last().handler(routing ->
                HttpErrorAnswers.respond(routing, 404, "not_found", "no such console page or endpoint"));
        PlatformHttpComponent http = context.getComponent("platform-http", PlatformHttpComponent.class);
        http.addHttpManagementEndpoint("/console", "GET", null, "text/html", null);
        http.addHttpManagementEndpoint("/console/api/overview", "GET", null, "application/json", null);
        http.addHttpManagementEndpoint("/console/api/messages/{id}", "GET", null, "application/json", null);
        http.addHttpManagementEndpoint("/console/api/flows/paused", "GET", null, "application/json", null);
        http.addHttpManagementEndpoint("/console/api/dead-letters/{id}/replay", "POST", "application/json", "application/json", null);
    }

    private void file(RoutingContext routing, String name) {
        secured(routing.response()).putHeader("Content-Type", FILES.get(name)).end(io.vertx.core.buffer.Buffer.buffer(files.get(name)));
    }

    private void overview(RoutingContext routing) {
        try {
            json(routing, 200, data.overview());
        } catch (Exception e) {
            unavailable(routing, "the overview", e);
        }
    }

    private void message(RoutingContext routing) {
        String id = routing.pathParam("id");
        try {
            Optional<Map<String, Object>> message = data.message(id);
            if (message.isPresent()) {
                json(routing, 200, message.get());
            } else {
                HttpErrorAnswers.respond(secured(routing), 404, "not_found", "no inbox message has this id");
            }
        } catch (Exception e) {
            unavailable(routing, "message " + id, e);
        }
    }

    private void replay(RoutingContext routing) {
        if (routing.request().getHeader(ACTION_HEADER) == null) {
            HttpErrorAnswers.respond(secured(routing), 403, "console_header_missing", "an action of the console needs the "
                    + ACTION_HEADER + " header its page sends; a page of another site cannot send it");
            return;
        }
        String contentType = routing.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            HttpErrorAnswers.respond(secured(routing), 415, "unsupported_media_type", "an action of the console is "
                    + "sent as application/json");
            return;
        }
        String id = routing.pathParam("id");
        try {
            String answer = deadLetters.replay(id);
            LOG.info("Dead letter {} replayed from the operator console ({})", id,
                    routing.request().remoteAddress() == null ? "?" : routing.request().remoteAddress().hostAddress());
            secured(routing.response()).setStatusCode(202).putHeader("Content-Type", "application/json").end(answer);
        } catch (ApiException e) {
            HttpErrorAnswers.respond(secured(routing), e.status(), e.errorCode(), e.getMessage());
        } catch (Exception e) {
            unavailable(routing, "replay of dead letter " + id, e);
        }
    }

    private static void json(RoutingContext routing, int status, Object body) {
        try {
            secured(routing.response()).setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unavailable(RoutingContext routing, String what, Exception e) {
        LOG.warn("The operator console could not read {}: {}", what, e.toString());
        HttpErrorAnswers.respond(secured(routing), 503, "storage_unavailable", "the console could not read " + what
                + "; the log of HR Bridge has the details");
    }

    private static RoutingContext secured(RoutingContext routing) {
        secured(routing.response());
        return routing;
    }

    /**
     * Nothing but this port's own files runs in the page, no other site may frame it (a click on "replay" must be the
     * operator's), and no answer is kept by a cache.
     */
    private static HttpServerResponse secured(HttpServerResponse response) {
        return response
                .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                        + "img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store");
    }

    private static byte[] read(String name) {
        try (InputStream in = OperatorConsole.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

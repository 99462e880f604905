package dev.hrbridge.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The answers the HTTP server gives outside any route — no such path, a method the path does not take, a body
 * over the limit, a request it cannot read — in the same JSON shape as every other error: {@code {"error", "message"}}.
 */
public final class HttpErrorAnswers {

    private HttpErrorAnswers() {
    }

    /** Installs the JSON answers on the business port's router of {@code camelContext}. */
    public static void install(CamelContext camelContext, int port) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camelContext,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(camelContext);
        }
        // failures raised while reading the request (the body limit) before a route runs
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            if (context.failure() instanceof HttpClosedException) {
                return; // the connection closed while the body was arriving: nobody to answer
            }
            switch (context.statusCode()) {
                case 413 -> respond(context, 413, "body_too_large",
                        "the request body is larger than this endpoint takes (webhooks: hrb.webhook.max-body-bytes, API: 1 MiB)");
                case 400 -> respond(context, 400, "bad_request", "the request could not be read");
                default -> context.next();
            }
        });
        // whatever no route took
        router.route().last().handler(context -> {
            if (servesPath(camelContext, context.request().path())) {
                respond(context, 405, "method_not_allowed", "this endpoint does not take " + context.request().method());
            } else {
                respond(context, 404, "not_found", "no such endpoint");
            }
        });
    }

    /** The business server's answer to a request its decoder refused; the connection is closed after it. */
    static void refuseUnreadable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = 400;
        String error = "bad_request";
        String message = "the request line or a header could not be read";
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            error = "uri_too_long";
            message = "the request line is too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            error = "headers_too_large";
            message = "the request headers are too large";
        } else if (cause instanceof StrictRequestDecoder.Refused refused) {
            status = refused.status;
            error = refused.error;
            message = refused.getMessage();
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close").end(json(error, message));
        request.response().close();
    }

    static String json(String error, String message) {
        return new JsonObject().put("error", error).put("message", message).encode();
    }

    private static boolean servesPath(CamelContext camelContext, String path) {
        for (Route route : camelContext.getRoutes()) {
            // a route that is not started (the webhook in long-connection mode) serves nothing
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http && camelContext.getRouteController()
                    .getRouteStatus(route.getRouteId()).isStarted()
                    && path.matches(http.getPath().replaceAll("\\{[^}/]+}", "[^/]+"))) {
                return true;
            }
        }
        return false;
    }

    /** Answers {@code context} with the JSON error, outside any route (the management port's guard, Jolokia). */
    public static void respond(RoutingContext context, int status, String error, String message) {
        if (context.response().headWritten()) {
            context.response().end();
            return;
        }
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json(error, message));
    }
}

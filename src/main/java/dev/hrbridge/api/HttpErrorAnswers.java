package dev.hrbridge.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.util.Map;

/**
 * The answers the HTTP server gives before any route runs (no such path, a method the path does not take, a body
 * over the limit) in the same JSON shape as every other error: {@code {"error", "message"}}.
 */
public final class HttpErrorAnswers {

    private static final Map<Integer, String[]> ANSWERS = Map.of(
            404, new String[]{"not_found", "no such endpoint"},
            405, new String[]{"method_not_allowed", "this endpoint does not take that HTTP method"},
            413, new String[]{"body_too_large", "the request body is over 1 MiB"},
            400, new String[]{"bad_request", "the request could not be read"});

    private HttpErrorAnswers() {
    }

    /** Installs the JSON answers on every HTTP router of {@code camelContext} (business and management port). */
    public static void install(CamelContext camelContext) {
        for (VertxPlatformHttpRouter router : camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            for (Map.Entry<Integer, String[]> answer : ANSWERS.entrySet()) {
                int status = answer.getKey();
                router.errorHandler(status, context -> respond(context, status, answer.getValue()[0], answer.getValue()[1]));
            }
        }
    }

    private static void respond(RoutingContext context, int status, String error, String message) {
        if (context.response().headWritten()) {
            context.response().end();
            return;
        }
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).put("message", message).encode());
    }
}

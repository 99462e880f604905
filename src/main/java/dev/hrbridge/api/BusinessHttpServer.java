package dev.hrbridge.api;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.support.CamelContextHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The business port (webhooks and API): Camel's platform-http server, built by HR Bridge so that it sets what Camel
 * leaves at Vert.x's defaults — how long it waits for clients and how many connections it holds
 * ({@link ConnectionLimits}, {@link ConnectionGuard}), the framing of request bodies ({@link StrictRequestDecoder}), JSON
 * answers to requests it cannot read, a body limit per path — and so that a port it cannot bind stops the start.
 * Routes find its router under Camel's name for the port, as they would find Camel's own.
 */
public final class BusinessHttpServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(BusinessHttpServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;
    private final ConnectionLimits limits;
    private final Map<String, BodyHandler> bodyLimits = new ConcurrentHashMap<>();
    private final BooleanSupplier ready;
    private Vertx vertx;
    private boolean ownVertx;
    private HttpServer server;

    /** {@code ready} says when HR Bridge has started: until then every request is answered {@link #notReady}. */
    BusinessHttpServer(VertxPlatformHttpServerConfiguration configuration, ConnectionLimits limits, BooleanSupplier ready) {
        super(configuration);
        this.configuration = configuration;
        this.limits = limits;
        this.ready = ready;
    }

    /**
     * Bodies of requests whose path starts with {@code pathPrefix} may have up to {@code bytes} instead of
     * {@code camel.server.maxBodySize}; the longest matching prefix wins.
     */
    public BusinessHttpServer limitBody(String pathPrefix, long bytes) {
        bodyLimits.put(pathPrefix, bodyHandler(bytes));
        return this;
    }

    @Override
    protected void doInit() {
        // Camel's server looks up Vert.x here; this one does when it starts
    }

    @Override
    protected void doStart() throws Exception {
        vertx = CamelContextHelper.findSingleByType(getCamelContext(), Vertx.class);
        ownVertx = vertx == null;
        if (ownVertx) {
            vertx = Vertx.vertx();
        }
        Router router = Router.router(vertx);
        router.route().handler(this::notReady);
        Router routes = Router.router(vertx);
        router.route(configuration.getPath() + "*").subRouter(routes);
        String name = VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort());
        getCamelContext().getRegistry().bind(name,
                new VertxPlatformHttpRouter(this, vertx, routes, name, VertxPlatformHttpRouter.SERVER_TYPE_SERVER) {
                    @Override
                    public Handler<RoutingContext> bodyHandler() {
                        return BusinessHttpServer.this.bodyHandler();
                    }
                });

        // HTTP/1.x only: with cleartext HTTP/2 on, Vert.x sets a connection up (and so calls the guard) only once its
        // first bytes tell HTTP/1 from HTTP/2, and a connection that sends nothing would escape every timeout
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
        server = vertx.createHttpServer(options)
                .connectionHandler(connection -> guard(connection, options))
                .invalidRequestHandler(HttpErrorAnswers::refuseUnreadable)
                .requestHandler(router);
        try {
            server.listen(configuration.getBindPort(), configuration.getBindHost())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            doStop();
            throw new ConfigurationException("cannot listen on " + configuration.getBindHost() + ":" + configuration.getBindPort()
                    + " for webhooks and the API (" + e.getCause().getMessage() + "); free the port or choose another with "
                    + Settings.describe("camel.server.port") + " / " + Settings.describe("camel.server.host"));
        }
        LOG.info("Webhooks and API listen on {}:{}", configuration.getBindHost(), server.actualPort());
    }

    /**
     * The port listens a while before its routes and the rest of HR Bridge are in place; a request then would meet
     * no route (a 404 Feishu does not redeliver) or a half-started instance. A 503 has Feishu and API clients try
     * again.
     */
    private void notReady(RoutingContext context) {
        if (ready.getAsBoolean()) {
            context.next();
            return;
        }
        context.response().setStatusCode(503).putHeader("Content-Type", "application/json").putHeader("Retry-After", "5")
                .end(HttpErrorAnswers.json("starting", "HR Bridge is starting; send the request again in a few seconds"));
    }

    private void guard(HttpConnection connection, HttpServerOptions options) {
        ChannelPipeline pipeline = ((ConnectionBase) connection).channel().pipeline();
        ConnectionGuard guard = new ConnectionGuard(limits);
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
        pipeline.addBefore("httpDecoder", "firstBytes", guard.firstBytes());
        pipeline.addBefore("handler", "connectionGuard", guard);
    }

    private Handler<RoutingContext> bodyHandler() {
        BodyHandler standard = bodyHandler(configuration.getMaxBodySize());
        return context -> {
            BodyHandler handler = standard;
            String matched = "";
            for (Map.Entry<String, BodyHandler> limit : bodyLimits.entrySet()) {
                if (context.normalizedPath().startsWith(limit.getKey()) && limit.getKey().length() > matched.length()) {
                    matched = limit.getKey();
                    handler = limit.getValue();
                }
            }
            handler.handle(context);
        };
    }

    /** JSON in: no file uploads; no buffer sized by a Content-Length before its bytes arrive. */
    private static BodyHandler bodyHandler(Long limit) {
        BodyHandler handler = BodyHandler.create(false).setPreallocateBodyBuffer(false);
        return limit == null ? handler : handler.setBodyLimit(limit);
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            server = null;
        }
        if (ownVertx && vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        vertx = null;
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public Vertx getVertx() {
        return vertx;
    }

    @Override
    public int getPort() {
        return server != null ? server.actualPort() : configuration.getBindPort();
    }

    /** Connections open now. */
    public int openConnections() {
        return limits.open();
    }
}

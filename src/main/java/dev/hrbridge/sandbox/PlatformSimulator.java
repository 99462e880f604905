package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox stand-in for the Feishu OpenAPI and the Alibaba Cloud IoT gateway, on a loopback port of the
 * same process. It checks what the real services check and answers with their documented error codes, so a
 * flow that works against it has met the real contract, not a yes-machine.
 */
public final class PlatformSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformSimulator.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final FeishuSandbox feishu;

    private PlatformSimulator(HttpServer server, ExecutorService executor, FeishuSandbox feishu) {
        this.server = server;
        this.executor = executor;
        this.feishu = feishu;
    }

    public static PlatformSimulator start(String appId, String appSecret) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            ExecutorService executor = Executors.newFixedThreadPool(8, runnable -> {
                Thread thread = new Thread(runnable, "hrb-sandbox");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            FeishuSandbox feishu = new FeishuSandbox(appId, appSecret);
            server.createContext("/open-apis/", exchange -> serve(exchange, feishu::handle));
            server.createContext("/", exchange -> serve(exchange,
                    request -> Reply.json(404, Map.of("code", 404, "msg", "404 page not found"))));
            server.start();
            PlatformSimulator simulator = new PlatformSimulator(server, executor, feishu);
            LOG.info("Sandbox simulator of the Feishu OpenAPI and the IoT gateway listening on {}", simulator.baseUrl());
            return simulator;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the sandbox simulator", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FeishuSandbox feishu() {
        return feishu;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One inbound call to the simulator: method, path, query, headers and the body as read. */
    public record Request(String method, String path, String query, Map<String, java.util.List<String>> headers, byte[] body) {
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().isEmpty() ? null : e.getValue().get(0))
                    .findFirst().orElse(null);
        }

        /** The body as JSON, or null when it is not a JSON object. */
        public JsonNode json() {
            try {
                JsonNode node = JSON.readTree(body);
                return node != null && node.isObject() ? node : null;
            } catch (IOException e) {
                return null;
            }
        }

        public String queryParam(String name) {
            if (query == null) {
                return null;
            }
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (key.equals(name)) {
                    return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    /** What the simulator answers. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public static Reply json(int status, Object body) {
            try {
                return new Reply(status, Map.of("Content-Type", "application/json; charset=utf-8"), JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Answers one simulated call; null means "close the connection without an answer". */
    public interface Handler {
        Reply handle(Request request) throws Exception;
    }

    /** Serves every path under {@code pathPrefix} (e.g. {@code /user/} for the IoT gateway) with {@code handler}. */
    public void serve(String pathPrefix, Handler handler) {
        server.createContext(pathPrefix, exchange -> serve(exchange, handler));
    }

    private static void serve(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), in.readAllBytes());
            Reply reply;
            try {
                reply = handler.handle(request);
            } catch (Exception e) {
                LOG.warn("Sandbox simulator failed on {} {}", request.method(), request.path(), e);
                reply = Reply.json(500, Map.of("code", 500, "msg", "internal error"));
            }
            if (reply == null) {
                // a simulated hung connection or reset: close without an answer
                exchange.close();
                return;
            }
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}

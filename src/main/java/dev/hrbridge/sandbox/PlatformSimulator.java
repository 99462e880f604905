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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox stand-in for the Feishu OpenAPI and the Alibaba Cloud IoT gateway, on a loopback port of the
 * same process. It checks what the real services check and answers with their documented error codes, so a
 * flow that works against it has met the real contract, not a yes-machine.
 */
public final class PlatformSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformSimulator.class);
    static final ObjectMapper JSON = new ObjectMapper();

    static final String FAULTS_PATH = "/sandbox/faults";

    private final HttpServer server;
    private final ExecutorService executor;
    private final ScheduledExecutorService delayed;
    private final FeishuSandbox feishu;
    private final SandboxFaults faults = new SandboxFaults();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

    private PlatformSimulator(HttpServer server, ExecutorService executor, FeishuSandbox feishu) {
        this.server = server;
        this.executor = executor;
        this.feishu = feishu;
        this.delayed = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hrb-sandbox-delay");
            thread.setDaemon(true);
            return thread;
        });
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
            PlatformSimulator simulator = new PlatformSimulator(server, executor, feishu);
            simulator.serve("/open-apis/", feishu::handle);
            simulator.serve("/", request -> Reply.json(404, Map.of("code", 404, "msg", "404 page not found")));
            server.createContext(FAULTS_PATH, exchange -> simulator.answer(exchange, simulator.read(exchange),
                    simulator::administerFaults));
            server.start();
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

    /** The simulated platform serving {@code pathPrefix}, to look at what it holds. */
    public <T extends Handler> T served(String pathPrefix, Class<T> type) {
        return type.cast(handlers.get(pathPrefix));
    }

    /**
     * Plays {@code fault} on the calls it names, so retries, rate limits and timeouts can be watched in the sandbox.
     * Over HTTP: {@code POST /sandbox/faults} with the fault as JSON, {@code GET} lists them, {@code DELETE} clears.
     */
    public void injectFault(SandboxFault fault) {
        faults.add(fault);
        LOG.info("Sandbox simulator will play a fault on {}: {}", fault.pathPrefix(), fault);
    }

    public void clearFaults() {
        faults.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        delayed.shutdownNow();
    }

    private Reply administerFaults(Request request) {
        switch (request.method()) {
            case "POST":
                SandboxFault fault;
                try {
                    fault = JSON.readValue(request.body(), SandboxFault.class);
                } catch (IOException | IllegalArgumentException e) {
                    return Reply.json(400, Map.of("error", "invalid_fault", "message", String.valueOf(e.getMessage())));
                }
                injectFault(fault);
                return Reply.json(201, fault);
            case "GET":
                return Reply.json(200, Map.of("items", faults.describe()));
            case "DELETE":
                clearFaults();
                return new Reply(204, Map.of(), new byte[0]);
            default:
                return Reply.json(405, Map.of("error", "method_not_allowed", "message", "POST, GET or DELETE"));
        }
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

        /** The answer to {@code request} that {@code fault} plays, in this platform's shape (Feishu's by default). */
        default Reply faultReply(SandboxFault fault, Request request) {
            return fault.reply();
        }
    }

    /** Serves every path under {@code pathPrefix} (e.g. {@code /user/} for the IoT gateway) with {@code handler}. */
    public void serve(String pathPrefix, Handler handler) {
        handlers.put(pathPrefix, handler);
        server.createContext(pathPrefix, exchange -> {
            Request request = read(exchange);
            SandboxFault fault = faults.take(request.path());
            if (fault == null) {
                answer(exchange, request, handler);
                return;
            }
            Handler faulty = fault.dropConnection() ? r -> null : fault.status() == 0 ? handler : r -> handler.faultReply(fault, r);
            if (fault.delayMs() == 0) {
                answer(exchange, request, faulty);
                return;
            }
            // a slow upstream without holding one of the simulator's threads for the delay
            delayed.schedule(() -> {
                try {
                    answer(exchange, request, faulty);
                } catch (IOException e) {
                    LOG.debug("Delayed sandbox answer not delivered: {}", e.toString());
                }
            }, fault.delayMs(), TimeUnit.MILLISECONDS);
        });
    }

    private Request read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), in.readAllBytes());
        }
    }

    private void answer(HttpExchange exchange, Request request, Handler handler) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = handler.handle(request);
            } catch (Exception e) {
                LOG.warn("Sandbox simulator failed on {} {}", request.method(), request.path(), e);
                reply = Reply.json(500, Map.of("code", 500, "msg", "internal error"));
            }
            if (reply == null) {
                // a simulated hung connection or reset: close without an answer
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

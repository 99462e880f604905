package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The loopback HTTP server of the sandbox: the simulated Feishu OpenAPI under {@code /open-apis/}, the endpoint of
 * Feishu's long connection under {@code /callback/} (its WebSocket server: {@link LongConnectionSandbox}), whatever
 * else is served on it (the IoT gateway), and the fault injection under {@code /sandbox/}. Each simulated platform checks
 * what the real one checks and answers with its documented codes, so a flow that works against it has met the
 * documented contract, not a yes-machine.
 */
public final class PlatformSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformSimulator.class);
    /** A body is one JSON value with nothing after it, as Feishu reads it. */
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static {
        // the JDK's server sends an answer's head and body in two writes; with Nagle's algorithm on, the body waits
        // for the client's delayed ACK, about 40 ms on every call. Read once, when the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Far above any request of the simulated APIs; a bigger body is refused before it fills the heap. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    static final String FAULTS_PATH = "/sandbox/faults";
    static final String TENANT_TOKENS_PATH = "/sandbox/tenant-tokens";

    private final HttpServer server;
    private final ExecutorService executor;
    private final ScheduledExecutorService delayed;
    private final FeishuSandbox feishu;
    private final LongConnectionSandbox longConnection;
    private final SandboxFaults faults = new SandboxFaults();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

    private PlatformSimulator(HttpServer server, ExecutorService executor, String appId, String appSecret, Clock clock) {
        this.server = server;
        this.executor = executor;
        this.feishu = new FeishuSandbox(baseUrl(), appId, appSecret, clock);
        this.longConnection = new LongConnectionSandbox(appId, appSecret);
        this.delayed = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hrb-sandbox-delay");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A simulator whose Feishu knows one app, {@code appId} with {@code appSecret}. */
    public static PlatformSimulator start(String appId, String appSecret) {
        return start(appId, appSecret, Clock.systemUTC());
    }

    /** As {@link #start(String, String)}, with Feishu's time (token lifetimes, frequency windows) from {@code clock}. */
    static PlatformSimulator start(String appId, String appSecret, Clock clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            // a thread per call in progress: a client that sends its body slowly, or never, holds only its own
            ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "hrb-sandbox");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            PlatformSimulator simulator = new PlatformSimulator(server, executor, appId, appSecret, clock);
            simulator.serve("/open-apis/", simulator.feishu::handle);
            simulator.serve("/callback/", simulator.longConnection::handleEndpoint);
            simulator.serve("/", request -> FeishuSandbox.pageNotFound());
            simulator.administer(FAULTS_PATH, simulator::administerFaults);
            simulator.administer(TENANT_TOKENS_PATH, simulator::administerTenantTokens);
            simulator.administer(LongConnectionSandbox.ADMIN_PATH, simulator.longConnection::administer);
            simulator.administer(StoreAppSandbox.ADMIN_PATH, simulator.feishu.storeApp()::administer);
            server.start();
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

    /** Feishu's store app: its tenants, tokens and the events it pushes to HR Bridge's webhook. */
    public StoreAppSandbox storeApp() {
        return feishu.storeApp();
    }

    /** Feishu's long connection: the endpoint {@code POST /callback/ws/endpoint} and the WebSocket it hands out. */
    public LongConnectionSandbox longConnection() {
        return longConnection;
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
        longConnection.close();
        feishu.storeApp().close();
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
                return Reply.empty(204);
            default:
                return Reply.json(405, Map.of("error", "method_not_allowed", "message", "POST, GET or DELETE"));
        }
    }

    /** {@code DELETE /sandbox/tenant-tokens}: Feishu forgets every tenant token it issued (the next call is 99991663). */
    private Reply administerTenantTokens(Request request) {
        if (!request.method().equals("DELETE")) {
            return Reply.json(405, Map.of("error", "method_not_allowed", "message", "DELETE"));
        }
        feishu.revokeAllTokens();
        LOG.info("Sandbox simulator revoked every tenant token it issued");
        return Reply.empty(204);
    }

    /** One inbound call to the simulator: method, path, query, headers and the body as read. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

        /** Every value of the header {@code name}, in any letter case. */
        public List<String> headers(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).toList();
        }

        public String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }

        /** The body as a JSON object, or null when it is not exactly one JSON object. */
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
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    /** What the simulator answers. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public static Reply json(int status, Object body) {
            return json(status, Map.of(), body);
        }

        public static Reply json(int status, Map<String, String> headers, Object body) {
            try {
                Map<String, String> all = new java.util.LinkedHashMap<>(headers);
                all.put("Content-Type", "application/json; charset=utf-8");
                return new Reply(status, all, JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply empty(int status) {
            return new Reply(status, Map.of(), new byte[0]);
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
            if (request == null) {
                return;
            }
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

    /** The simulator's own controls: never faulted, never behind a platform's checks. */
    private void administer(String path, Handler handler) {
        server.createContext(path, exchange -> {
            Request request = read(exchange);
            if (request != null) {
                answer(exchange, request, handler);
            }
        });
    }

    /** The call as read, or null when its body was over {@link #MAX_BODY_BYTES} and a 413 has been answered. */
    private Request read(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
        if (body.length <= MAX_BODY_BYTES) {
            return request;
        }
        answer(exchange, request, r -> new Reply(413, Map.of("Content-Type", "text/plain; charset=utf-8"),
                "request body too large".getBytes(StandardCharsets.UTF_8)));
        return null;
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

package dev.hrbridge.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.HrBridge;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.ops.ExternalRoutes;
import dev.hrbridge.routes.RouteProblem;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code try --event FILE.json [--routes DIR] [--json] [--timeout SECONDS]} and
 * {@code try --request METHOD PATH [--body FILE] ...}: runs one Feishu event (delivered as the webhook would) or one API
 * request through the real routes in a throw-away sandbox: an in-memory database, the built-in simulator of Feishu and
 * the IoT gateway, ports on loopback only, no call leaving the machine. Waits until every inbox message is final (or
 * the timeout), then prints the steps each exchange went through, every outbound call, and the final states.
 */
final class TryCommand {

    static final String USAGE = """
            usage: hr-bridge try --event FILE.json [--routes DIR] [--json] [--timeout SECONDS]
                   hr-bridge try --request METHOD PATH [--body FILE.json] [--routes DIR] [--json] [--timeout SECONDS]
              --event    a Feishu v2 event in plain JSON, delivered to POST /webhooks/feishu/events
              --request  an API call, e.g. --request POST /api/v1/offboardings/revoke --body revoke.json
              --routes   a directory of route files loaded over the packaged ones (as HRB_ROUTES_DIR)
              --timeout  how long to wait for the inbox to settle (default 30 s)""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TryCommand() {
    }

    /** What the command line asked for. */
    record Request(String method, String path, String body, Path routes, boolean json, Duration timeout) {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Request request;
        try {
            request = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("try: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            return execute(request, out, err);
        } catch (Exception e) {
            err.println("try: HR Bridge could not run the sandbox: " + e.getMessage());
            return 2;
        }
    }

    static Request parse(List<String> args) {
        String method = null;
        String path = null;
        String body = null;
        Path routes = null;
        boolean json = false;
        Duration timeout = Duration.ofSeconds(30);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--event" -> {
                    method = "POST";
                    path = "/webhooks/feishu/events";
                    body = readJson(value(args, ++i, arg), "--event");
                }
                case "--request" -> {
                    method = value(args, ++i, arg).toUpperCase(Locale.ROOT);
                    path = value(args, ++i, arg);
                    if (!path.startsWith("/")) {
                        throw new IllegalArgumentException("--request needs a path starting with /, not '" + path + "'");
                    }
                }
                case "--body" -> body = readJson(value(args, ++i, arg), "--body");
                case "--routes" -> {
                    routes = Path.of(value(args, ++i, arg));
                    if (!Files.isDirectory(routes)) {
                        throw new IllegalArgumentException("--routes " + routes + " is not a directory");
                    }
                }
                case "--json" -> json = true;
                case "--timeout" -> {
                    try {
                        long seconds = Long.parseLong(value(args, ++i, arg));
                        if (seconds < 1 || seconds > 3600) {
                            throw new NumberFormatException();
                        }
                        timeout = Duration.ofSeconds(seconds);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--timeout takes whole seconds from 1 to 3600");
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (method == null) {
            throw new IllegalArgumentException("give --event FILE or --request METHOD PATH");
        }
        return new Request(method, path, body, routes, json, timeout);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }

    /** The file's text, once it is known to be one JSON object (what the webhook and the API take). */
    private static String readJson(String file, String option) {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(option + " " + file + " is not a JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(option + " " + file + " is not JSON: " + e.getOriginalMessage());
        }
        return text;
    }

    private static int execute(Request request, PrintStream out, PrintStream err) throws Exception {
        String mark = UUID.randomUUID().toString();
        int port = freeLoopbackPort();
        long begin = System.nanoTime();
        try (HrBridge bridge = HrBridge.start(sandboxSettings(request, mark, port), List.of(new TrySandbox(mark)))) {
            TryReport report = new TryReport(request.method(), request.path());
            List<RouteProblem> refused = bridge.externalRoutes().map(ExternalRoutes::refused).orElse(List.of());
            if (!refused.isEmpty()) {
                report.refused(refused);
                report.print(out, request.json());
                return 1;
            }
            // the store app's start-up app_ticket push is the simulator's, not the run's: let it land first
            bridge.appTicketsAsked().join();
            FlowRecorder recorder = bridge.context().getRegistry().lookupByNameAndType(TrySandbox.RECORDER, FlowRecorder.class);
            HttpResponse<String> answer = deliver(request, mark, port, bridge.settings().get("hrb.api.token"));
            report.delivered(answer.statusCode(), answer.body());
            boolean settled = awaitSettled(bridge, request.timeout(), begin);
            InboxRepository inbox = bridge.context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
            DeadLetters deadLetters = bridge.context().getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class);
            List<InboxMessage> messages = new ArrayList<>(inbox.list(null, null, null, 1000));
            messages.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
            report.finished(recorder.runs(), messages, deadLetters.find(null, null, null, 1000), settled, request.timeout());
            report.print(out, request.json());
            return settled && answer.statusCode() < 400 ? 0 : 1;
        }
    }

    /**
     * Sandbox mode whatever the environment says: no Feishu app (so the simulator plays Feishu and IoT), an in-memory
     * database, both ports on loopback, no notification receiver, plain webhook events; message history and source
     * lines for the steps, and the recorder.
     */
    static Map<String, String> sandboxSettings(Request request, String mark, int port) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("hrb.profile", "");
        settings.put("feishu.app-id", "");
        settings.put("feishu.app-secret", "");
        settings.put("feishu.encrypt-key", "");
        settings.put("feishu.verification-token", "");
        settings.put("feishu.event-mode", "webhook");
        settings.put("hrb.db.url", "jdbc:h2:mem:hrb-try-" + mark + ";DB_CLOSE_DELAY=-1");
        settings.put("camel.server.host", "127.0.0.1");
        settings.put("camel.server.port", String.valueOf(port));
        settings.put("hrb.management.host", "127.0.0.1");
        settings.put("hrb.management.port", String.valueOf(freeLoopbackPort()));
        settings.put("camel.main.jmxManagementNamePattern", "#name#-try-" + port);
        settings.put("qr.notify.url", "");
        settings.put("hrb.sandbox.store-app.app-ticket-interval", "");
        settings.put("hrb.routes.dir", request.routes() == null ? "" : request.routes().toAbsolutePath().toString());
        settings.put("hrb.routes.reload", "false");
        settings.put("camel.main.messageHistory", "true");
        settings.put("camel.main.sourceLocationEnabled", "true");
        return settings;
    }

    private static HttpResponse<String> deliver(Request request, String mark, int port, String apiToken) throws Exception {
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + request.path()))
                .timeout(Duration.ofSeconds(30))
                .header(FlowRecorder.MARK, mark)
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        if (request.body() != null) {
            http.header("Content-Type", "application/json; charset=utf-8");
        }
        if (request.path().startsWith("/api/")) {
            http.header("Authorization", "Bearer " + apiToken);
        }
        return HttpClient.newHttpClient().send(http.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** True once no inbox message is PENDING or PROCESSING; false when {@code timeout} (from the start) passed first. */
    private static boolean awaitSettled(HrBridge bridge, Duration timeout, long begin) throws Exception {
        InboxRepository inbox = bridge.context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        long deadline = begin + timeout.toNanos();
        while (true) {
            Map<InboxMessage.State, Long> counts = inbox.countByState();
            if (counts.getOrDefault(InboxMessage.State.PENDING, 0L) == 0
                    && counts.getOrDefault(InboxMessage.State.PROCESSING, 0L) == 0) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

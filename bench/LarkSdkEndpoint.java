import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.core.response.EventResp;
import com.lark.oapi.event.CustomEventHandler;
import com.lark.oapi.event.EventDispatcher;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The peer HR Bridge's acknowledgements are compared with: the official Lark Java SDK's own event endpoint, its
 * EventDispatcher behind the JDK's HTTP server, as the SDK's examples serve it. It checks the signature, decrypts,
 * checks the verification token and dispatches to a handler that does nothing, then answers 200; it stores
 * nothing (HR Bridge commits every event durably before its 200). Run with the SDK on the class path:
 * java -cp SDK_CLASSPATH bench/LarkSdkEndpoint.java PORT ENCRYPT_KEY TOKEN EVENT_TYPE
 * (bench/run.sh takes the class path, the SDK with logback, from Maven's test scope)
 */
public class LarkSdkEndpoint {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        // the JDK server writes headers and body apart; with Nagle's algorithm on, each keep-alive answer then waits for
        // the client's delayed ACK (~40 ms). Off, as a deployment of the SDK's endpoint would run it
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // the SDK's own log lines as a deployment keeps them: INFO (one line per event), not logback's default DEBUG
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        EventDispatcher dispatcher = EventDispatcher.newBuilder(args[2], args[1])
                // the SDK answers 500 to a type it has no handler for (Feishu then redelivers); the bench's type gets one
                .onCustomizedEvent(args[3], new CustomEventHandler() {
                    @Override
                    public void handle(EventReq event) {
                    }
                })
                .build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(2 * Runtime.getRuntime().availableProcessors() + 8));
        server.createContext("/webhook/event", exchange -> answer(exchange, dispatcher));
        server.start();
        System.out.println("READY http://127.0.0.1:" + port + "/webhook/event");
    }

    private static void answer(HttpExchange exchange, EventDispatcher dispatcher) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            EventReq request = new EventReq();
            request.setHttpPath(exchange.getRequestURI().getPath());
            // the JDK server spells header names its own way (X-lark-signature); the SDK looks them up as Feishu sends them
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(exchange.getRequestHeaders());
            request.setHeaders(headers);
            request.setBody(in.readAllBytes());
            EventResp response;
            try {
                response = dispatcher.handle(request);
            } catch (Throwable e) {
                response = new EventResp();
                response.setStatusCode(500);
                response.setBody(("{\"msg\":\"" + e.getClass().getSimpleName() + "\"}").getBytes());
            }
            byte[] body = response.getBody() == null ? new byte[0] : response.getBody();
            if (response.getHeaders() != null) {
                for (Map.Entry<String, List<String>> header : response.getHeaders().entrySet()) {
                    exchange.getResponseHeaders().put(header.getKey(), header.getValue());
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.getStatusCode() == 0 ? 200 : response.getStatusCode(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

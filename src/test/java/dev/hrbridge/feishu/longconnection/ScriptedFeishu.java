package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.google.protobuf.InvalidProtocolBufferException;
import com.lark.oapi.ws.pb.Pbbp2;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feishu's side of the long connection, scripted by a test: the endpoint ({@code POST /callback/ws/endpoint}) and
 * the WebSocket it hands out. Every frame is written and read with the official SDK's generated
 * {@code Pbbp2.Frame}, so whatever our client sends is checked against Feishu's own parser.
 */
final class ScriptedFeishu implements AutoCloseable {

    static final String APP_ID = "cli_long_connection_test";
    static final String APP_SECRET = "s3cr3t-app-secret-never-logged";
    static final int SERVICE_ID = 77;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the endpoint answers one request. */
    record EndpointAnswer(String kind, int code, String msg) {
        static EndpointAnswer ok() {
            return new EndpointAnswer("ok", 0, "ok");
        }

        static EndpointAnswer code(int code, String msg) {
            return new EndpointAnswer("code", code, msg);
        }

        static EndpointAnswer hang() {
            return new EndpointAnswer("hang", 0, null);
        }
    }

    /** How the WebSocket upgrade is answered once. */
    record HandshakeAnswer(String kind, int status, Map<String, String> headers) {
        static HandshakeAnswer accept() {
            return new HandshakeAnswer("accept", 101, Map.of());
        }

        static HandshakeAnswer hang() {
            return new HandshakeAnswer("hang", 0, Map.of());
        }

        static HandshakeAnswer refuse(int status, Map<String, String> headers) {
            return new HandshakeAnswer("refuse", status, headers);
        }
    }

    /** One endpoint request: its JSON body, its headers (lower-case names), and the client's TCP port. */
    record EndpointCall(JsonNode body, Map<String, String> headers, int remotePort) { }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final int port;
    private final Queue<EndpointAnswer> endpointAnswers = new ConcurrentLinkedQueue<>();
    private final Queue<HandshakeAnswer> handshakeAnswers = new ConcurrentLinkedQueue<>();
    private final List<EndpointCall> endpointCalls = new CopyOnWriteArrayList<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Integer> handshakePorts = new CopyOnWriteArrayList<>();
    private final Set<String> issuedTickets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reusedTickets = new AtomicInteger();
    private final AtomicInteger ticketCount = new AtomicInteger();
    private final AtomicLong seq = new AtomicLong(1000);
    private volatile boolean answerPongs = true;
    private volatile String clientConfig = clientConfig(0, 0, 120);
    private volatile String pongConfig;

    ScriptedFeishu() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setMaxWebSocketMessageSize(64 * 1024 * 1024).setMaxWebSocketFrameSize(1024 * 1024));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    static String clientConfig(int reconnectInterval, int reconnectNonce, int pingInterval) {
        return "{\"ReconnectCount\":-1,\"ReconnectInterval\":" + reconnectInterval + ",\"ReconnectNonce\":" + reconnectNonce
                + ",\"PingInterval\":" + pingInterval + "}";
    }

    LongConnectionApp app() {
        return new LongConnectionApp(APP_ID, APP_SECRET, URI.create("http://127.0.0.1:" + port));
    }

    int port() {
        return port;
    }

    /** The next endpoint requests are answered so, in order; then normally. */
    void endpointAnswers(EndpointAnswer... answers) {
        endpointAnswers.addAll(List.of(answers));
    }

    /** The next handshakes are answered so, in order; then accepted. */
    void handshakeAnswers(HandshakeAnswer... answers) {
        handshakeAnswers.addAll(List.of(answers));
    }

    void answerPongs(boolean answer) {
        answerPongs = answer;
    }

    /** The ClientConfig JSON sent with every endpoint answer and pong. */
    void clientConfig(String json) {
        clientConfig = json;
    }

    /** The ClientConfig JSON sent with pongs from now on, instead of {@link #clientConfig(String)}'s. */
    void pongConfig(String json) {
        pongConfig = json;
    }

    List<EndpointCall> endpointCalls() {
        return List.copyOf(endpointCalls);
    }

    /** Upgrade requests seen (accepted, refused or left hanging). */
    int handshakes() {
        return handshakePorts.size();
    }

    /** The client's TCP port of each upgrade request. */
    List<Integer> handshakePorts() {
        return List.copyOf(handshakePorts);
    }

    int reusedTickets() {
        return reusedTickets.get();
    }

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    Connection latest() {
        return connections.get(connections.size() - 1);
    }

    private void handle(HttpServerRequest request) {
        if (request.path().equals(EndpointRequest.PATH)) {
            request.body().onSuccess(body -> endpoint(request, body));
        } else if (request.path().equals("/ws")) {
            upgrade(request);
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private void endpoint(HttpServerRequest request, Buffer body) {
        Map<String, String> headers = new ConcurrentHashMap<>();
        request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
        try {
            endpointCalls.add(new EndpointCall(JSON.readTree(body.getBytes()), headers, request.remoteAddress().port()));
        } catch (IOException e) {
            endpointCalls.add(new EndpointCall(null, headers, request.remoteAddress().port()));
        }
        EndpointAnswer answer = endpointAnswers.poll();
        answer = answer == null ? EndpointAnswer.ok() : answer;
        switch (answer.kind()) {
            case "hang" -> { }
            case "code" -> request.response().putHeader("Content-Type", "application/json")
                    .end("{\"code\":" + answer.code() + ",\"msg\":\"" + answer.msg() + "\",\"data\":{}}");
            default -> {
                int ticket = ticketCount.incrementAndGet();
                issuedTickets.add("tkt-" + ticket);
                String url = "ws://127.0.0.1:" + port + "/ws?device_id=dev-" + ticket + "&service_id=" + SERVICE_ID
                        + "&ticket=tkt-" + ticket + "&access_key=ak-" + ticket;
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"code\":0,\"msg\":\"ok\",\"data\":{\"URL\":\"" + url + "\",\"ClientConfig\":" + clientConfig + "}}");
            }
        }
    }

    private void upgrade(HttpServerRequest request) {
        handshakePorts.add(request.remoteAddress().port());
        String query = request.query() == null ? "" : request.query();
        String ticket = parameter(query, "ticket");
        if (ticket == null || !issuedTickets.remove(ticket)) {
            reusedTickets.incrementAndGet();
        }
        HandshakeAnswer answer = handshakeAnswers.poll();
        answer = answer == null ? HandshakeAnswer.accept() : answer;
        switch (answer.kind()) {
            case "hang" -> { }
            case "refuse" -> {
                request.response().setStatusCode(answer.status());
                answer.headers().forEach(request.response()::putHeader);
                request.response().end();
            }
            default -> {
                request.toWebSocket().onSuccess(socket -> connections.add(new Connection(socket, parameter(query, "device_id"))));
            }
        }
    }

    private static String parameter(String query, String name) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    static Pbbp2.Header header(String key, String value) {
        return Pbbp2.Header.newBuilder().setKey(key).setValue(value).build();
    }

    /** A data frame as Feishu writes it: {@code type}, {@code message_id}, {@code sum}, {@code seq}, ... */
    Pbbp2.Frame dataFrame(String type, String messageId, int sum, int part, byte[] payload) {
        long id = seq.incrementAndGet();
        return Pbbp2.Frame.newBuilder().setSeqID(id).setLogID(id * 7).setService(SERVICE_ID).setMethod(1)
                .addHeaders(header("type", type))
                .addHeaders(header("message_id", messageId))
                .addHeaders(header("sum", Integer.toString(sum)))
                .addHeaders(header("seq", Integer.toString(part)))
                .addHeaders(header("trace_id", "trace-" + messageId))
                .addHeaders(header("timestamp", Long.toString(System.currentTimeMillis())))
                .setPayload(ByteString.copyFrom(payload))
                .build();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One accepted WebSocket: what the client sent on it, and the means to talk to it. */
    final class Connection {

        final String deviceId;
        private final ServerWebSocket socket;
        // guarded by this: appended on Vert.x's thread, read by the test
        private final List<Pbbp2.Frame> pings = new ArrayList<>();
        private final List<Long> pingNanos = new ArrayList<>();
        private final List<Pbbp2.Frame> acks = new ArrayList<>();
        private final List<Long> ackNanos = new ArrayList<>();
        private final AtomicInteger unparseable = new AtomicInteger();
        private volatile Short closeStatus;
        private volatile boolean closed;
        private volatile long closedNanos;

        Connection(ServerWebSocket socket, String deviceId) {
            this.socket = socket;
            this.deviceId = deviceId;
            socket.binaryMessageHandler(this::received);
            socket.closeHandler(ignored -> {
                closeStatus = socket.closeStatusCode();
                closedNanos = System.nanoTime();
                closed = true;
            });
        }

        private void received(Buffer message) {
            Pbbp2.Frame frame;
            try {
                frame = Pbbp2.Frame.parseFrom(message.getBytes());
            } catch (InvalidProtocolBufferException e) {
                unparseable.incrementAndGet();
                return;
            }
            if (frame.getMethod() == 0 && "ping".equals(value(frame, "type"))) {
                synchronized (this) {
                    pings.add(frame);
                    pingNanos.add(System.nanoTime());
                }
                if (answerPongs) {
                    send(Pbbp2.Frame.newBuilder().setSeqID(0).setLogID(0).setService(frame.getService()).setMethod(0)
                            .addHeaders(header("type", "pong"))
                            .setPayload(ByteString.copyFromUtf8(pongConfig != null ? pongConfig : clientConfig)).build());
                }
            } else {
                synchronized (this) {
                    acks.add(frame);
                    ackNanos.add(System.nanoTime());
                }
            }
        }

        void send(Pbbp2.Frame frame) {
            sendBytes(frame.toByteArray());
        }

        void sendBytes(byte[] bytes) {
            socket.writeBinaryMessage(Buffer.buffer(bytes));
        }

        void sendText(String text) {
            socket.writeTextMessage(text);
        }

        /** Sends one whole event; returns its frame. */
        Pbbp2.Frame sendEvent(String messageId, String payload) {
            Pbbp2.Frame frame = dataFrame("event", messageId, 1, 0, payload.getBytes(StandardCharsets.UTF_8));
            send(frame);
            return frame;
        }

        void close(int status, String reason) {
            socket.close((short) status, reason);
        }

        synchronized List<Pbbp2.Frame> pings() {
            return List.copyOf(pings);
        }

        synchronized List<Long> pingNanos() {
            return List.copyOf(pingNanos);
        }

        synchronized List<Pbbp2.Frame> acks() {
            return List.copyOf(acks);
        }

        synchronized List<Long> ackNanos() {
            return List.copyOf(ackNanos);
        }

        /** The acknowledgement of {@code messageId}, or null. */
        synchronized Pbbp2.Frame ackOf(String messageId) {
            return acks.stream().filter(ack -> messageId.equals(value(ack, "message_id"))).findFirst().orElse(null);
        }

        int unparseable() {
            return unparseable.get();
        }

        boolean closed() {
            return closed;
        }

        Short closeStatus() {
            return closeStatus;
        }

        long closedNanos() {
            return closedNanos;
        }
    }

    static String value(Pbbp2.Frame frame, String key) {
        return frame.getHeadersList().stream().filter(header -> header.getKey().equals(key))
                .map(Pbbp2.Header::getValue).findFirst().orElse(null);
    }

    static JsonNode ackPayload(Pbbp2.Frame ack) throws IOException {
        return JSON.readTree(ack.getPayload().toByteArray());
    }
}

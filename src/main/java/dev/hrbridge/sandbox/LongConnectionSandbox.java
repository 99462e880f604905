package dev.hrbridge.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hrbridge.sandbox.LongConnectionFrame.Header;
import dev.hrbridge.sandbox.LongConnectionServer.Accept;
import dev.hrbridge.sandbox.LongConnectionServer.Handshake;
import dev.hrbridge.sandbox.LongConnectionServer.Hang;
import dev.hrbridge.sandbox.LongConnectionServer.Refuse;
import dev.hrbridge.sandbox.LongConnectionServer.Socket;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Feishu's long connection (长连接), the way Feishu delivers events to an app that opens a WebSocket to it instead of
 * serving a webhook, as Feishu's own SDKs speak it (larksuite oapi-sdk-java {@code ws/}, oapi-sdk-go {@code ws/}):
 * <ol>
 *   <li>{@code POST /callback/ws/endpoint} {@code {"AppID","AppSecret"}} answers
 *       {@code {"code":0,"msg":"ok","data":{"URL":"ws://…/ws/v2?device_id=…&service_id=…&ticket=…","ClientConfig":{…}}}}.
 *       An unknown AppID or a body without both strings is {@code 10003 invalid param}, a wrong AppSecret
 *       {@code 10014 app secret invalid} (the codes of Feishu's token endpoint for the same mistakes; both are
 *       client errors to the SDKs, which stop). The answer never carries the secret.</li>
 *   <li>The WebSocket handshake on that URL presents the ticket, good for one handshake whatever its outcome. An
 *       unknown or used ticket, or one presented with another device_id or service_id, is refused with
 *       {@code Handshake-Status: 514} ({@code Handshake-Msg: invalid ticket}) and no auth code: the SDKs take it as
 *       the server's trouble and start again from the endpoint. The app may hold {@link #maxConnections} connections
 *       (Feishu: 50); one more is refused with 514 and {@code Handshake-Autherrcode: 1000040350}.</li>
 *   <li>Every binary message is a {@link LongConnectionFrame}. A ping (control frame, header {@code type=ping}) is
 *       answered with a pong carrying the current {@link ClientConfig} as JSON.</li>
 *   <li>An event goes to one open connection (round robin over the open connections, in the order they opened) as
 *       data frames with the headers {@code type} ({@code event} or {@code card}), {@code message_id}, {@code sum},
 *       {@code seq}, {@code trace_id} and {@code timestamp} (ms), the payload split into {@code sum} parts when asked
 *       or when it is over {@link #framePayloadBytes}. The client acknowledges by sending the frame back with a
 *       {@code biz_rt} header and the payload {@code {"code":200,…}}. No acknowledgement within
 *       {@link #ackTimeout} (Feishu: 3 s), or one with another code, starts a new delivery attempt, possibly on
 *       another connection, until {@link #maxAttempts} attempts have been made. Each attempt is a new push with a
 *       <b>new {@code message_id}</b> (and trace id); the payload, and so {@code header.event_id}, never changes.
 *       An acknowledgement after its attempt timed out is recorded as {@code late} and changes nothing.</li>
 * </ol>
 * While no connection is open (or the connection is told to be silent) a pushed event waits, queued, and goes out
 * when one opens; waiting uses up no attempt. Everything is recorded for tests and for
 * {@code GET /sandbox/long-connection}: connections (pings, pongs), events and each delivery with its
 * acknowledgement (connection, code, {@code biz_rt}, latency). Misbehaviour on demand: {@link LongConnectionFault}.
 * The WebSocket server starts with the first endpoint request and stops with the simulator.
 */
public final class LongConnectionSandbox implements AutoCloseable {

    static final String ENDPOINT_PATH = "/callback/ws/endpoint";
    static final String SOCKET_PATH = "/ws/v2";
    static final String ADMIN_PATH = "/sandbox/long-connection";
    static final int INVALID_PARAM = 10003;
    static final int APP_SECRET_INVALID = 10014;
    static final int FEISHU_CONNECTION_LIMIT = 50;
    static final Duration FEISHU_ACK_TIMEOUT = Duration.ofSeconds(3);
    /** Feishu's first delivery and the four redeliveries it makes of a webhook event. */
    static final int DEFAULT_MAX_ATTEMPTS = 5;
    static final int DEFAULT_FRAME_PAYLOAD_BYTES = 1024 * 1024;
    /** Finished (acknowledged or given up) events and closed connections kept for looking at; older ones are forgotten. */
    static final int FINISHED_KEPT = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(LongConnectionSandbox.class);

    /** What Feishu hands the client in the endpoint answer and in every pong; all in seconds. */
    public record ClientConfig(@JsonProperty("ReconnectCount") int reconnectCount,
                               @JsonProperty("ReconnectInterval") int reconnectInterval,
                               @JsonProperty("ReconnectNonce") int reconnectNonce,
                               @JsonProperty("PingInterval") int pingInterval) {
        /** Reconnect forever, every 120 s after a first random wait of up to 30 s; ping every 120 s. */
        public static final ClientConfig FEISHU_DEFAULTS = new ClientConfig(-1, 120, 30, 120);

        public ClientConfig {
            if (reconnectCount < -1 || reconnectInterval < 0 || reconnectNonce < 0 || pingInterval < 1) {
                throw new IllegalArgumentException("ReconnectCount -1 (forever) or more, ReconnectInterval and ReconnectNonce"
                        + " 0 or more, PingInterval 1 or more");
            }
        }
    }

    /** What a push did: the first attempt's message id and connection, or state {@code queued} with neither. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pushed(String eventId, String state, String messageId, String connection, int parts) {
    }

    /** One delivery attempt of an event and what came back; outcome {@code pending}, {@code acked},
     * {@code refused} (a code other than 200), {@code unacknowledged} (nothing within the ack timeout) or {@code late}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Delivery(String eventId, int attempt, String messageId, String connection, int parts,
                           @JsonSerialize(using = ToStringSerializer.class) Instant sentAt,
                           String outcome, Integer code, Long bizRt, Long latencyMs) {
    }

    /** A pushed event; state {@code queued}, {@code pending}, {@code acked} or {@code failed} (attempts used up). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PushedEvent(String eventId, String type, String state, int attempts, List<Delivery> deliveries) {
    }

    /** A connection the app opened; state {@code open} or {@code closed}, closed by {@code client} or {@code dropped}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Connection(String id, int serviceId, String state,
                             @JsonSerialize(using = ToStringSerializer.class) Instant openedAt,
                             @JsonSerialize(using = ToStringSerializer.class) Instant closedAt, String closedBy,
                             int pings, int pongs, int deliveries, int acks) {
    }

    private record Ticket(String deviceId, int serviceId) {
    }

    private final String appId;
    private final String appSecret;
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "hrb-sandbox-long-connection");
        thread.setDaemon(true);
        return thread;
    });
    private final Object serverLock = new Object();
    private LongConnectionServer server;
    private boolean closed;

    private volatile ClientConfig clientConfig = ClientConfig.FEISHU_DEFAULTS;
    private final List<Consumer<Delivery>> ackListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Duration ackTimeout = FEISHU_ACK_TIMEOUT;
    private volatile int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private volatile int maxConnections = FEISHU_CONNECTION_LIMIT;
    private volatile int framePayloadBytes = DEFAULT_FRAME_PAYLOAD_BYTES;

    // guarded by this
    private final Map<String, Ticket> tickets = new LinkedHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, Attempt> attempts = new LinkedHashMap<>();
    private LongConnectionFault fault = LongConnectionFault.none();
    private int faultRemaining;
    private long roundRobin;

    LongConnectionSandbox(String appId, String appSecret) {
        this.appId = appId;
        this.appSecret = appSecret;
    }

    // ---- settings ----

    public ClientConfig clientConfig() {
        return clientConfig;
    }

    /** The ClientConfig handed out from now on (endpoint answers and pongs); e.g. a 1 s PingInterval for tests. */
    public LongConnectionSandbox clientConfig(ClientConfig config) {
        this.clientConfig = config;
        return this;
    }

    /** How long an attempt waits for its acknowledgement (Feishu: 3 s). */
    public LongConnectionSandbox ackTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the ack timeout must be positive");
        }
        this.ackTimeout = timeout;
        return this;
    }

    /** Delivery attempts of one event before it is given up as {@code failed} (default 5). */
    public LongConnectionSandbox maxAttempts(int attempts) {
        this.maxAttempts = atLeastOne(attempts, "attempt");
        return this;
    }

    /** Connections the app may hold at once (Feishu: 50). */
    public LongConnectionSandbox maxConnections(int connections) {
        this.maxConnections = atLeastOne(connections, "connection");
        return this;
    }

    /** Payload bytes in one data frame; a larger event is split into as many parts as it takes (default 1 MiB). */
    public LongConnectionSandbox framePayloadBytes(int bytes) {
        this.framePayloadBytes = atLeastOne(bytes, "byte a frame");
        return this;
    }

    private static int atLeastOne(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException("at least one " + what);
        }
        return value;
    }

    // ---- pushing events ----

    /** Pushes {@code eventJson} (a webhook body in plaintext) as one event, split only when over the frame size. */
    public Pushed push(String eventJson) {
        return push(eventJson.getBytes(StandardCharsets.UTF_8), 0, "event");
    }

    /** Pushes {@code eventJson} split into {@code parts} data frames. */
    public Pushed push(String eventJson, int parts) {
        return push(eventJson.getBytes(StandardCharsets.UTF_8), parts, "event");
    }

    /**
     * Pushes {@code payload}, a JSON object, as a message of {@code type} ({@code event} or {@code card}) in
     * {@code parts} frames (0: as many as {@link #framePayloadBytes} requires).
     */
    public Pushed push(byte[] payload, int parts, String type) {
        if (!type.equals("event") && !type.equals("card")) {
            throw new IllegalArgumentException("type must be event or card");
        }
        if (parts < 0 || parts > payload.length) {
            throw new IllegalArgumentException("parts must be from 1 to the payload's " + payload.length + " bytes (0: by frame size)");
        }
        JsonNode json;
        try {
            json = PlatformSimulator.JSON.readTree(payload);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("the event must be one JSON object");
        }
        String eventId = json.path("header").path("event_id").asText(json.path("uuid").asText(null));
        synchronized (this) {
            Event event = new Event(eventId, type, payload.clone(), parts);
            events.add(event);
            forgetOldEvents();
            deliver(event);
            Attempt first = event.attempts.isEmpty() ? null : event.attempts.get(0);
            LOG.info("Sandbox long connection: event {} {}", eventId,
                    first == null ? "queued (no open connection or silent)" : "pushed as " + first.messageId + " on " + first.link.id);
            return new Pushed(eventId, event.state, first == null ? null : first.messageId,
                    first == null ? null : first.link.id, first == null ? 0 : first.parts);
        }
    }

    // ---- faults ----

    /** Plays {@code fault} from now on (a {@code drop} only drops what is open now); see {@link LongConnectionFault}. */
    public void fault(LongConnectionFault fault) {
        LOG.info("Sandbox long connection fault: {}", fault);
        if (fault.mode().equals(LongConnectionFault.DROP)) {
            dropConnections();
            return;
        }
        synchronized (this) {
            this.fault = fault;
            this.faultRemaining = fault.count();
        }
        if (!fault.mode().equals(LongConnectionFault.HANG_HANDSHAKE)) {
            releaseHungHandshakes();
        }
        synchronized (this) {
            deliverQueued();
        }
    }

    public synchronized LongConnectionFault fault() {
        return fault;
    }

    /** Closes every open connection without a close frame, as a network failure would. */
    public synchronized void dropConnections() {
        for (Link link : links.values()) {
            if (link.isOpen()) {
                link.closedBy = "dropped";
                link.socket.drop();
            }
        }
    }

    // ---- looking at what happened ----

    public synchronized List<Connection> connections() {
        return links.values().stream().map(Link::view).toList();
    }

    public synchronized int openConnections() {
        return (int) links.values().stream().filter(Link::isOpen).count();
    }

    public synchronized List<PushedEvent> events() {
        return events.stream().map(Event::view).toList();
    }

    /** The latest push of the event with {@code eventId} ({@code header.event_id}, or {@code uuid} of a v1 event), or null. */
    public synchronized PushedEvent event(String eventId) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (eventId.equals(events.get(i).eventId)) {
                return events.get(i).view();
            }
        }
        return null;
    }

    /**
     * Calls {@code listener} with each delivery acknowledged with 200, on the connection's thread (keep it short): how a
     * load generator keeps a window of events in flight and times them without reading the records.
     */
    public LongConnectionSandbox onAcknowledged(Consumer<Delivery> listener) {
        ackListeners.add(listener);
        return this;
    }

    /** Every delivery attempt, in the order they were made. */
    public synchronized List<Delivery> deliveries() {
        return attempts.values().stream().map(Attempt::view).toList();
    }

    @Override
    public void close() {
        LongConnectionServer running;
        synchronized (serverLock) {
            closed = true;
            running = server;
            server = null;
        }
        timers.shutdownNow();
        if (running != null) {
            running.close();
        }
    }

    // ---- the endpoint: POST /callback/ws/endpoint ----

    Reply handleEndpoint(Request request) {
        if (!request.method().equals("POST") || !request.path().equals(ENDPOINT_PATH)) {
            return FeishuSandbox.pageNotFound();
        }
        LongConnectionFault refusal = takeFault(LongConnectionFault.REFUSE_ENDPOINT);
        if (refusal != null) {
            LOG.info("Sandbox long connection refused an endpoint request with {} (a fault)", refusal.code());
            return endpointAnswer(refusal.code(), refusal.msg(), null);
        }
        JsonNode body = request.json();
        JsonNode id = body == null ? null : body.get("AppID");
        JsonNode secret = body == null ? null : body.get("AppSecret");
        if (id == null || !id.isTextual() || secret == null || !secret.isTextual() || !id.asText().equals(appId)) {
            LOG.info("Sandbox long connection refused an endpoint request: no such app or no credentials");
            return endpointAnswer(INVALID_PARAM, "invalid param", null);
        }
        if (!secret.asText().equals(appSecret)) {
            LOG.info("Sandbox long connection refused an endpoint request for {}: wrong app secret", appId);
            return endpointAnswer(APP_SECRET_INVALID, "app secret invalid", null);
        }
        int port = server().port();
        String deviceId = String.valueOf(1 + random.nextLong(Long.MAX_VALUE - 1));
        int serviceId = 1 + random.nextInt(Integer.MAX_VALUE - 1);
        String ticket = HexFormat.of().formatHex(randomBytes(16));
        synchronized (this) {
            tickets.put(ticket, new Ticket(deviceId, serviceId));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("URL", "ws://127.0.0.1:" + port + SOCKET_PATH + "?device_id=" + deviceId + "&service_id=" + serviceId
                + "&ticket=" + ticket);
        data.put("ClientConfig", clientConfig);
        return endpointAnswer(0, "ok", data);
    }

    private static Reply endpointAnswer(int code, String msg, Object data) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", code);
        answer.put("msg", msg);
        if (data != null) {
            answer.put("data", data);
        }
        return Reply.json(200, answer);
    }

    private LongConnectionServer server() {
        synchronized (serverLock) {
            if (closed) {
                throw new IllegalStateException("the simulator is closed");
            }
            if (server == null) {
                server = LongConnectionServer.start(this);
                LOG.info("Sandbox long connection (Feishu's WebSocket event delivery) listening on ws://127.0.0.1:{}{}",
                        server.port(), SOCKET_PATH);
            }
            return server;
        }
    }

    // ---- the WebSocket server's questions ----

    synchronized Handshake admit(String deviceId, String serviceId, String ticket) {
        Ticket issued = ticket == null ? null : tickets.remove(ticket);
        LongConnectionFault hang = takeFault(LongConnectionFault.HANG_HANDSHAKE);
        if (hang != null) {
            LOG.info("Sandbox long connection leaves a handshake unanswered (a fault)");
            return new Hang();
        }
        LongConnectionFault refusal = takeFault(LongConnectionFault.REFUSE_HANDSHAKE);
        if (refusal != null) {
            LOG.info("Sandbox long connection refused a handshake with {} (a fault)", refusal.status());
            return new Refuse(refusal.status(), refusal.msg(), refusal.autherrcode());
        }
        if (issued == null || !issued.deviceId().equals(deviceId) || !String.valueOf(issued.serviceId()).equals(serviceId)) {
            LOG.info("Sandbox long connection refused a handshake: no ticket, or one unknown, used or not issued for this URL");
            return new Refuse(LongConnectionFault.AUTH_FAILED, "invalid ticket", 0);
        }
        long holding = links.values().stream().filter(link -> link.closedAt == null).count();
        if (holding >= maxConnections) {
            LOG.info("Sandbox long connection refused a handshake: the app already holds {} connections", holding);
            return new Refuse(LongConnectionFault.AUTH_FAILED, "exceed connection limit", LongConnectionFault.EXCEED_CONNECTION_LIMIT);
        }
        links.put(deviceId, new Link(deviceId, issued.serviceId()));
        return new Accept(deviceId);
    }

    synchronized void opened(String connectionId, Socket socket) {
        Link link = links.get(connectionId);
        link.socket = socket;
        link.openedAt = Instant.now();
        LOG.info("Sandbox long connection {} open ({} open)", connectionId, openConnections());
        deliverQueued();
    }

    /** The upgrade failed after the handshake was admitted: the reserved place is free again. */
    synchronized void abandoned(String connectionId) {
        links.remove(connectionId);
    }

    synchronized void closed(String connectionId) {
        Link link = links.get(connectionId);
        if (link == null || link.closedAt != null) {
            return;
        }
        link.closedAt = Instant.now();
        if (link.closedBy == null) {
            link.closedBy = "client";
        }
        LOG.info("Sandbox long connection {} closed by {}", connectionId, link.closedBy);
        long closedLinks = links.values().stream().filter(other -> other.closedAt != null).count();
        for (var it = links.values().iterator(); it.hasNext() && closedLinks > FINISHED_KEPT; ) {
            if (it.next().closedAt != null) {
                it.remove();
                closedLinks--;
            }
        }
    }

    synchronized void received(String connectionId, byte[] bytes) {
        Link link = links.get(connectionId);
        LongConnectionFrame frame;
        try {
            frame = LongConnectionFrame.decode(bytes);
        } catch (IOException e) {
            LOG.info("Sandbox long connection {} sent {} bytes that are no pbbp2.Frame: {}", connectionId, bytes.length,
                    e.getMessage());
            return;
        }
        if (frame.method() == LongConnectionFrame.CONTROL && "ping".equals(frame.header("type"))) {
            answerPing(link, frame);
        } else if (frame.method() == LongConnectionFrame.DATA) {
            acknowledged(link, frame);
        } else {
            LOG.info("Sandbox long connection {} sent a frame of method {} type {}; ignored", connectionId, frame.method(),
                    frame.header("type"));
        }
    }

    private void answerPing(Link link, LongConnectionFrame ping) {
        link.pings++;
        if (ping.service() != link.serviceId) {
            LOG.info("Sandbox long connection {} pinged with service {}, not its service_id {}", link.id, ping.service(),
                    link.serviceId);
        }
        if (fault.mode().equals(LongConnectionFault.SILENT)) {
            return;
        }
        byte[] config;
        try {
            config = PlatformSimulator.JSON.writeValueAsBytes(clientConfig);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        link.socket.send(new LongConnectionFrame(ping.seqId(), ping.logId(), link.serviceId, LongConnectionFrame.CONTROL,
                List.of(new Header("type", "pong")), null, null, config, null).encode());
        link.pongs++;
    }

    private void acknowledged(Link link, LongConnectionFrame ack) {
        link.acks++;
        if (fault.mode().equals(LongConnectionFault.LOSE_ACKS)) {
            LOG.info("Sandbox long connection {}: the acknowledgement of {} is lost (fault lose-acks)", link.id, ack.header("message_id"));
            return;
        }
        Attempt attempt = attempts.get(String.valueOf(ack.header("message_id")));
        if (attempt == null) {
            LOG.info("Sandbox long connection {} acknowledged message {}, which was never pushed", link.id, ack.header("message_id"));
            return;
        }
        if (!attempt.outcome.equals("pending") && !attempt.outcome.equals("unacknowledged")) {
            return;
        }
        attempt.code = ackCode(ack.payload());
        attempt.bizRt = parseLong(ack.header("biz_rt"));
        attempt.latencyMs = Duration.between(attempt.sentAt, Instant.now()).toMillis();
        if (attempt.outcome.equals("unacknowledged")) {
            attempt.outcome = "late";
            LOG.info("Sandbox long connection: {} acknowledged {} ms late, after its redelivery", attempt.messageId, attempt.latencyMs);
            return;
        }
        attempt.timeout.cancel(false);
        if (Integer.valueOf(200).equals(attempt.code)) {
            attempt.outcome = "acked";
            attempt.event.state = "acked";
            if (!ackListeners.isEmpty()) {
                Delivery delivery = attempt.view();
                ackListeners.forEach(listener -> listener.accept(delivery));
            }
            LOG.info("Sandbox long connection: event {} acknowledged on {} in {} ms (biz_rt {})", attempt.event.eventId, link.id,
                    attempt.latencyMs, attempt.bizRt);
            return;
        }
        attempt.outcome = "refused";
        LOG.info("Sandbox long connection: event {} answered {} on {}; delivering it again", attempt.event.eventId,
                attempt.code, link.id);
        redeliver(attempt.event);
    }

    private static Integer ackCode(byte[] payload) {
        try {
            JsonNode code = payload == null ? null : PlatformSimulator.JSON.readTree(payload).get("code");
            return code != null && code.canConvertToInt() ? code.intValue() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Long parseLong(String value) {
        try {
            return value == null ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- delivery ----

    private void deliver(Event event) {
        List<Link> open = links.values().stream().filter(Link::isOpen).toList();
        if (open.isEmpty() || fault.mode().equals(LongConnectionFault.SILENT)) {
            event.state = "queued";
            return;
        }
        Link link = open.get((int) Math.floorMod(roundRobin++, open.size()));
        int parts = event.parts > 0 ? event.parts
                : Math.min(event.payload.length, Math.max(1, (event.payload.length + framePayloadBytes - 1) / framePayloadBytes));
        String messageId = "msg_" + HexFormat.of().formatHex(randomBytes(12));
        Attempt attempt = new Attempt(event, event.attempts.size() + 1, messageId, link, parts);
        event.attempts.add(attempt);
        attempts.put(attempt.messageId, attempt);
        event.state = "pending";
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String timestamp = String.valueOf(attempt.sentAt.toEpochMilli());
        for (int seq = 0; seq < parts; seq++) {
            byte[] part = Arrays.copyOfRange(event.payload, (int) ((long) seq * event.payload.length / parts),
                    (int) ((long) (seq + 1) * event.payload.length / parts));
            List<Header> headers = List.of(new Header("type", event.type), new Header("message_id", attempt.messageId),
                    new Header("sum", String.valueOf(parts)), new Header("seq", String.valueOf(seq)),
                    new Header("trace_id", traceId), new Header("timestamp", timestamp));
            link.socket.send(new LongConnectionFrame(++link.lastSeqId, random.nextLong(), link.serviceId, LongConnectionFrame.DATA,
                    headers, null, null, part, FeishuSandbox.logId()).encode());
        }
        link.deliveries++;
        attempt.timeout = timers.schedule(() -> timedOut(attempt), ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void timedOut(Attempt attempt) {
        if (!attempt.outcome.equals("pending")) {
            return;
        }
        attempt.outcome = "unacknowledged";
        LOG.info("Sandbox long connection: event {} not acknowledged within {} ms on {}", attempt.event.eventId,
                ackTimeout.toMillis(), attempt.link.id);
        redeliver(attempt.event);
    }

    private void redeliver(Event event) {
        if (event.attempts.size() >= maxAttempts) {
            event.state = "failed";
            LOG.info("Sandbox long connection: event {} given up after {} attempts", event.eventId, event.attempts.size());
            return;
        }
        deliver(event);
    }

    private void deliverQueued() {
        for (Event event : events) {
            if (event.state.equals("queued")) {
                deliver(event);
            }
        }
    }

    private void forgetOldEvents() {
        long finished = events.stream().filter(Event::isFinished).count();
        for (int i = 0; i < events.size() && finished > FINISHED_KEPT; i++) {
            Event event = events.get(i);
            if (event.isFinished()) {
                events.remove(i--);
                event.attempts.forEach(attempt -> attempts.remove(attempt.messageId));
                finished--;
            }
        }
    }

    // ---- faults ----

    /** The fault in force when it is of {@code mode}, counting this request against its count; else null. */
    private synchronized LongConnectionFault takeFault(String mode) {
        if (!fault.mode().equals(mode)) {
            return null;
        }
        LongConnectionFault taken = fault;
        if (taken.count() > 0 && --faultRemaining <= 0) {
            fault = LongConnectionFault.none();
        }
        return taken;
    }

    private void releaseHungHandshakes() {
        LongConnectionServer running;
        synchronized (serverLock) {
            running = server;
        }
        if (running != null) {
            running.releaseHungHandshakes();
        }
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    // ---- admin over HTTP: /sandbox/long-connection ----

    Reply administer(Request request) {
        String path = request.path().endsWith("/") ? request.path().substring(0, request.path().length() - 1) : request.path();
        try {
            switch (request.method() + " " + path) {
                case "GET " + ADMIN_PATH:
                    return Reply.json(200, overview());
                case "POST " + ADMIN_PATH + "/events":
                    return pushOverHttp(request);
                case "POST " + ADMIN_PATH + "/faults":
                    LongConnectionFault posted = PlatformSimulator.JSON.readValue(request.body(), LongConnectionFault.class);
                    fault(posted);
                    return Reply.json(201, posted);
                case "GET " + ADMIN_PATH + "/faults":
                    return Reply.json(200, fault());
                case "DELETE " + ADMIN_PATH + "/faults":
                    fault(LongConnectionFault.none());
                    return Reply.empty(204);
                case "POST " + ADMIN_PATH + "/settings":
                    settings(request.json());
                    return Reply.json(200, settings());
                case "GET " + ADMIN_PATH + "/settings":
                    return Reply.json(200, settings());
                default:
                    return Reply.json(404, Map.of("error", "not_found", "message",
                            "GET " + ADMIN_PATH + ", POST " + ADMIN_PATH + "/events, GET, POST or DELETE " + ADMIN_PATH
                                    + "/faults, GET or POST " + ADMIN_PATH + "/settings"));
            }
        } catch (IOException | IllegalArgumentException e) {
            return Reply.json(400, Map.of("error", "invalid_request", "message", String.valueOf(e.getMessage())));
        }
    }

    /** The body is the event, or {@code {"event": {...}, "parts": n, "type": "event"|"card"}}. */
    private Reply pushOverHttp(Request request) throws IOException {
        JsonNode body = request.json();
        if (body == null) {
            throw new IllegalArgumentException("the body must be one JSON object: the event, or {\"event\": {...}, \"parts\": n}");
        }
        boolean wrapped = body.has("event") && !body.has("header") && !body.has("schema") && !body.has("uuid");
        if (!wrapped) {
            return Reply.json(202, push(request.body(), 0, "event"));
        }
        JsonNode parts = body.path("parts");
        if (!parts.isMissingNode() && !parts.canConvertToInt()) {
            throw new IllegalArgumentException("parts must be a number");
        }
        return Reply.json(202, push(PlatformSimulator.JSON.writeValueAsBytes(body.get("event")), parts.asInt(0),
                body.path("type").asText("event")));
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("client_config", clientConfig);
        settings.put("ack_timeout_ms", ackTimeout.toMillis());
        settings.put("max_attempts", maxAttempts);
        settings.put("max_connections", maxConnections);
        settings.put("frame_payload_bytes", framePayloadBytes);
        return settings;
    }

    /** Applies the settings present in {@code body}; {@code client_config} may name only the fields it changes. */
    private void settings(JsonNode body) throws IOException {
        if (body == null) {
            throw new IllegalArgumentException("the body must be one JSON object");
        }
        if (body.has("client_config")) {
            if (!body.get("client_config").isObject()) {
                throw new IllegalArgumentException("client_config must be an object with ReconnectCount, ReconnectInterval, "
                        + "ReconnectNonce and/or PingInterval");
            }
            ObjectNode merged = PlatformSimulator.JSON.valueToTree(clientConfig);
            merged.setAll((ObjectNode) body.get("client_config"));
            clientConfig(PlatformSimulator.JSON.treeToValue(merged, ClientConfig.class));
        }
        if (body.has("ack_timeout_ms")) {
            ackTimeout(Duration.ofMillis(body.get("ack_timeout_ms").asLong()));
        }
        if (body.has("max_attempts")) {
            maxAttempts(body.get("max_attempts").asInt());
        }
        if (body.has("max_connections")) {
            maxConnections(body.get("max_connections").asInt());
        }
        if (body.has("frame_payload_bytes")) {
            framePayloadBytes(body.get("frame_payload_bytes").asInt());
        }
    }

    private synchronized Map<String, Object> overview() {
        List<PushedEvent> pushed = events();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("open_connections", openConnections());
        for (String state : List.of("queued", "pending", "acked", "failed")) {
            summary.put(state, pushed.stream().filter(event -> event.state().equals(state)).count());
        }
        summary.put("redelivered", pushed.stream().filter(event -> event.attempts() > 1).count());
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("fault", fault);
        overview.put("settings", settings());
        overview.put("summary", summary);
        overview.put("connections", connections());
        overview.put("events", pushed);
        return overview;
    }

    // ---- state ----

    private static final class Link {
        final String id;
        final int serviceId;
        Socket socket;
        Instant openedAt;
        Instant closedAt;
        String closedBy;
        long lastSeqId;
        int pings;
        int pongs;
        int deliveries;
        int acks;

        Link(String id, int serviceId) {
            this.id = id;
            this.serviceId = serviceId;
        }

        boolean isOpen() {
            return socket != null && closedAt == null;
        }

        Connection view() {
            return new Connection(id, serviceId, closedAt == null ? "open" : "closed", openedAt, closedAt, closedBy,
                    pings, pongs, deliveries, acks);
        }
    }

    private static final class Event {
        final String eventId;
        final String type;
        final byte[] payload;
        final int parts;
        final List<Attempt> attempts = new ArrayList<>();
        String state = "queued";

        Event(String eventId, String type, byte[] payload, int parts) {
            this.eventId = eventId;
            this.type = type;
            this.payload = payload;
            this.parts = parts;
        }

        boolean isFinished() {
            return state.equals("acked") || state.equals("failed");
        }

        PushedEvent view() {
            return new PushedEvent(eventId, type, state, attempts.size(), attempts.stream().map(Attempt::view).toList());
        }
    }

    private static final class Attempt {
        final Event event;
        final int number;
        final String messageId;
        final Link link;
        final int parts;
        final Instant sentAt = Instant.now();
        ScheduledFuture<?> timeout;
        String outcome = "pending";
        Integer code;
        Long bizRt;
        Long latencyMs;

        Attempt(Event event, int number, String messageId, Link link, int parts) {
            this.event = event;
            this.number = number;
            this.messageId = messageId;
            this.link = link;
            this.parts = parts;
        }

        Delivery view() {
            return new Delivery(event.eventId, number, messageId, link.id, parts, sentAt, outcome, code, bizRt, latencyMs);
        }
    }
}

package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.feishu.longconnection.LongConnectionStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One app's long connection to Feishu, kept open for as long as the consumer runs.
 * <ul>
 *   <li>Every attempt asks the endpoint for a fresh URL (its ticket serves one connection), then opens the
 *       WebSocket; each step gives up after the connect timeout.</li>
 *   <li>Pings go out every ping interval; a ping not answered by a pong within the pong timeout means the
 *       connection is dead (a silent peer, a half-open TCP connection): it is dropped and replaced.</li>
 *   <li>A lost connection is replaced after a random wait up to Feishu's {@code ReconnectNonce} (so that many
 *       clients do not come back at once); failed attempts wait {@code ReconnectInterval} plus that spread,
 *       doubling per failure up to {@code reconnectMaxBackoff}. Feishu refusing the app (credentials, connection
 *       limit) stops the attempts: retrying cannot help and would only hammer Feishu.</li>
 *   <li>Event payloads (reassembled when split) go to the {@link EventSink}; each is acknowledged on its
 *       connection when its handling ends. Card callbacks are acknowledged with 200 and otherwise ignored.</li>
 * </ul>
 * Connection attempts, pings and the watchdog run on one scheduler thread; frames arrive on the HTTP client's.
 */
final class LongConnectionClient implements LongConnection.Receiver {

    /** Where complete event payloads go. Called on the reading thread: must hand the work off, not do it. */
    interface EventSink {
        void deliver(EventDelivery delivery);
    }

    static final int CLIENT_ERROR_TOO_MANY_CONNECTIONS = 1_000_040_350;
    static final int HANDSHAKE_AUTH_FAILED = 514;
    static final int HANDSHAKE_FORBIDDEN = 403;
    /** The least wait before retrying a failed attempt, whatever Feishu's configuration says. */
    private static final long LEAST_RETRY_MILLIS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(LongConnectionClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String appName;
    private final LongConnectionOptions options;
    private final EventSink sink;
    private final LongConnectionMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;
    private final EndpointRequest endpointRequest;
    private final SplitPayloads splitPayloads;

    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong eventsReceived = new AtomicLong();
    private final AtomicLong acksSent = new AtomicLong();
    private final AtomicLong unparseableFrames = new AtomicLong();
    private final AtomicLong pongs = new AtomicLong();
    private final Map<Integer, AtomicLong> acksByCode = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();

    private volatile LongConnection current;
    private volatile boolean draining;
    private volatile Instant lastPong;
    private volatile ClientConfig config = ClientConfig.DEFAULT;
    private volatile long lastPingNanos;

    // guarded by this
    private State state = State.STOPPED;
    private boolean stopping;
    private Instant connectedSince;
    private String lastDisconnectReason;
    private ConnectionRefused refusal;
    private int failedAttempts;
    private ScheduledFuture<?> nextAttempt;
    private ScheduledFuture<?> nextPing;
    private CompletableFuture<?> step;

    LongConnectionClient(String appName, LongConnectionApp app, LongConnectionOptions options, EventSink sink,
                         LongConnectionMetrics metrics, ScheduledExecutorService scheduler, ExecutorService httpExecutor) {
        this.appName = appName;
        this.options = options;
        this.sink = sink;
        this.metrics = metrics;
        this.scheduler = scheduler;
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeoutDuration())
                .executor(httpExecutor);
        InetSocketAddress proxy = options.proxyAddress();
        if (proxy != null) {
            http.proxy(ProxySelector.of(proxy));
        }
        this.http = http.build();
        this.endpointRequest = new EndpointRequest(this.http, app, options.connectTimeoutDuration());
        this.splitPayloads = new SplitPayloads(options.getSplitPayloadTimeout(), options.getMaxPayloadBytes(), System::nanoTime);
    }

    /** Starts connecting in the background; returns at once. */
    synchronized void start() {
        state = State.CONNECTING;
        nextAttempt = scheduler.schedule(this::attempt, 0, TimeUnit.MILLISECONDS);
        long sweep = Math.max(100, options.getSplitPayloadTimeout() / 2);
        scheduler.scheduleWithFixedDelay(splitPayloads::expire, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /** Drops the current connection (if any) and connects again at once; also ends a refusal. */
    void reconnect() {
        try {
            scheduler.execute(this::reconnectNow);
        } catch (RejectedExecutionException e) {
            // stopped
        }
    }

    private void reconnectNow() {
        LongConnection connection;
        synchronized (this) {
            if (stopping) {
                return;
            }
            connection = current;
            cancel(nextAttempt);
            nextAttempt = null;
            failedAttempts = 0;
            if (state == State.REFUSED) {
                refusal = null;
                state = State.CONNECTING;
            }
        }
        if (connection == null || !drop(connection, "reconnect asked", "reconnect_requested", 0)) {
            attempt();
        }
    }

    /**
     * Stops taking events (those arriving now are left for Feishu to deliver again), waits up to
     * {@code stopTimeout} for those in flight to be acknowledged, then closes the socket with 1000.
     */
    void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            draining = true;
            state = State.STOPPING;
            cancel(nextAttempt);
            if (step != null) {
                step.cancel(true);
            }
        }
        awaitInFlight(Duration.ofMillis(options.getStopTimeout()));
        LongConnection connection;
        synchronized (this) {
            connection = current;
            current = null;
            cancel(nextPing);
            connectedSince = null;
        }
        if (connection != null) {
            connection.close(1000, "client stopping", Duration.ofMillis(Math.min(options.getConnectTimeout(), 2_000)));
            LOG.info("Feishu long connection for app {} disconnected: conn_id={}, reason: stop", appName, connection.connectionId());
            synchronized (this) {
                lastDisconnectReason = "stopped";
            }
        }
        metrics.close();
        synchronized (this) {
            state = State.STOPPED;
        }
    }

    synchronized LongConnectionStatus status() {
        LongConnection connection = current;
        Map<Integer, Long> byCode = new TreeMap<>();
        acksByCode.forEach((code, count) -> byCode.put(code, count.get()));
        return new LongConnectionStatus(appName, state, connection == null ? null : connection.connectionId(),
                connectedSince, lastPong, lastDisconnectReason, refusal == null ? null : refusal.code(),
                refusal == null ? null : refusal.getMessage(), connects.get(), reconnects.get(), framesReceived.get(),
                eventsReceived.get(), acksSent.get(), byCode, unparseableFrames.get(), inFlight.get());
    }

    // --- connecting

    private void attempt() {
        synchronized (this) {
            nextAttempt = null;
            if (stopping) {
                return;
            }
        }
        LongConnection connection;
        try {
            ConnectionTicket ticket = await(endpointRequest.fetch());
            config = config.with(ticket.clientConfig());
            connection = new LongConnection(ticket, this, options.getMaxFrameBytes());
            connection.attach(await(open(ticket, connection)));
        } catch (ConnectionRefused refused) {
            refused(refused);
            return;
        } catch (CancellationException e) {
            return;
        } catch (Exception e) {
            failed(e);
            return;
        }
        activate(connection);
    }

    private CompletableFuture<WebSocket> open(ConnectionTicket ticket, LongConnection connection) {
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(options.connectTimeoutDuration())
                .buildAsync(ticket.url(), connection);
        CompletableFuture<WebSocket> bounded = opening.copy().orTimeout(options.getConnectTimeout(), TimeUnit.MILLISECONDS);
        // a handshake that completes after we gave up on it (timeout, stop) must not leave its socket open
        opening.thenAccept(socket -> {
            if (bounded.isCompletedExceptionally()) {
                socket.abort();
            }
        });
        return bounded;
    }

    /** Waits for one step of an attempt; a stop cancels it. */
    private <T> T await(CompletableFuture<T> pending) throws Exception {
        synchronized (this) {
            if (stopping) {
                pending.cancel(true);
                throw new CancellationException();
            }
            step = pending;
        }
        try {
            return pending.get();
        } catch (ExecutionException e) {
            Throwable cause = Failures.cause(e);
            // our bound or the HTTP client's own request timeout, whichever fires first: the same to the operator
            if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
                throw new TimeoutException("no answer within " + options.getConnectTimeout() + " ms");
            }
            if (cause instanceof WebSocketHandshakeException handshake) {
                throw handshakeRefusal(handshake.getResponse());
            }
            throw cause instanceof Exception exception ? exception : e;
        } finally {
            synchronized (this) {
                step = null;
            }
        }
    }

    /**
     * Feishu's refusal of the WebSocket upgrade: {@code Handshake-Status} 403, or 514 with
     * {@code Handshake-Autherrcode} 1000040350 (too many connections), is about the app; any other is retried.
     */
    private static Exception handshakeRefusal(HttpResponse<?> response) {
        int status = headerNumber(response, "Handshake-Status", response.statusCode());
        int authCode = headerNumber(response, "Handshake-Autherrcode", 0);
        String message = response.headers().firstValue("Handshake-Msg").orElse("");
        if (status == HANDSHAKE_FORBIDDEN) {
            return new ConnectionRefused(status, message);
        }
        if (status == HANDSHAKE_AUTH_FAILED && authCode == CLIENT_ERROR_TOO_MANY_CONNECTIONS) {
            return new ConnectionRefused(authCode, message);
        }
        return new IOException("handshake refused with status " + status
                + (authCode == 0 ? "" : ", auth error code " + authCode) + (message.isEmpty() ? "" : ": " + message));
    }

    private static int headerNumber(HttpResponse<?> response, String name, int absent) {
        try {
            return response.headers().firstValue(name).map(String::trim).map(Integer::parseInt).orElse(absent);
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private void activate(LongConnection connection) {
        synchronized (this) {
            if (stopping || connection.isGone()) {
                connection.abort();
                if (!stopping) {
                    scheduler.execute(() -> failed(new IOException("connection lost during the handshake")));
                }
                return;
            }
            current = connection;
            state = State.CONNECTED;
            connectedSince = Instant.now();
            failedAttempts = 0;
            refusal = null;
            connects.incrementAndGet();
        }
        metrics.connected(true);
        LOG.info("Feishu long connection for app {} connected: conn_id={} ({})", appName, connection.connectionId(),
                connection.ticket().where());
        ping(connection);
    }

    private void failed(Exception failure) {
        long delay;
        String reason = "connection attempt failed: " + Failures.describe(failure);
        synchronized (this) {
            if (stopping) {
                return;
            }
            failedAttempts++;
            delay = retryDelay(failedAttempts);
            state = State.RECONNECTING;
            lastDisconnectReason = reason;
            nextAttempt = scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        }
        reconnects.incrementAndGet();
        metrics.reconnect("connect_failed");
        LOG.warn("Feishu long connection for app {}: {}; next attempt in {} ms", appName, reason, delay);
    }

    private void refused(ConnectionRefused refused) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            state = State.REFUSED;
            refusal = refused;
            lastDisconnectReason = "refused by Feishu: code " + refused.code() + " " + refused.getMessage();
        }
        LOG.error("Feishu long connection for app {} refused by Feishu: code {} {}; no further attempt until it is"
                        + " asked to reconnect or restarted (check the app's credentials, that it may use the long"
                        + " connection, and that fewer than 50 connections are open for it)",
                appName, refused.code(), refused.getMessage());
    }

    private long retryDelay(int failures) {
        return retryDelay(failures, config, options.getReconnectMaxBackoff(), spread(config));
    }

    /**
     * The wait before the attempt after failed attempt {@code failures} (1-based): Feishu's {@code ReconnectInterval}
     * plus {@code spread} (at least a second), doubled per failure, at most {@code cap}.
     */
    static long retryDelay(int failures, ClientConfig config, long cap, long spread) {
        long base = Math.max(LEAST_RETRY_MILLIS, config.reconnectIntervalSeconds() * 1000L + spread);
        long doubled = base << Math.min(failures - 1, 20);
        return Math.min(cap, doubled);
    }

    /** A random wait up to Feishu's {@code ReconnectNonce}, so that many clients do not come back at once. */
    private static long spread(ClientConfig config) {
        return config.reconnectNonceSeconds() > 0 ? ThreadLocalRandom.current().nextLong(config.reconnectNonceSeconds() * 1000L) : 0;
    }

    // --- the open connection

    private void ping(LongConnection connection) {
        long pongsBefore;
        synchronized (this) {
            if (connection != current) {
                return;
            }
            pongsBefore = pongs.get();
            lastPingNanos = System.nanoTime();
            nextPing = scheduler.schedule(() -> ping(connection), pingIntervalMillis(), TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> checkPong(connection, pongsBefore), options.getPongTimeout(), TimeUnit.MILLISECONDS);
        }
        connection.send(FrameCodec.encode(Frame.ping(connection.ticket().serviceId()))).whenComplete((sent, error) -> {
            if (error == null) {
                metrics.frame(FrameHeaders.PING, "out");
            } else {
                LOG.debug("Ping on conn_id={} not sent: {}", connection.connectionId(), Failures.describe(error));
            }
        });
    }

    /** A pong changed Feishu's ping interval: the next ping is due that long after the last one. */
    private void reschedulePing(LongConnection connection) {
        synchronized (this) {
            if (connection != current) {
                return;
            }
            cancel(nextPing);
            long due = lastPingNanos + TimeUnit.MILLISECONDS.toNanos(pingIntervalMillis()) - System.nanoTime();
            nextPing = scheduler.schedule(() -> ping(connection), Math.max(0, due), TimeUnit.NANOSECONDS);
        }
    }

    private long pingIntervalMillis() {
        return options.getPingInterval() > 0 ? options.getPingInterval() : config.pingIntervalSeconds() * 1000L;
    }

    private void checkPong(LongConnection connection, long pongsBefore) {
        if (connection != current || pongs.get() > pongsBefore || connection.isReadingPaused()) {
            // while reading is paused for back-pressure the pong may well be waiting unread
            return;
        }
        LOG.warn("Feishu long connection for app {}: no pong within {} ms on conn_id={}", appName,
                options.getPongTimeout(), connection.connectionId());
        drop(connection, "no pong within " + options.getPongTimeout() + " ms", "pong_timeout", firstReconnectDelay());
    }

    /** Closes {@code connection} at once (no closing handshake) and connects again after {@code delay}. */
    private boolean drop(LongConnection connection, String reason, String metricReason, long delay) {
        connection.abort();
        return lost(connection, reason, metricReason, delay);
    }

    @Override
    public void onLost(LongConnection connection, String reason, String metricReason) {
        connection.abort();
        lost(connection, reason, metricReason, firstReconnectDelay());
    }

    private boolean lost(LongConnection connection, String reason, String metricReason, long delay) {
        boolean reconnect;
        synchronized (this) {
            if (connection != current) {
                return false;
            }
            current = null;
            cancel(nextPing);
            connectedSince = null;
            lastDisconnectReason = reason;
            reconnect = !stopping;
            if (reconnect) {
                state = State.RECONNECTING;
                nextAttempt = scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
            }
        }
        metrics.connected(false);
        LOG.info("Feishu long connection for app {} disconnected: conn_id={}, reason: {}", appName,
                connection.connectionId(), reason);
        if (reconnect) {
            reconnects.incrementAndGet();
            metrics.reconnect(metricReason);
        }
        return true;
    }

    /** After losing a connection: a random wait up to Feishu's {@code ReconnectNonce}, capped by the back-off cap. */
    private long firstReconnectDelay() {
        return Math.min(options.getReconnectMaxBackoff(), spread(config));
    }

    @Override
    public boolean mayRead() {
        return draining || inFlight.get() < options.getMaxInFlight();
    }

    @Override
    public void onNotAFrame(LongConnection connection, String what) {
        framesReceived.incrementAndGet();
        unparseableFrames.incrementAndGet();
        metrics.frame("other", "in");
        LOG.warn("Feishu long connection for app {}: skipped {} on conn_id={}", appName, what, connection.connectionId());
    }

    @Override
    public void onMessage(LongConnection connection, byte[] message) {
        framesReceived.incrementAndGet();
        Frame frame;
        try {
            frame = FrameCodec.decode(message);
        } catch (MalformedFrameException e) {
            unparseable(connection, message.length, e);
            return;
        }
        switch (frame.method()) {
            case Frame.CONTROL -> control(connection, frame);
            case Frame.DATA -> {
                try {
                    data(connection, frame);
                } catch (MalformedFrameException e) {
                    unparseable(connection, message.length, e);
                }
            }
            default -> metrics.frame("other", "in");
        }
    }

    private void unparseable(LongConnection connection, int bytes, MalformedFrameException e) {
        unparseableFrames.incrementAndGet();
        metrics.frame("other", "in");
        LOG.warn("Feishu long connection for app {}: unparseable frame of {} bytes on conn_id={}: {}", appName, bytes,
                connection.connectionId(), e.getMessage());
    }

    private void control(LongConnection connection, Frame frame) {
        String type = frame.header(FrameHeaders.TYPE);
        if (FrameHeaders.PONG.equals(type)) {
            metrics.frame(FrameHeaders.PONG, "in");
            if (connection != current) {
                return;
            }
            lastPong = Instant.now();
            pongs.incrementAndGet();
            if (frame.payload() != null && frame.payload().length > 0) {
                ClientConfig before = config;
                try {
                    config = before.with(JSON.readTree(frame.payload()));
                } catch (IOException e) {
                    LOG.warn("Feishu long connection for app {}: a pong's client configuration is not JSON", appName);
                }
                if (options.getPingInterval() == 0 && config.pingIntervalSeconds() != before.pingIntervalSeconds()) {
                    try {
                        scheduler.execute(() -> reschedulePing(connection));
                    } catch (RejectedExecutionException e) {
                        // stopped
                    }
                }
            }
        } else {
            metrics.frame(FrameHeaders.PING.equals(type) ? FrameHeaders.PING : "other", "in");
        }
    }

    private void data(LongConnection connection, Frame frame) throws MalformedFrameException {
        String type = frame.header(FrameHeaders.TYPE);
        boolean event = FrameHeaders.EVENT.equals(type);
        boolean card = FrameHeaders.CARD.equals(type);
        metrics.frame(event || card ? type : "other", "in");
        String messageId = frame.header(FrameHeaders.MESSAGE_ID);
        if (draining) {
            LOG.debug("Message {} on conn_id={} not taken: stopping (Feishu delivers it again)", messageId, connection.connectionId());
            return;
        }
        if (!event && !card) {
            LOG.debug("Data frame of type {} on conn_id={} ignored", type, connection.connectionId());
            return;
        }
        int sum = number(frame, FrameHeaders.SUM, 1);
        byte[] payload = frame.payload() == null ? new byte[0] : frame.payload();
        if (sum > 1) {
            SplitPayloads.Result part = splitPayloads.add(messageId, sum, number(frame, FrameHeaders.SEQ, 0), payload);
            if (part.outcome() == SplitPayloads.Outcome.DROPPED_OVER_LIMIT) {
                LOG.warn("Feishu long connection for app {}: split message {} dropped, its parts exceed maxPayloadBytes {}",
                        appName, messageId, options.getMaxPayloadBytes());
            }
            if (part.outcome() != SplitPayloads.Outcome.COMPLETE) {
                return;
            }
            payload = part.payload();
        }
        long receivedNanos = System.nanoTime();
        if (card) {
            LOG.debug("Card callback {} on conn_id={} acknowledged and ignored", messageId, connection.connectionId());
            send(new EventDelivery(this, connection, frame, payload, receivedNanos), 200, null);
            return;
        }
        eventsReceived.incrementAndGet();
        inFlight.incrementAndGet();
        EventDelivery delivery = new EventDelivery(this, connection, frame, payload, receivedNanos);
        try {
            sink.deliver(delivery);
        } catch (RuntimeException e) {
            LOG.warn("Feishu long connection for app {}: message {} not handed to the route ({}); Feishu delivers it again",
                    appName, messageId, Failures.describe(e));
            delivery.abandon();
        }
    }

    private static int number(Frame frame, String header, int absent) throws MalformedFrameException {
        String value = frame.header(header);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new MalformedFrameException("header " + header + " is not a number");
        }
    }

    // --- acknowledgements

    void acknowledge(EventDelivery delivery, int code, byte[] data) {
        send(delivery, code, data).whenComplete((sent, error) -> finished());
    }

    void abandon(EventDelivery delivery) {
        finished();
    }

    private CompletableFuture<Void> send(EventDelivery delivery, int code, byte[] data) {
        LongConnection connection = delivery.connection();
        String kind = delivery.type();
        if (connection.isGone()) {
            LOG.debug("Acknowledgement of message {} not sent: conn_id={} is gone (Feishu delivers it again)",
                    delivery.messageId(), connection.connectionId());
            return CompletableFuture.completedFuture(null);
        }
        long handlingNanos = System.nanoTime() - delivery.receivedNanos();
        Frame ack = delivery.frame().acknowledgement(TimeUnit.NANOSECONDS.toMillis(handlingNanos), answer(code, data));
        return connection.send(FrameCodec.encode(ack)).handle((sent, error) -> {
            if (error == null) {
                acksSent.incrementAndGet();
                acksByCode.computeIfAbsent(code, any -> new AtomicLong()).incrementAndGet();
                metrics.frame(kind, "out");
                metrics.acknowledged(code, Duration.ofNanos(System.nanoTime() - delivery.receivedNanos()));
            } else {
                LOG.debug("Acknowledgement of message {} not sent: {}", delivery.messageId(), Failures.describe(error));
            }
            return null;
        });
    }

    /** The acknowledgement's payload as Feishu's SDKs write it: {@code data} is base64, as Go and Gson write bytes. */
    private static byte[] answer(int code, byte[] data) {
        String encoded = data == null ? "null" : '"' + Base64.getEncoder().encodeToString(data) + '"';
        return ("{\"code\":" + code + ",\"headers\":null,\"data\":" + encoded + "}").getBytes(StandardCharsets.UTF_8);
    }

    private void finished() {
        inFlight.decrementAndGet();
        synchronized (drained) {
            drained.notifyAll();
        }
        LongConnection connection = current;
        if (connection != null) {
            connection.resumeReading();
        }
    }

    private void awaitInFlight(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("Feishu long connection for app {}: stopping with {} events unacknowledged after {} ms; Feishu"
                    + " delivers them again", appName, inFlight.get(), timeout.toMillis());
        }
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}

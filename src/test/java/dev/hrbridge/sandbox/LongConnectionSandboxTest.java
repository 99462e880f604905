package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.ws.pb.Pbbp2;
import dev.hrbridge.sandbox.LongConnectionSandbox.ClientConfig;
import dev.hrbridge.sandbox.LongConnectionSandbox.Delivery;
import dev.hrbridge.sandbox.LongConnectionSandbox.Pushed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.sandbox.RawLongConnection.JSON;
import static dev.hrbridge.sandbox.RawLongConnection.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** Feishu's long connection as the sandbox plays it, met by a hand-driven WebSocket client. */
class LongConnectionSandboxTest {

    private static final String APP_ID = "cli_long_connection";
    private static final String APP_SECRET = "long-connection-secret-4f1c";

    private PlatformSimulator simulator;
    private LongConnectionSandbox longConnection;
    private final List<RawLongConnection> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start(APP_ID, APP_SECRET);
        longConnection = simulator.longConnection();
    }

    @AfterEach
    void stop() {
        opened.forEach(RawLongConnection::close);
        simulator.close();
    }

    @Test
    void theEndpointHandsOutAWebSocketUrlWithATicketAndTheClientConfigAndNeverTheSecret() throws Exception {
        HttpResponse<String> answer = RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("code").asInt()).isZero();
        assertThat(body.path("msg").asText()).isEqualTo("ok");
        URI url = URI.create(body.path("data").path("URL").asText());
        assertThat(url.getScheme()).isEqualTo("ws");
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getPath()).isEqualTo("/ws/v2");
        assertThat(url.getQuery()).containsPattern("device_id=\\d+").containsPattern("service_id=\\d+").containsPattern("ticket=\\w+");
        assertThat(body.path("data").path("ClientConfig")).isEqualTo(JSON.readTree(
                "{\"ReconnectCount\":-1,\"ReconnectInterval\":120,\"ReconnectNonce\":30,\"PingInterval\":120}"));
        assertThat(answer.body()).doesNotContain(APP_SECRET);
    }

    @Test
    void aWrongAppSecretOrAnUnknownAppIsAClientErrorCode() throws Exception {
        HttpResponse<String> wrongSecret = RawLongConnection.endpoint(simulator, APP_ID, "not-the-secret");
        HttpResponse<String> unknownApp = RawLongConnection.endpoint(simulator, "cli_other", APP_SECRET);

        assertThat(wrongSecret.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(wrongSecret.body()).path("code").asInt()).isEqualTo(LongConnectionSandbox.APP_SECRET_INVALID);
        assertThat(JSON.readTree(wrongSecret.body()).has("data")).isFalse();
        assertThat(JSON.readTree(unknownApp.body()).path("code").asInt()).isEqualTo(LongConnectionSandbox.INVALID_PARAM);
        assertThat(wrongSecret.body() + unknownApp.body()).doesNotContain(APP_SECRET).doesNotContain("not-the-secret");
    }

    @Test
    void aTicketIsGoodForOneHandshake() throws Exception {
        String url = RawLongConnection.url(simulator, APP_ID, APP_SECRET);
        opened.add(RawLongConnection.connect(url).get(10, TimeUnit.SECONDS));

        HttpResponse<?> again = refusedHandshake(url);
        HttpResponse<?> forged = refusedHandshake(url.replaceAll("ticket=\\w+", "ticket=00112233445566778899aabbccddeeff"));

        for (HttpResponse<?> refused : List.of(again, forged)) {
            assertThat(refused.statusCode()).isEqualTo(514);
            assertThat(refused.headers().firstValue("Handshake-Status")).hasValue("514");
            assertThat(refused.headers().firstValue("Handshake-Msg")).hasValue("invalid ticket");
            assertThat(refused.headers().firstValue("Handshake-Autherrcode")).isEmpty();
        }
        assertThat(longConnection.openConnections()).isEqualTo(1);
    }

    @Test
    void theFiftyFirstConnectionOfTheAppIsRefusedWith514AndTheConnectionLimitCode() throws Exception {
        for (int i = 0; i < 50; i++) {
            opened.add(open());
        }

        HttpResponse<?> refused = refusedHandshake(RawLongConnection.url(simulator, APP_ID, APP_SECRET));

        assertThat(refused.statusCode()).isEqualTo(514);
        assertThat(refused.headers().firstValue("Handshake-Status")).hasValue("514");
        assertThat(refused.headers().firstValue("Handshake-Autherrcode")).hasValue("1000040350");
        assertThat(longConnection.openConnections()).isEqualTo(50);

        opened.remove(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> longConnection.openConnections() == 49);
        opened.add(open());
        assertThat(longConnection.openConnections()).isEqualTo(50);
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingTheClientConfig() throws Exception {
        longConnection.clientConfig(new ClientConfig(3, 5, 0, 1));
        RawLongConnection connection = open();

        connection.ping();
        Pbbp2.Frame pong = connection.next();

        assertThat(pong.getMethod()).isZero();
        assertThat(pong.getService()).isEqualTo(connection.serviceId);
        assertThat(header(pong, "type")).isEqualTo("pong");
        assertThat(JSON.readTree(pong.getPayload().toByteArray())).isEqualTo(JSON.readTree(
                "{\"ReconnectCount\":3,\"ReconnectInterval\":5,\"ReconnectNonce\":0,\"PingInterval\":1}"));
        assertThat(longConnection.connections().get(0).pings()).isEqualTo(1);
        assertThat(longConnection.connections().get(0).pongs()).isEqualTo(1);
    }

    @Test
    void anEventArrivesAsOneDataFrameWithFeishusHeadersAndTheWebhookBodyAndOnceAckedNeverAgain() throws Exception {
        longConnection.ackTimeout(Duration.ofMillis(300));
        RawLongConnection connection = open();
        byte[] event = qrCodeEvent();

        Pushed pushed = longConnection.push(new String(event, StandardCharsets.UTF_8));
        Pbbp2.Frame frame = connection.next();

        assertThat(pushed.state()).isEqualTo("pending");
        assertThat(pushed.connection()).isEqualTo(connection.deviceId);
        assertThat(frame.getMethod()).isEqualTo(1);
        assertThat(frame.getService()).isEqualTo(connection.serviceId);
        assertThat(header(frame, "type")).isEqualTo("event");
        assertThat(header(frame, "message_id")).isEqualTo(pushed.messageId());
        assertThat(header(frame, "sum")).isEqualTo("1");
        assertThat(header(frame, "seq")).isEqualTo("0");
        assertThat(header(frame, "trace_id")).isNotBlank();
        assertThat(Long.parseLong(header(frame, "timestamp"))).isCloseTo(System.currentTimeMillis(), within(10_000L));
        assertThat(frame.getPayload().toByteArray()).as("the webhook body, byte for byte").isEqualTo(event);

        connection.ack(frame, 200);

        await().atMost(Duration.ofSeconds(5)).until(() -> "acked".equals(longConnection.event(EVENT_ID).state()));
        Delivery delivery = longConnection.deliveries().get(0);
        assertThat(delivery.outcome()).isEqualTo("acked");
        assertThat(delivery.code()).isEqualTo(200);
        assertThat(delivery.bizRt()).isEqualTo(7);
        assertThat(delivery.latencyMs()).isNotNull().isBetween(0L, 5000L);
        assertThat(delivery.connection()).isEqualTo(connection.deviceId);
        await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3)).until(connection.frames::isEmpty);
        assertThat(longConnection.event(EVENT_ID).attempts()).isEqualTo(1);
    }

    @Test
    void anUnacknowledgedEventIsDeliveredAgainAfterTheAckTimeoutAsANewMessageOfTheSameEvent() throws Exception {
        longConnection.ackTimeout(Duration.ofMillis(400));
        RawLongConnection connection = open();
        longConnection.push(new String(qrCodeEvent(), StandardCharsets.UTF_8));

        Pbbp2.Frame first = connection.next();
        long firstAt = System.nanoTime();
        Pbbp2.Frame second = connection.next();

        assertThat(Duration.ofNanos(System.nanoTime() - firstAt)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(header(second, "message_id")).isNotEqualTo(header(first, "message_id"));
        assertThat(eventId(second)).isEqualTo(EVENT_ID);
        assertThat(second.getPayload()).isEqualTo(first.getPayload());
        connection.ack(first, 200);
        connection.ack(second, 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> "acked".equals(longConnection.event(EVENT_ID).state()));
        assertThat(longConnection.event(EVENT_ID).deliveries()).as("the first acknowledgement came after its redelivery")
                .extracting(Delivery::outcome).containsExactly("late", "acked");
    }

    @Test
    void anAcknowledgementWithACodeOtherThan200IsDeliveredAgainAtOnce() throws Exception {
        longConnection.ackTimeout(Duration.ofSeconds(30));
        RawLongConnection connection = open();
        longConnection.push(new String(qrCodeEvent(), StandardCharsets.UTF_8));

        connection.ack(connection.next(), 500);
        Pbbp2.Frame again = connection.next();

        assertThat(longConnection.event(EVENT_ID).deliveries()).extracting(Delivery::outcome, Delivery::code)
                .containsExactly(tuple("refused", 500), tuple("pending", null));
        connection.ack(again, 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> "acked".equals(longConnection.event(EVENT_ID).state()));
    }

    @Test
    void anEventNobodyAcknowledgesIsGivenUpAfterTheLastAttempt() throws Exception {
        longConnection.ackTimeout(Duration.ofMillis(200)).maxAttempts(3);
        RawLongConnection connection = open();
        longConnection.push(new String(qrCodeEvent(), StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(longConnection.event(EVENT_ID).state()));

        assertThat(longConnection.event(EVENT_ID).attempts()).isEqualTo(3);
        assertThat(connection.frames).hasSize(3);
    }

    @Test
    void eachEventGoesToOneOfTwoConnectionsInTurn() throws Exception {
        RawLongConnection one = open();
        RawLongConnection two = open();

        for (int i = 0; i < 4; i++) {
            longConnection.push("{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e-" + i + "\",\"event_type\":\"test\"},\"event\":{}}");
        }

        Set<String> seen = new HashSet<>();
        for (RawLongConnection connection : List.of(one, two)) {
            for (int i = 0; i < 2; i++) {
                Pbbp2.Frame frame = connection.next();
                assertThat(seen.add(eventId(frame))).isTrue();
                connection.ack(frame, 200);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("e-0", "e-1", "e-2", "e-3");
        await().atMost(Duration.ofSeconds(5)).until(() -> longConnection.events().stream().allMatch(e -> e.state().equals("acked")));
        assertThat(one.frames).isEmpty();
        assertThat(two.frames).isEmpty();
    }

    @Test
    void anEventAskedInThreePartsArrivesAsThreeFramesOfOneMessageThatJoinToTheEvent() throws Exception {
        RawLongConnection connection = open();
        byte[] event = qrCodeEvent();
        String inThreeParts = "{\"event\":" + new String(event, StandardCharsets.UTF_8) + ",\"parts\":3}";

        HttpResponse<String> answer = admin("POST", "/events", inThreeParts);

        assertThat(answer.statusCode()).isEqualTo(202);
        JsonNode pushed = JSON.readTree(answer.body());
        assertThat(pushed.path("parts").asInt()).isEqualTo(3);
        assertThat(pushed.path("connection").asText()).isEqualTo(connection.deviceId);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int seq = 0; seq < 3; seq++) {
            Pbbp2.Frame part = connection.next();
            assertThat(header(part, "message_id")).isEqualTo(pushed.path("message_id").asText());
            assertThat(header(part, "sum")).isEqualTo("3");
            assertThat(header(part, "seq")).isEqualTo(String.valueOf(seq));
            assertThat(part.getPayload().size()).isPositive();
            joined.writeBytes(part.getPayload().toByteArray());
        }
        assertThat(JSON.readTree(joined.toByteArray())).isEqualTo(JSON.readTree(event));
    }

    @Test
    void anEventLargerThanTheFrameSizeIsSplitIntoAsManyParts() throws Exception {
        longConnection.framePayloadBytes(100);
        RawLongConnection connection = open();
        byte[] event = qrCodeEvent();

        Pushed pushed = longConnection.push(new String(event, StandardCharsets.UTF_8));

        int parts = (event.length + 99) / 100;
        assertThat(pushed.parts()).isEqualTo(parts);
        for (int seq = 0; seq < parts; seq++) {
            Pbbp2.Frame part = connection.next();
            assertThat(header(part, "sum")).isEqualTo(String.valueOf(parts));
            assertThat(part.getPayload().size()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void anEventPushedWhileNoConnectionIsOpenWaitsForTheFirstOne() throws Exception {
        Pushed pushed = longConnection.push(new String(qrCodeEvent(), StandardCharsets.UTF_8));
        assertThat(pushed.state()).isEqualTo("queued");
        assertThat(pushed.messageId()).isNull();

        RawLongConnection connection = open();

        assertThat(eventId(connection.next())).isEqualTo(EVENT_ID);
    }

    @Test
    void silentAnswersNoPingAndPushesNothingUntilTheFaultIsCleared() throws Exception {
        RawLongConnection connection = open();
        assertThat(admin("POST", "/faults", "{\"mode\":\"silent\"}").statusCode()).isEqualTo(201);

        connection.ping();
        Pushed pushed = longConnection.push(new String(qrCodeEvent(), StandardCharsets.UTF_8));

        assertThat(pushed.state()).isEqualTo("queued");
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(connection.frames::isEmpty);
        assertThat(longConnection.connections().get(0).pings()).isEqualTo(1);
        assertThat(longConnection.connections().get(0).pongs()).isZero();
        assertThat(connection.closed).isNotDone();

        assertThat(admin("DELETE", "/faults", null).statusCode()).isEqualTo(204);

        assertThat(header(connection.next(), "type")).isEqualTo("event");
        connection.ping();
        assertThat(header(connection.next(), "type")).isEqualTo("pong");
    }

    @Test
    void dropClosesEveryConnectionWithoutACloseFrameAndNewOnesAreAccepted() throws Exception {
        RawLongConnection one = open();
        RawLongConnection two = open();

        assertThat(admin("POST", "/faults", "{\"mode\":\"drop\"}").statusCode()).isEqualTo(201);

        for (RawLongConnection connection : List.of(one, two)) {
            assertThat(connection.closed.get(5, TimeUnit.SECONDS)).as("1006: ended without a close frame").isEqualTo(1006);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> longConnection.openConnections() == 0);
        assertThat(longConnection.connections()).extracting(LongConnectionSandbox.Connection::closedBy).containsOnly("dropped");
        assertThat(longConnection.fault().mode()).isEqualTo("none");
        open();
        assertThat(longConnection.openConnections()).isEqualTo(1);
    }

    @Test
    void refuseEndpointAnswersItsCodeForCountRequestsThenTheEndpointServesAgain() throws Exception {
        admin("POST", "/faults", "{\"mode\":\"refuse-endpoint\",\"count\":1}");
        JsonNode busy = JSON.readTree(RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET).body());
        JsonNode served = JSON.readTree(RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET).body());

        longConnection.fault(LongConnectionFault.refuseEndpoint(1000040343, 0));
        JsonNode internal = JSON.readTree(RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET).body());
        longConnection.fault(LongConnectionFault.refuseEndpoint(10014, 0));
        JsonNode clientError = JSON.readTree(RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET).body());

        assertThat(busy.path("code").asInt()).isEqualTo(1);
        assertThat(busy.path("msg").asText()).isEqualTo("system busy");
        assertThat(served.path("code").asInt()).isZero();
        assertThat(internal.path("code").asInt()).isEqualTo(1000040343);
        assertThat(clientError.path("code").asInt()).isEqualTo(10014);
    }

    @Test
    void refuseHandshakeAnswers514WithTheConnectionLimitCodeOr403() throws Exception {
        longConnection.fault(LongConnectionFault.refuseHandshake(514, LongConnectionFault.EXCEED_CONNECTION_LIMIT, 1));
        HttpResponse<?> limit = refusedHandshake(RawLongConnection.url(simulator, APP_ID, APP_SECRET));
        admin("POST", "/faults", "{\"mode\":\"refuse-handshake\",\"status\":403}");
        HttpResponse<?> forbidden = refusedHandshake(RawLongConnection.url(simulator, APP_ID, APP_SECRET));

        assertThat(limit.statusCode()).isEqualTo(514);
        assertThat(limit.headers().firstValue("Handshake-Autherrcode")).hasValue("1000040350");
        assertThat(limit.headers().firstValue("Handshake-Msg")).isPresent();
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("Handshake-Status")).hasValue("403");
        assertThat(forbidden.headers().firstValue("Handshake-Autherrcode")).isEmpty();

        longConnection.fault(LongConnectionFault.none());
        open();
    }

    @Test
    void hangHandshakeAcceptsTheConnectionAndNeverAnswersTheUpgrade() throws Exception {
        longConnection.fault(LongConnectionFault.hangHandshake(0));
        String url = RawLongConnection.url(simulator, APP_ID, APP_SECRET);

        assertThatThrownBy(() -> RawLongConnection.HTTP.newWebSocketBuilder().connectTimeout(Duration.ofMillis(800))
                .buildAsync(URI.create(url), new java.net.http.WebSocket.Listener() { }).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(HttpTimeoutException.class);

        longConnection.fault(LongConnectionFault.none());
        open();
        assertThat(longConnection.openConnections()).isEqualTo(1);
    }

    @Test
    void theAdminPageShowsConnectionsAndEventsPendingAckedAndRedelivered() throws Exception {
        longConnection.ackTimeout(Duration.ofMillis(300));
        RawLongConnection connection = open();
        assertThat(admin("POST", "/events", new String(qrCodeEvent(), StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        connection.next();
        connection.ack(connection.next(), 200);
        longConnection.ackTimeout(Duration.ofSeconds(30));
        admin("POST", "/events", "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"still-pending\"},\"event\":{}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "acked".equals(longConnection.event(EVENT_ID).state()));

        JsonNode page = JSON.readTree(admin("GET", "", null).body());

        assertThat(page.path("summary").path("open_connections").asInt()).isEqualTo(1);
        assertThat(page.path("summary").path("acked").asInt()).isEqualTo(1);
        assertThat(page.path("summary").path("redelivered").asInt()).isEqualTo(1);
        assertThat(page.path("connections").get(0).path("id").asText()).isEqualTo(connection.deviceId);
        assertThat(page.path("events").get(0).path("deliveries").get(1).path("code").asInt()).isEqualTo(200);
        assertThat(page.path("events").get(0).path("deliveries").get(0).path("outcome").asText()).isEqualTo("unacknowledged");
        assertThat(page.path("events").get(1).path("event_id").asText()).isEqualTo("still-pending");
        assertThat(page.path("events").get(1).path("state").asText()).isIn("pending", "queued");
        assertThat(admin("POST", "/faults", "{\"mode\":\"sideways\"}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/events", "[1,2]").statusCode()).isEqualTo(400);
    }

    @Test
    void settingsPostedOverHttpChangeWhatTheEndpointHandsOut() throws Exception {
        HttpResponse<String> posted = admin("POST", "/settings", "{\"client_config\":{\"PingInterval\":1},\"ack_timeout_ms\":500}");

        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(posted.body()).path("ack_timeout_ms").asInt()).isEqualTo(500);
        assertThat(JSON.readTree(RawLongConnection.endpoint(simulator, APP_ID, APP_SECRET).body()).path("data").path("ClientConfig"))
                .isEqualTo(JSON.readTree("{\"ReconnectCount\":-1,\"ReconnectInterval\":120,\"ReconnectNonce\":30,\"PingInterval\":1}"));
        assertThat(admin("POST", "/settings", "{\"client_config\":{\"PingInterval\":0}}").statusCode()).isEqualTo(400);
        assertThat(longConnection.clientConfig().pingInterval()).isEqualTo(1);
    }

    private static final String EVENT_ID = "5e3702a84e847582be8db7fb73283c02";

    private static byte[] qrCodeEvent() throws Exception {
        return Files.readAllBytes(Path.of("src/test/resources/fixtures/event-onboarding-qr-code-inactive.json"));
    }

    private static String eventId(Pbbp2.Frame frame) throws Exception {
        return JSON.readTree(frame.getPayload().toByteArray()).path("header").path("event_id").asText();
    }

    private RawLongConnection open() throws Exception {
        int before = longConnection.openConnections();
        RawLongConnection connection = RawLongConnection.open(simulator, APP_ID, APP_SECRET);
        opened.add(connection);
        // the client sees the handshake done a moment before the server counts the connection open; an event pushed
        // in between would be queued, not sent on it
        await().atMost(Duration.ofSeconds(5)).until(() -> longConnection.openConnections() > before);
        return connection;
    }

    private static HttpResponse<?> refusedHandshake(String url) {
        Throwable failure = catchThrowable(() -> RawLongConnection.connect(url).join());
        assertThat(failure).isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) failure.getCause()).getResponse();
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        URI uri = URI.create(simulator.baseUrl() + LongConnectionSandbox.ADMIN_PATH + path);
        return RawLongConnection.HTTP.send(HttpRequest.newBuilder(uri)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}

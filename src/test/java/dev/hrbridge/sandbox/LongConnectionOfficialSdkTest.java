package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.event.CustomEventHandler;
import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.ws.Client;
import com.lark.oapi.ws.exception.ClientException;
import dev.hrbridge.sandbox.LongConnectionSandbox.ClientConfig;
import dev.hrbridge.sandbox.LongConnectionSandbox.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.sandbox.RawLongConnection.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Feishu's own Java SDK (oapi-sdk 2.5.3, {@code com.lark.oapi.ws.Client}) is the oracle: it bootstraps, connects,
 * pings, receives events pushed through the admin API and acknowledges them against the simulator as it would
 * against Feishu. The SDK has no stop: the simulator tells it not to reconnect (ReconnectCount 0) and closing the
 * simulator ends its connection.
 */
class LongConnectionOfficialSdkTest {

    private static final String APP_ID = "cli_sdk_oracle";
    private static final String APP_SECRET = "sdk-oracle-secret";
    private static final String EVENT_TYPE = "corehr.onboarding_qr_code.inactive_v2";

    private PlatformSimulator simulator;
    private final BlockingQueue<String> handled = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start(APP_ID, APP_SECRET);
        simulator.longConnection().clientConfig(new ClientConfig(0, 1, 0, 120));
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void anEventPushedThroughTheAdminApiReachesTheSdksHandlerAndItsAckIsRecorded() throws Exception {
        startSdk(APP_SECRET);
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.longConnection().openConnections() == 1);
        String connection = simulator.longConnection().connections().get(0).id();

        JsonNode pushed = JSON.readTree(admin("/events", event("whole")).body());

        assertThat(handled.poll(10, TimeUnit.SECONDS)).as("the webhook body, unchanged").isEqualTo(event("whole"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "acked".equals(simulator.longConnection().event("whole").state()));
        Delivery delivery = simulator.longConnection().event("whole").deliveries().get(0);
        assertThat(delivery.messageId()).isEqualTo(pushed.path("message_id").asText());
        assertThat(delivery.connection()).isEqualTo(connection);
        assertThat(delivery.code()).isEqualTo(200);
        assertThat(delivery.bizRt()).isNotNull().isNotNegative();

        // the SDK pings 2 s after it starts
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.longConnection().connections().get(0).pongs() >= 1);
        assertThat(simulator.longConnection().connections().get(0).pings()).isPositive();
    }

    /**
     * The SDK joins the parts of a message on several threads without a lock (oapi-sdk-java 2.5.3 {@code Client.combine}
     * over a shared cache): parts that arrive back to back can be lost there, the message is then not acknowledged and
     * its redelivery (here after 1 s) brings the event. What counts is that the event arrives whole and ends acked.
     */
    @Test
    void anEventInThreePartsReachesTheSdksHandlerWholeAndEndsAcknowledged() throws Exception {
        simulator.longConnection().ackTimeout(Duration.ofSeconds(1));
        startSdk(APP_SECRET);
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.longConnection().openConnections() == 1);

        JsonNode pushed = JSON.readTree(admin("/events", "{\"event\":" + event("split") + ",\"parts\":3}").body());

        assertThat(pushed.path("parts").asInt()).isEqualTo(3);
        assertThat(JSON.readTree(handled.poll(10, TimeUnit.SECONDS))).isEqualTo(JSON.readTree(event("split")));
        await().atMost(Duration.ofSeconds(10)).until(() -> "acked".equals(simulator.longConnection().event("split").state()));
        List<Delivery> deliveries = simulator.longConnection().event("split").deliveries();
        assertThat(deliveries).allSatisfy(delivery -> assertThat(delivery.parts()).isEqualTo(3));
        assertThat(deliveries.get(deliveries.size() - 1).code()).isEqualTo(200);
    }

    @Test
    void theSdkReconnectsFromTheEndpointAfterTheConnectionIsDropped() {
        simulator.longConnection().clientConfig(new ClientConfig(1, 1, 0, 120));
        startSdk(APP_SECRET);
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.longConnection().openConnections() == 1);

        simulator.longConnection().fault(LongConnectionFault.drop());

        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.longConnection().connections().size() == 2
                && simulator.longConnection().openConnections() == 1);
        assertThat(simulator.longConnection().connections().get(0).closedBy()).isEqualTo("dropped");
    }

    @Test
    void theSdkStopsOnAWrongAppSecretAsOnAClientError() {
        Client client = sdk("not-the-secret");

        assertThatThrownBy(client::start).isInstanceOf(ClientException.class).hasToString("ClientException: 10014: app secret invalid");
        assertThat(simulator.longConnection().connections()).isEmpty();
    }

    /** The fixture event with {@code eventId} as its header.event_id. */
    private static String event(String eventId) throws Exception {
        return Files.readString(Path.of("src/test/resources/fixtures/event-onboarding-qr-code-inactive.json"))
                .replace("5e3702a84e847582be8db7fb73283c02", eventId);
    }

    private void startSdk(String secret) {
        Client client = sdk(secret);
        Thread starter = new Thread(client::start, "sdk-long-connection");
        starter.setDaemon(true);
        starter.start();
    }

    private Client sdk(String secret) {
        EventDispatcher dispatcher = EventDispatcher.newBuilder("", "").onCustomizedEvent(EVENT_TYPE, new CustomEventHandler() {
            @Override
            public void handle(EventReq event) {
                handled.add(new String(event.getBody(), StandardCharsets.UTF_8));
            }
        }).build();
        return new Client.Builder(APP_ID, secret).domain(simulator.baseUrl()).eventHandler(dispatcher).build();
    }

    private HttpResponse<String> admin(String path, String body) throws Exception {
        URI uri = URI.create(simulator.baseUrl() + LongConnectionSandbox.ADMIN_PATH + path);
        return RawLongConnection.HTTP.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

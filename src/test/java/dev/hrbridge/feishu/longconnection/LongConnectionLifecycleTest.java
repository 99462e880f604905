package dev.hrbridge.feishu.longconnection;

import com.lark.oapi.ws.pb.Pbbp2;
import dev.hrbridge.feishu.longconnection.LongConnectionStatus.State;
import dev.hrbridge.feishu.longconnection.ScriptedFeishu.Connection;
import dev.hrbridge.feishu.longconnection.ScriptedFeishu.EndpointAnswer;
import dev.hrbridge.feishu.longconnection.ScriptedFeishu.HandshakeAnswer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.hrbridge.feishu.longconnection.ScriptedFeishu.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The connection is opened, kept alive, replaced when it dies, refused when Feishu says so, and closed cleanly. */
class LongConnectionLifecycleTest {

    private static final String EVENT = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"ev-1\"},\"event\":{}}";

    private ScriptedFeishu feishu;
    private LongConnectionBed bed;

    @BeforeEach
    void feishu() throws Exception {
        feishu = new ScriptedFeishu();
    }

    @AfterEach
    void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
        feishu.close();
    }

    @Test
    void theEndpointRequestCarriesTheAppsCredentialsAsFeishuExpects() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        bed.connection(1);

        ScriptedFeishu.EndpointCall call = feishu.endpointCalls().get(0);
        assertThat(call.body().get("AppID").asText()).isEqualTo(ScriptedFeishu.APP_ID);
        assertThat(call.body().get("AppSecret").asText()).isEqualTo(ScriptedFeishu.APP_SECRET);
        assertThat(call.headers()).containsEntry("locale", "zh")
                .containsEntry("content-type", "application/json; charset=utf-8");
    }

    @Test
    void pingsGoOutAtTheConfiguredIntervalWithTheConnectionsServiceId() throws Exception {
        bed = LongConnectionBed.start(feishu, "pingInterval=200&pongTimeout=5000");
        Connection connection = bed.connection(1);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.pings().size() >= 5);
        List<Long> at = connection.pingNanos();
        for (int i = 1; i < 5; i++) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1))).isGreaterThanOrEqualTo(150L);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(4) - at.get(0)) / 4).as("mean interval").isBetween(180L, 500L);
        Pbbp2.Frame ping = connection.pings().get(0);
        assertThat(ping.getMethod()).isZero();
        assertThat(ping.getService()).isEqualTo(ScriptedFeishu.SERVICE_ID);
        assertThat(value(ping, "type")).isEqualTo("ping");
        assertThat(bed.status().lastPong()).isNotNull();
    }

    @Test
    void aPongsClientConfigSetsThePingIntervalWhenNoneIsConfigured() throws Exception {
        feishu.clientConfig(ScriptedFeishu.clientConfig(0, 0, 120));
        feishu.pongConfig(ScriptedFeishu.clientConfig(0, 0, 1));
        bed = LongConnectionBed.start(feishu, "pingInterval=0&pongTimeout=5000");
        Connection connection = bed.connection(1);

        // Feishu's endpoint said 120 s; the first pong says 1 s, which is what the next pings follow
        await().atMost(Duration.ofSeconds(4)).until(() -> connection.pings().size() >= 3);
        List<Long> at = connection.pingNanos();
        assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(2) - at.get(1))).isBetween(800L, 2500L);
    }

    @Test
    void aSilentPeerIsReplacedWithinThePongTimeoutUsingAFreshEndpointRequest() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            feishu.answerPongs(false);
            bed = LongConnectionBed.start(feishu, "pingInterval=5000&pongTimeout=500");
            Connection first = bed.connection(1);
            long connectedAt = System.nanoTime();

            bed.connection(2);

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt)).isLessThan(500 + 150 + 1500);
            assertThat(feishu.endpointCalls()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(feishu.reusedTickets()).isZero();
            await().atMost(Duration.ofSeconds(2)).until(first::closed);
            assertThat(bed.status().reconnects()).isPositive();
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("WARN") && line.contains("no pong within 500 ms"));
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("disconnected: conn_id=dev-1, reason: no pong"));
        }
    }

    @Test
    void aConnectionFeishuClosesIsReplaced() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        Connection first = bed.connection(1);

        first.close(1001, "going away");

        Connection second = bed.connection(2);
        assertThat(second.deviceId).isEqualTo("dev-2");
        assertThat(bed.status().connectionId()).isEqualTo("dev-2");
        assertThat(bed.status().lastDisconnectReason()).contains("Feishu closed the connection (1001 going away)");
        second.sendEvent("after", EVENT);
        await().atMost(Duration.ofSeconds(3)).until(() -> second.ackOf("after") != null);
    }

    @Test
    void aBrokenTcpConnectionIsReplaced() throws Exception {
        try (CountingProxy proxy = new CountingProxy()) {
            bed = LongConnectionBed.start(feishu, "proxy=" + proxy.address());
            bed.connection(1);

            proxy.cutAll();

            bed.connection(2);
            assertThat(bed.status().lastDisconnectReason()).contains("transport error");
        }
    }

    @Test
    void anEndpointRequestWithoutAnswerTimesOutAndIsRetried() throws Exception {
        feishu.endpointAnswers(EndpointAnswer.hang());
        long started = System.nanoTime();
        bed = LongConnectionBed.start(feishu, "connectTimeout=300");

        bed.connection(1);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(300 + 150 + 1500);
        assertThat(feishu.endpointCalls()).hasSize(2);
        assertThat(bed.status().lastDisconnectReason()).contains("no answer within 300 ms");
    }

    @Test
    void aHandshakeWithoutAnswerTimesOutAndIsRetriedWithAFreshTicket() throws Exception {
        feishu.handshakeAnswers(HandshakeAnswer.hang());
        bed = LongConnectionBed.start(feishu, "connectTimeout=300");

        bed.connection(1);

        assertThat(feishu.handshakes()).isEqualTo(2);
        assertThat(feishu.endpointCalls()).hasSize(2);
        assertThat(feishu.reusedTickets()).isZero();
        assertThat(bed.status().lastDisconnectReason()).contains("connection attempt failed");
    }

    @Test
    void feishusOwnTroubleIsRetried() throws Exception {
        feishu.endpointAnswers(EndpointAnswer.code(1, "system busy"), EndpointAnswer.code(1000040343, "internal error"));
        bed = LongConnectionBed.start(feishu, "");

        bed.connection(1);

        assertThat(feishu.endpointCalls()).hasSize(3);
        assertThat(bed.status().reconnects()).isEqualTo(2);
    }

    @Test
    void aClientErrorFromTheEndpointIsReportedAndNotRetriedUntilAskedTo() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            feishu.endpointAnswers(EndpointAnswer.code(10003, "invalid app_secret"));
            bed = LongConnectionBed.start(feishu, "");

            await().atMost(Duration.ofSeconds(3)).until(() -> bed.status().state() == State.REFUSED);
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> feishu.endpointCalls().size() == 1);
            LongConnectionStatus status = bed.status();
            assertThat(status.refusalCode()).isEqualTo(10003);
            assertThat(status.refusalMessage()).isEqualTo("invalid app_secret");
            assertThat(status.connects()).isZero();
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("ERROR") && line.contains("app default refused")
                    && line.contains("10003"));

            bed.consumer().reconnect();

            bed.connection(1);
            assertThat(bed.status().refusalCode()).isNull();
        }
    }

    @ParameterizedTest(name = "Handshake-Status {0}, Handshake-Autherrcode {1} refuses: {2}")
    @CsvSource({"514, 1000040350, true", "403, 0, true", "514, 1000040351, false", "500, 0, false"})
    void aHandshakeRefusalAboutTheAppStopsTheAttempts(int status, int authCode, boolean refused) throws Exception {
        Map<String, String> headers = new HashMap<>(Map.of("Handshake-Status", Integer.toString(status), "Handshake-Msg", "refused"));
        if (authCode != 0) {
            headers.put("Handshake-Autherrcode", Integer.toString(authCode));
        }
        feishu.handshakeAnswers(HandshakeAnswer.refuse(status == 514 ? 400 : status, headers));
        bed = LongConnectionBed.start(feishu, "");

        if (refused) {
            await().atMost(Duration.ofSeconds(3)).until(() -> bed.status().state() == State.REFUSED);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> feishu.handshakes() == 1);
            assertThat(bed.status().refusalCode()).isEqualTo(authCode != 0 ? authCode : status);
        } else {
            bed.connection(1);
            assertThat(feishu.handshakes()).isEqualTo(2);
        }
    }

    @Test
    void withAProxyTheEndpointRequestAndTheWebSocketGoThroughIt() throws Exception {
        try (CountingProxy proxy = new CountingProxy()) {
            bed = LongConnectionBed.start(feishu, "proxy=" + proxy.address());
            Connection connection = bed.connection(1);

            connection.sendEvent("via-proxy", EVENT);

            await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("via-proxy") != null);
            assertThat(proxy.forwarded() + proxy.tunnels()).isPositive();
            assertThat(feishu.endpointCalls()).extracting(ScriptedFeishu.EndpointCall::remotePort)
                    .as("the endpoint request came from the proxy").isNotEmpty().isSubsetOf(proxy.upstreamPorts());
            assertThat(feishu.handshakePorts()).as("the WebSocket came from the proxy").isNotEmpty()
                    .isSubsetOf(proxy.upstreamPorts());
        }
    }

    @Test
    void reconnectReplacesTheConnection() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        Connection first = bed.connection(1);
        assertThat(bed.status().connectionId()).isEqualTo("dev-1");

        bed.consumer().reconnect();

        bed.connection(2);
        await().atMost(Duration.ofSeconds(2)).until(first::closed);
        LongConnectionStatus status = bed.status();
        assertThat(status.connectionId()).isEqualTo("dev-2");
        assertThat(status.connects()).isEqualTo(2);
        assertThat(status.reconnects()).isEqualTo(1);
        assertThat(status.lastDisconnectReason()).isEqualTo("reconnect asked");
        assertThat(status.connectedSince()).isNotNull();
        assertThat(status.app()).isEqualTo("default");
    }

    @Test
    void startingDoesNotWaitForFeishuNorFailWhenItIsUnreachable() throws Exception {
        feishu.endpointAnswers(EndpointAnswer.hang());
        long started = System.nanoTime();

        bed = LongConnectionBed.start(feishu, "connectTimeout=5000");

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2000);
        assertThat(bed.camel.getRouteController().getRouteStatus("long-connection").isStarted()).isTrue();
        assertThat(bed.status().state()).isEqualTo(State.CONNECTING);
    }

    @Test
    void aGracefulStopFinishesTheEventInFlightAndLeavesLaterOnesToFeishu() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        CountDownLatch inRoute = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LogCapture logs = new LogCapture().withDebug()) {
            bed = LongConnectionBed.start(feishu, "stopTimeout=5000", route -> route.process(exchange -> {
                inRoute.countDown();
                release.await(5, TimeUnit.SECONDS);
            }));
            Connection connection = bed.connection(1);
            FeishuEventsConsumer consumer = bed.consumer();
            connection.sendEvent("in-flight", EVENT);
            assertThat(inRoute.await(3, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(bed.camel::stop);
            await().atMost(Duration.ofSeconds(2)).until(() -> consumer.status().state() == State.STOPPING);
            connection.sendEvent("late", EVENT);
            await().atMost(Duration.ofSeconds(2)).until(() -> logs.lines().stream()
                    .anyMatch(line -> line.contains("Message late on conn_id=dev-1 not taken: stopping")));
            release.countDown();
            stopping.get(10, TimeUnit.SECONDS);
            bed = null;

            await().atMost(Duration.ofSeconds(2)).until(connection::closed);
            assertThat(connection.ackOf("in-flight")).isNotNull();
            assertThat(connection.ackNanos().get(0)).isLessThan(connection.closedNanos());
            assertThat(connection.closeStatus()).isEqualTo((short) 1000);
            assertThat(connection.ackOf("late")).isNull();
            assertThat(consumer.status().eventsReceived()).isEqualTo(1);
            assertThat(consumer.status().state()).isEqualTo(State.STOPPED);
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(threadsLeft(before)).isEmpty());
        }
    }

    /** Threads started since {@code before} that are still alive and ours, or would keep the JVM running. */
    private static List<String> threadsLeft(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.isAlive())
                .filter(thread -> thread.getName().contains("FeishuEvents")
                        || (!thread.isDaemon() && !thread.getName().startsWith("vert.x-")
                            && !thread.getName().startsWith("awaitility")))
                .map(Thread::getName).collect(Collectors.toList());
    }

    @Test
    void neitherTheSecretNorTheTicketReachesALogLineOrAUri() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            feishu.endpointAnswers(EndpointAnswer.code(1, "system busy"));
            feishu.handshakeAnswers(HandshakeAnswer.refuse(500, Map.of()));
            bed = LongConnectionBed.start(feishu, "");
            Connection first = bed.connection(1);
            first.close(1011, "restart");
            bed.connection(2);
            bed.close();
            bed = null;

            assertThat(logs.lines()).anyMatch(line -> line.contains("connected: conn_id=dev-"))
                    .noneMatch(line -> line.contains(ScriptedFeishu.APP_SECRET))
                    .noneMatch(line -> line.contains("tkt-") || line.contains("ak-"));
            assertThat(feishu.app().toString()).doesNotContain(ScriptedFeishu.APP_SECRET);
            Set<ObjectName> mbeans = ManagementFactory.getPlatformMBeanServer().queryNames(null, null);
            assertThat(mbeans).noneMatch(name -> name.toString().contains(ScriptedFeishu.APP_SECRET));
        }
    }

    @Test
    void endpointUrisCarryNoSecretAndUnknownOptionsAreRefused() throws Exception {
        bed = LongConnectionBed.start(feishu, "maxInFlight=3");

        assertThat(bed.camel.getEndpoints()).allSatisfy(endpoint ->
                assertThat(endpoint.getEndpointUri()).doesNotContain(ScriptedFeishu.APP_SECRET));
        FeishuEventsEndpoint endpoint = bed.camel.getEndpoint("feishu-events:default?maxInFlight=3", FeishuEventsEndpoint.class);
        assertThat(endpoint.getOptions().getMaxInFlight()).isEqualTo(3);
        assertThat(endpoint.getOptions().getPingInterval()).as("the component's default").isEqualTo(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bed.camel.getEndpoint("feishu-events:default?appSecret=x"))
                .hasMessageContaining("appSecret");
    }
}

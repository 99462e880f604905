package dev.hrbridge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.hrbridge.api.RawConnection.event;
import static dev.hrbridge.api.RawConnection.exchange;
import static dev.hrbridge.api.RawConnection.webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The business port against clients that hold connections open, send slowly, or send what cannot be read: each is
 * answered with a JSON error or closed in time, and neither delays nor locks out the requests that matter.
 */
class ConnectionLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "/webhooks/feishu/events";
    /** Health as a probe asks for it: on a new connection each time. */
    // the management port answers only requests addressed to a loopback name (no DNS rebinding)
    static final String HEALTH = "GET /observe/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    private static int port(TestBridge bridge) {
        return bridge.api("/").getPort();
    }

    private static BusinessHttpServer server(TestBridge bridge) {
        return bridge.bridge().context().hasService(BusinessHttpServer.class);
    }

    /** The JSON body of a raw answer, checked for the project's error shape. */
    private static JsonNode error(String answer) throws IOException {
        JsonNode error = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(error.path("error").asText()).isNotBlank();
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    /** One more byte of a head that never ends, as long as the server lets the client send. */
    private static void sendOneByte(RawConnection client) {
        try {
            client.send("a");
        } catch (IOException closed) {
            // the server cut it off
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** One instance, with the settings of {@link #settings(Path)}, for the tests of a nested class. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OneInstance {

        TestBridge bridge;

        abstract Map<String, String> settings(Path dir) throws IOException;

        @BeforeAll
        void start(@TempDir Path dir) throws Exception {
            bridge = TestBridge.start(dir, settings(dir));
            // once started, the sandbox's store app asks Feishu for its app_ticket, which the simulator pushes to the
            // business port: that connection is done before the tests count theirs
            AppTickets tickets = bridge.bridge().context().getRegistry().lookupByNameAndType("appTickets", AppTickets.class);
            FeishuApp store = bridge.bridge().context().getRegistry().lookupByNameAndType("feishuApps", FeishuApps.class).get("store");
            bridge.bridge().appTicketsAsked().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> tickets.current(store).isPresent());
        }

        @AfterAll
        void stop() {
            bridge.close();
        }
    }

    @Nested
    class WhenOneClientMisbehaves extends OneInstance {

        @Override
        Map<String, String> settings(Path dir) {
            return Map.of("hrb.server.head-timeout-ms", "700", "hrb.server.body-timeout-ms", "700", "hrb.server.idle-timeout-ms", "2500");
        }

        /** Reads what the server sends a stalled client: a 408 naming the part that did not arrive, once its timeout passed. */
        private void assertCutOffWith408(RawConnection client, String part) throws IOException {
            long start = System.nanoTime();
            String answer = client.readUntilClosed();
            assertThat(answer).startsWith("HTTP/1.1 408 ");
            assertThat(error(answer).path("error").asText()).isEqualTo("request_timeout");
            assertThat(error(answer).path("message").asText()).contains(part);
            assertThat(millisSince(start)).isBetween(650L, 5_000L);
        }

        @Test
        void aConnectionThatSendsNothingIsAnswered408AndClosedOnceTheHeadTimeoutPasses() throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                assertCutOffWith408(client, "head");
            }
        }

        @Test
        void aHeadSentByteByByteIsCutOffAtTheHeadTimeoutThoughItsBytesKeepComing() throws Exception {
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send("GET /api/v1/events HTTP/1.1\r\nHost: hr-bridge\r\nX-Slow: ");
                trickle.scheduleAtFixedRate(() -> sendOneByte(client), 50, 50, TimeUnit.MILLISECONDS);
                assertCutOffWith408(client, "head");
            } finally {
                trickle.shutdownNow();
            }
        }

        @Test
        void aBodyThatStopsHalfWayIsAnswered408AndClosed() throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send("POST " + EVENTS + " HTTP/1.1\r\nHost: hr-bridge\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"schema\":");
                assertCutOffWith408(client, "body");
            }
        }

        @Test
        void theNextHeadOnAKeptAliveConnectionMustArriveWithinTheHeadTimeoutOfItsFirstByte() throws Exception {
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send(webhook("keep-alive"));
                assertThat(client.readAnswer()).startsWith("HTTP/1.1 200 ");
                client.send("GET /api/v1/events HTTP/1.1\r\nHost: hr-bridge\r\nX-Slow: ");
                long start = System.nanoTime();
                trickle.scheduleAtFixedRate(() -> sendOneByte(client), 50, 50, TimeUnit.MILLISECONDS);
                assertThat(client.readUntilClosed()).startsWith("HTTP/1.1 408 ");
                assertThat(millisSince(start)).as("cut off by the head timeout, not the idle timeout").isBetween(650L, 2_000L);
            } finally {
                trickle.shutdownNow();
            }
        }

        @Test
        void aKeptAliveConnectionWithNoRequestIsClosedSilentlyAfterTheIdleTimeout() throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send(webhook("keep-alive"));
                assertThat(client.readAnswer()).startsWith("HTTP/1.1 200 ");
                long answered = System.nanoTime();
                assertThat(client.readUntilClosed()).isEmpty();
                assertThat(millisSince(answered)).isBetween(2_400L, 7_000L);
            }
        }

        @Test
        void aKeptAliveConnectionTakesItsNextRequestLongAfterTheHeadTimeoutButWithinTheIdleTimeout() throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send(webhook("keep-alive"));
                assertThat(client.readAnswer()).startsWith("HTTP/1.1 200 ");
                assertThat(client.quietAndOpen(Duration.ofMillis(1_200))).isTrue();
                client.send(webhook("keep-alive"));
                assertThat(client.readAnswer()).startsWith("HTTP/1.1 200 ");
            }
        }

        @Test
        void aClientSendingFarMoreRequestsThanItReadsAnswersIsCutOff() throws Exception {
            String request = "GET /api/v1/events HTTP/1.1\r\nHost: hr-bridge\r\n\r\n";
            try (RawConnection client = new RawConnection(port(bridge))) {
                String answers = client.send(request.repeat(1_000)).readUntilClosed();
                assertThat(answers).doesNotContain("<still open>");
                assertThat(Pattern.compile("(?m)^HTTP/1\\.1 401 ").matcher(answers).results().count())
                        .isLessThanOrEqualTo(ConnectionGuard.MOST_REQUESTS_AHEAD);
            }
        }

        @Test
        void aFewPipelinedRequestsAreAllAnswered() throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                client.send(webhook("keep-alive") + webhook("keep-alive") + webhook("close"));
                String answers = client.readUntilClosed();
                assertThat(Pattern.compile("(?m)^HTTP/1\\.1 200 ").matcher(answers).results().count()).isEqualTo(3);
            }
        }

        static Stream<Arguments> framingReadTwoWays() {
            String smuggled = "GET /api/v1/events HTTP/1.1\r\nHost: hr-bridge\r\n\r\n";
            String head = "POST " + EVENTS + " HTTP/1.1\r\nHost: hr-bridge\r\nContent-Type: application/json\r\n";
            return Stream.of(
                    arguments("Content-Length beside chunked", head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\n" + smuggled),
                    arguments("chunked beside Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 48\r\n\r\n"
                            + "0\r\n\r\n" + smuggled),
                    arguments("both on HTTP/1.0", head.replace("HTTP/1.1", "HTTP/1.0")
                            + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
                    arguments("chunked on HTTP/1.0", head.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\n" + smuggled),
                    arguments("a transfer coding other than chunked", head + "Transfer-Encoding: gzip\r\n\r\n" + smuggled),
                    arguments("gzip then chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled),
                    arguments("chunked twice", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\n" + smuggled));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("framingReadTwoWays")
        void aRequestWhoseBodyLengthCouldBeReadTwoWaysIsAnswered400AndItsConnectionClosed(String name, String request)
                throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                String answer = client.send(request).readUntilClosed();
                assertThat(answer).matches("(?s)HTTP/1\\.[01] 400 .*").doesNotContain("<still open>");
                assertThat(error(answer).path("error").asText()).isEqualTo("invalid_framing");
                assertThat(Pattern.compile("(?m)^HTTP/1\\.[01] \\d{3} ").matcher(answer).results().count())
                        .as("the request hidden behind it is never answered").isEqualTo(1);
            }
        }

        @Test
        void aChunkedWebhookWithoutContentLengthIsStillTaken() throws Exception {
            String body = event();
            try (RawConnection client = new RawConnection(port(bridge))) {
                String answer = client.send("POST " + EVENTS + " HTTP/1.1\r\nHost: hr-bridge\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n"
                        + body + "\r\n0\r\n\r\n").readUntilClosed();
                assertThat(answer).startsWith("HTTP/1.1 200 ").contains("\"stored\"");
            }
        }

        @Test
        void aBodyLimitSetForAPathPrefixAppliesThereWhileOtherPathsKeepTheServerWideOne() throws Exception {
            server(bridge).limitBody("/api/v1/offboardings/", 100);
            String body = "{\"offboarding_id\":\"7095671727698478604\",\"operator_id\":\"" + "6".repeat(150) + "\"}";
            String limited = exchange(port(bridge), api("/api/v1/offboardings/revoke", body));
            String elsewhere = exchange(port(bridge), api("/api/v1/iot/employees", body));
            assertThat(limited).startsWith("HTTP/1.1 413 ");
            assertThat(error(limited).path("error").asText()).isEqualTo("body_too_large");
            assertThat(elsewhere).startsWith("HTTP/1.1 422 ");
        }

        private static String api(String path, String body) {
            return "POST " + path + " HTTP/1.1\r\nHost: hr-bridge\r\nAuthorization: Bearer sandbox-token\r\n"
                    + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        }

        static Stream<Arguments> unreadable() {
            return Stream.of(
                    arguments("a request line over 4096 bytes", "GET /" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                            414, "uri_too_long"),
                    arguments("headers over 8192 bytes", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9_000) + "\r\n\r\n",
                            431, "headers_too_large"),
                    arguments("a request line that is not HTTP", "HELLO THERE\r\n\r\n", 400, "bad_request"),
                    arguments("a header name with a space", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n", 400, "bad_request"),
                    arguments("HTTP/2.0 spoken as text", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"),
                    arguments("a Content-Length that is not a number", "POST " + EVENTS + " HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Length: ten\r\n\r\n", 400, "bad_request"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("unreadable")
        void aRequestTheServerCannotReadIsAnsweredWithAJsonErrorAndItsConnectionClosed(String name, String request, int status,
                                                                                      String code) throws Exception {
            try (RawConnection client = new RawConnection(port(bridge))) {
                String answer = client.send(request).readUntilClosed();
                assertThat(answer).matches("(?s)HTTP/\\d\\.\\d " + status + " .*").doesNotContain("<still open>")
                        .containsIgnoringCase("content-type: application/json");
                assertThat(error(answer).path("error").asText()).isEqualTo(code);
            }
        }
    }

    @Nested
    class UnderACrowdOfStalledConnections extends OneInstance {

        @Override
        Map<String, String> settings(Path dir) {
            return Map.of("hrb.server.head-timeout-ms", "15000", "hrb.server.idle-timeout-ms", "15000");
        }

        @Test
        void thousandsOfIdleAndTricklingConnectionsDelayNeitherWebhookNorHealthAndAreClosedByTheirTimeouts() throws Exception {
            List<RawConnection> idle = new ArrayList<>();
            List<RawConnection> trickling = Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try {
                // the first calls of a fresh JVM load classes on both sides: not what is measured here
                assertThat(exchange(port(bridge), webhook("close"))).startsWith("HTTP/1.1 200 ");
                assertThat(exchange(bridge.management("/").getPort(), HEALTH)).startsWith("HTTP/1.1 200 ");
                long opening = System.nanoTime();
                for (int i = 0; i < 2_500; i++) {
                    idle.add(new RawConnection(port(bridge)));
                }
                for (int i = 0; i < 300; i++) {
                    trickling.add(new RawConnection(port(bridge)).send("POST " + EVENTS + " HTTP/1.1\r\nHost: hr-bridge\r\nX-Slow: "));
                }
                trickle.scheduleAtFixedRate(() -> trickling.forEach(ConnectionLimitsTest::sendOneByte), 100, 100,
                        TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> server(bridge).openConnections() >= 2_800);
                long opened = millisSince(opening);

                List<Long> webhook = new ArrayList<>();
                List<Long> health = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    assertThat(exchange(port(bridge), webhook("close"))).startsWith("HTTP/1.1 200 ");
                    webhook.add(millisSince(start));
                    start = System.nanoTime();
                    assertThat(exchange(bridge.management("/").getPort(), HEALTH)).startsWith("HTTP/1.1 200 ").contains("UP");
                    health.add(millisSince(start));
                }
                assertThat(server(bridge).openConnections()).as("the crowd was held while measuring").isGreaterThanOrEqualTo(2_800);
                Collections.sort(webhook);
                Collections.sort(health);
                System.out.printf("2,500 idle + 300 trickling connections opened in %d ms; on new connections, a webhook was "
                        + "answered in %d ms (median) and %d ms (max), health in %d ms (median) and %d ms (max), 20 each%n",
                        opened, webhook.get(10), webhook.get(19), health.get(10), health.get(19));
                assertThat(webhook.get(19)).isLessThan(1_000);
                assertThat(health.get(19)).isLessThan(1_000);

                await().atMost(Duration.ofSeconds(30)).until(() -> server(bridge).openConnections() == 0);
                assertThat(idle.get(0).readUntilClosed()).startsWith("HTTP/1.1 408 ");
                assertThat(trickling.get(0).readUntilClosed()).startsWith("HTTP/1.1 408 ");
            } finally {
                trickle.shutdownNow();
                for (RawConnection client : idle) {
                    client.close();
                }
                for (RawConnection client : trickling) {
                    client.close();
                }
            }
        }
    }

    @Nested
    class AtTheConnectionLimit extends OneInstance {

        /** Small enough that the slow route can keep every connection busy at once. */
        static final int LIMIT = 10;
        static final String STALLED_BODY = "POST " + EVENTS + " HTTP/1.1\r\nHost: hr-bridge\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{";

        final List<RawConnection> clients = new ArrayList<>();

        @Override
        Map<String, String> settings(Path dir) throws IOException {
            Path routes = Files.createDirectories(dir.resolve("routes"));
            Files.writeString(routes.resolve("slow.camel.yaml"), """
                    - route:
                        id: slow-answer
                        from:
                          uri: platform-http:/test/slow
                          steps:
                            - delay:
                                constant: 3000
                            - setBody:
                                constant: done
                    """);
            return Map.of("hrb.server.max-connections", String.valueOf(LIMIT), "hrb.routes.dir", routes.toString());
        }

        @AfterEach
        void closeClients() throws IOException {
            for (RawConnection client : clients) {
                client.close();
            }
            clients.clear();
            await().atMost(Duration.ofSeconds(5)).until(() -> server(bridge).openConnections() == 0);
        }

        private RawConnection open(String request) throws IOException {
            RawConnection client = new RawConnection(port(bridge)).send(request);
            clients.add(client);
            return client;
        }

        private void open(int count, String request) throws IOException {
            for (int i = 0; i < count; i++) {
                open(request);
            }
        }

        private void awaitOpen(int count) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server(bridge).openConnections() == count);
        }

        @Test
        void aNewRequestClosesTheConnectionThatWaitedLongestWithoutARequest() throws Exception {
            open(LIMIT, "");
            awaitOpen(LIMIT);

            assertThat(open(webhook("close")).readUntilClosed()).startsWith("HTTP/1.1 200 ");

            String closed = clients.get(0).readUntilClosed();
            assertThat(closed).startsWith("HTTP/1.1 503 ");
            assertThat(error(closed).path("error").asText()).isEqualTo("too_many_connections");
            assertThat(clients.get(1).quietAndOpen(Duration.ofMillis(200))).isTrue();
            assertThat(clients.get(LIMIT - 1).quietAndOpen(Duration.ofMillis(200))).isTrue();
        }

        @Test
        void aConnectionWithoutARequestGivesWayBeforeAnOlderOneStillSendingItsBody() throws Exception {
            open(LIMIT / 2, STALLED_BODY);
            open(LIMIT / 2, "");
            awaitOpen(LIMIT);

            assertThat(open(webhook("close")).readUntilClosed()).startsWith("HTTP/1.1 200 ");

            assertThat(clients.get(LIMIT / 2).readUntilClosed()).startsWith("HTTP/1.1 503 ");
            assertThat(clients.get(0).quietAndOpen(Duration.ofMillis(200))).isTrue();
        }

        @Test
        void whenEveryConnectionIsSendingABodyTheOneSendingLongestGivesWay() throws Exception {
            open(LIMIT, STALLED_BODY);
            awaitOpen(LIMIT);

            assertThat(open(webhook("close")).readUntilClosed()).startsWith("HTTP/1.1 200 ");

            assertThat(clients.get(0).readUntilClosed()).startsWith("HTTP/1.1 503 ");
            assertThat(clients.get(1).quietAndOpen(Duration.ofMillis(200))).isTrue();
        }

        @Test
        void whenEveryConnectionIsBeingAnsweredANewOneIsRefused503AndTheAnswersAreNotDisturbed() throws Exception {
            open(LIMIT, "GET /test/slow HTTP/1.1\r\nHost: hr-bridge\r\n\r\n");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> bridge.bridge().context().getInflightRepository().size("slow-answer") == LIMIT);

            String refused = open(webhook("close")).readUntilClosed();
            assertThat(refused).startsWith("HTTP/1.1 503 ");
            assertThat(error(refused).path("error").asText()).isEqualTo("too_many_connections");

            for (int i = 0; i < LIMIT; i++) {
                assertThat(clients.get(i).readAnswer()).startsWith("HTTP/1.1 200 ").endsWith("done");
            }
            assertThat(open(webhook("close")).readUntilClosed()).startsWith("HTTP/1.1 200 ");
        }

        @Test
        void aSecondInstanceOnAPortAlreadyInUseFailsToStartNamingThePortAndItsSetting(@TempDir Path otherDir) {
            int taken = port(bridge);
            assertThatThrownBy(() -> TestBridge.start(otherDir, Map.of("camel.server.port", String.valueOf(taken))).close())
                    .hasMessageContaining(":" + taken).hasMessageContaining("camel.server.port (CAMEL_SERVER_PORT)");
        }
    }
}

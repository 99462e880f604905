package dev.hrbridge.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** POST /webhooks/feishu/events: verified, stored before the 200, deduplicated, routed by event type. */
class FeishuWebhookTest {

    static final String ENCRYPT_KEY = "hrb-test-encrypt-key";
    static final String TOKEN = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV";
    static final String QR_EVENT = Fixtures.read("event-onboarding-qr-code-inactive.json");
    static final String ECO_EVENT = Fixtures.read("event-eco-account-created.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static FeishuPush feishu;
    static InboxRepository inbox;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("feishu.encrypt-key", ENCRYPT_KEY, "feishu.verification-token", TOKEN));
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), ENCRYPT_KEY);
        inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @BeforeEach
    void emptyInbox() throws Exception {
        sql("DELETE FROM inbox");
    }

    @Test
    void theSeedQrCodeEventIsStoredAnsweredAndRoutedToTheQrCodeFlow() throws Exception {
        NotifyBuilder routed = routedTo("onboarding-qr-code-inactive", 1);
        HttpResponse<String> answer = feishu.plain(QR_EVENT);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("stored");
        assertThat(routed.matches(10, TimeUnit.SECONDS)).isTrue();
        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:corehr.onboarding_qr_code.inactive_v2:5e3702a84e847582be8db7fb73283c02");
        assertThat(stored.state()).isEqualTo(State.SUCCEEDED);
        assertThat(stored.kind()).isEqualTo(InboxMessage.Kind.EVENT);
        assertThat(JSON.readTree(stored.payload())).isEqualTo(JSON.readTree(QR_EVENT));
    }

    @Test
    void theSeedEcoAccountEventEncryptedAndSignedIsDecryptedAndRoutedToItsFlow() throws Exception {
        NotifyBuilder routed = routedTo("eco-account-created", 1);
        HttpResponse<String> answer = feishu.encrypted(ECO_EVENT);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(routed.matches(10, TimeUnit.SECONDS)).isTrue();
        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:hire.eco_account.created_v1:5e3702a84e847582be8db7fb73283c02");
        assertThat(JSON.readTree(stored.payload()).path("event").path("account_id").asText()).isEqualTo("6931286400470354183");
    }

    @Test
    void aV1EnvelopeIsAcceptedAndDeduplicatedByUuid() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String event = FeishuPush.v1Event("hire.eco_account.created_v1", uuid, TOKEN);
        assertThat(feishu.plain(event).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(feishu.encrypted(event).body()).path("status").asText()).isEqualTo("duplicate");
        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:hire.eco_account.created_v1:" + uuid);
        // processed once; the eco flow keeps this account-less event as UNHANDLED
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void urlVerificationIsAnsweredWithTheChallengeEvenUnsigned() throws Exception {
        String handshake = "{\"challenge\":\"ajls384kdjx98XX\",\"token\":\"" + TOKEN + "\",\"type\":\"url_verification\"}";
        HttpResponse<String> plain = feishu.unsigned(handshake);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(plain.body())).isEqualTo(JSON.readTree("{\"challenge\":\"ajls384kdjx98XX\"}"));
        HttpResponse<String> encrypted = feishu.send(feishu.encryptedBody(handshake), false, "application/json");
        assertThat(JSON.readTree(encrypted.body()).path("challenge").asText()).isEqualTo("ajls384kdjx98XX");
        assertThat(count()).isZero();
    }

    @Test
    void urlVerificationWithAWrongTokenIs401() throws Exception {
        HttpResponse<String> answer = feishu.unsigned("{\"challenge\":\"c\",\"token\":\"wrong\",\"type\":\"url_verification\"}");
        assertError(answer, 401, "bad_token");
    }

    @Test
    void aRedeliveredEventIsAnswered200AndProcessedOnce() throws Exception {
        NotifyBuilder routed = routedTo("eco-account-created", 1);
        String event = FeishuPush.v2Event("hire.eco_account.created_v1", "redelivered-1", TOKEN, "{\"scope\":1}");
        for (int i = 0; i < 3; i++) {
            assertThat(feishu.plain(event).statusCode()).isEqualTo(200);
        }
        assertThat(routed.matches(10, TimeUnit.SECONDS)).isTrue();
        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:hire.eco_account.created_v1:redelivered-1");
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void concurrentDuplicatesAreAllAnswered200AndStoredAndProcessedOnce() throws Exception {
        NotifyBuilder routed = routedTo("eco-account-created", 2);
        String event = FeishuPush.v2Event("hire.eco_account.created_v1", "concurrent-1", TOKEN, "{\"scope\":2}");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<HttpResponse<String>>> sends = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                sends.add(() -> feishu.encrypted(event));
            }
            List<String> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : pool.invokeAll(sends)) {
                assertThat(answer.get().statusCode()).isEqualTo(200);
                statuses.add(JSON.readTree(answer.get().body()).path("status").asText());
            }
            assertThat(statuses).containsOnlyOnce("stored");
        } finally {
            pool.shutdown();
        }
        awaitFinal("feishu:cli_9f5343c580712544:hire.eco_account.created_v1:concurrent-1");
        assertThat(routed.matches(2, TimeUnit.SECONDS)).as("processed a second time").isFalse();
        assertThat(count()).isEqualTo(1);
    }

    /** Completes when {@code n} events went through the event router to the route {@code flowRoute}. */
    private static NotifyBuilder routedTo(String flowRoute, int n) {
        return new NotifyBuilder(bridge.bridge().context()).fromRoute("event-router").wereSentTo("direct:" + flowRoute)
                .whenCompleted(n).create();
    }

    @Test
    void anUnknownEventTypeIsStoredAnswered200AndListedAsUnhandled() throws Exception {
        String event = FeishuPush.v2Event("im.message.receive_v1", "unknown-type-1", TOKEN, "{}");
        assertThat(feishu.plain(event).statusCode()).isEqualTo(200);
        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:im.message.receive_v1:unknown-type-1");
        assertThat(stored.state()).isEqualTo(State.UNHANDLED);
        HttpResponse<String> listed = TestBridge.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        bridge.api("/api/v1/events?state=unhandled")).header("Authorization", "Bearer sandbox-token").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode items = JSON.readTree(listed.body()).path("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("event_type").asText()).isEqualTo("im.message.receive_v1");
    }

    @Test
    void anEventNoFlowTakesIsStoredUnhandledWithoutRunningTheRouterAndOnlyOnce() throws Exception {
        NotifyBuilder routerRan = new NotifyBuilder(bridge.bridge().context()).fromRoute("event-router").whenDone(1).create();
        String event = FeishuPush.v2Event("bench.unrouted_v1", "unrouted-1", TOKEN, "{\"payload\":\"" + "x".repeat(50_000) + "\"}");
        assertThat(feishu.encrypted(event).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(feishu.encrypted(event).body()).path("status").asText()).isEqualTo("duplicate");

        InboxMessage stored = awaitFinal("feishu:cli_9f5343c580712544:bench.unrouted_v1:unrouted-1");
        assertThat(stored.state()).isEqualTo(State.UNHANDLED);
        assertThat(stored.outcome()).isEqualTo("no_flow_for_event_type");
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.leaseOwner()).isNull();
        assertThat(stored.payload()).contains("x".repeat(50_000));
        assertThat(routerRan.matches(1, TimeUnit.SECONDS)).as("the event router ran").isFalse();
    }

    @Test
    void anEventOfARouterBranchGoesThroughTheRouterToItsFlow() throws Exception {
        NotifyBuilder routed = routedTo("onboarding-qr-code-inactive", 1);
        String event = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", "routed-branch-1", TOKEN, "{}");
        assertThat(feishu.encrypted(event).statusCode()).isEqualTo(200);
        assertThat(routed.matches(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void badInputGetsItsStatusAndErrorCodeAndNothingIsStored() throws Exception {
        String good = FeishuPush.v2Event("hire.eco_account.created_v1", "bad-input", TOKEN, "{}");
        assertError(feishu.plain("{\"schema\":\"2.0\",\"header\":"), 400, "malformed_json");
        assertError(feishu.plain("[1,2,3]"), 400, "malformed_json");
        assertError(feishu.plain(good.replace("\"event_id\":\"bad-input\",", "")), 400, "missing_field");
        assertError(feishu.plain(good.replace("\"event_type\":\"hire.eco_account.created_v1\",", "")), 400, "missing_field");
        assertError(feishu.plain(good.replace("\"app_id\":\"cli_9f5343c580712544\",", "")), 400, "missing_field");
        assertError(feishu.plain("{\"encrypt\":\"%%% not base64 %%%\"}"), 400, "bad_base64");
        String encryptedWithAnotherKey = new String(new FeishuPush(null, "another-key").encryptedBody(good),
                StandardCharsets.UTF_8);
        assertError(feishu.plain(encryptedWithAnotherKey), 400, "undecryptable");
        assertError(feishu.unsigned(good), 401, "bad_signature");
        byte[] body = good.getBytes(StandardCharsets.UTF_8);
        assertError(feishu.sendWithHeaders(body, "Content-Type", "application/json", "X-Lark-Request-Timestamp", "1",
                "X-Lark-Request-Nonce", "n", "X-Lark-Signature", "00ff"), 401, "bad_signature");
        assertError(feishu.plain(good.replace(TOKEN, "wrong-token")), 401, "bad_token");
        assertError(feishu.send(body, true, "text/plain"), 415, "unsupported_media_type");
        assertError(feishu.send(body, true, null), 415, "unsupported_media_type");
        byte[] huge = new byte[8 * 1024 * 1024 + 10];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        HttpResponse<String> tooLarge = feishu.send(huge, true, "application/json");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(count()).isZero();
    }

    private static void assertError(HttpResponse<String> answer, int status, String code) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("error").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static InboxMessage awaitFinal(String dedupKey) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> inbox.findByDedupKey(dedupKey).orElse(null),
                m -> m != null && m.state() != State.PENDING && m.state() != State.PROCESSING);
    }

    private static int count() throws Exception {
        try (Connection c = inbox.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM inbox")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = inbox.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}

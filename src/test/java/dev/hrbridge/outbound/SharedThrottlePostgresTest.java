package dev.hrbridge.outbound;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.db.PostgresServer;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.qrcode.ManagedQrCode;
import dev.hrbridge.qrcode.ManagedQrCode.Status;
import dev.hrbridge.qrcode.QrCodeRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of one deployment on one PostgreSQL database call Feishu (WireMock, which records when each call
 * arrives) through one throttle: together they keep to the create API's limit, whichever instance takes the work.
 * <p>
 * Both instances run in this JVM. Each has its own Camel context, connection pool and throttle bean, and nothing of
 * the throttle is static, so they share what two processes share: the database. Without the shared throttle they
 * send twice the limit, which is what these tests catch.
 */
class SharedThrottlePostgresTest {

    static final String CREATE = "/open-apis/corehr/v2/onboarding_qr_codes";
    static final String LIMIT = "hrb.throttle.corehr.onboarding_qr_codes.create.";
    static final String TOKEN = "shared-throttle-token";
    static final String DIMENSIONS = "[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}}]";

    @TempDir
    Path dir;
    WireMockServer feishu;
    final List<TestBridge> instances = new ArrayList<>();

    @BeforeEach
    void startFeishu() {
        feishu = new WireMockServer(options().dynamicPort().containerThreads(40));
        feishu.start();
        feishu.stubFor(post("/open-apis/auth/v3/tenant_access_token/internal").willReturn(
                okJson("{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-shared\",\"expire\":7200}")));
        feishu.stubFor(post(CREATE).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":0,\"msg\":\"success\",\"data\":{\"qr_code\":{\"id\":\"{{randomValue type='UUID'}}\","
                        + "\"url\":\"https://example.feishu.cn/qr/{{randomValue type='UUID'}}\",\"png\":\"https://example.feishu.cn/qr.png\"}}}")
                .withTransformers("response-template")));
    }

    @AfterEach
    void stop() {
        instances.forEach(TestBridge::close);
        feishu.stop();
    }

    private void startTwoInstances(Map<String, String> limits) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres",
                "feishu.base-url", feishu.baseUrl(), "feishu.app-id", FeishuPush.APP_ID, "feishu.app-secret", "test-secret",
                "hrb.api.token", TOKEN, "qr.sweep.cron", "0 0 3 1 1 ?", "hrb.inbox.poll-interval-ms", "50"));
        settings.putAll(limits);
        instances.add(TestBridge.start(dir.resolve("a"), settings));
        instances.add(TestBridge.start(dir.resolve("b"), settings));
    }

    @Test
    void twoInstancesTogetherCreateNoMoreQrCodesInAMinuteThanTheLimit() throws Exception {
        startTwoInstances(Map.of(LIMIT + "per-minute", "20"));
        ExecutorService callers = Executors.newFixedThreadPool(6);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                ApiClient api = new ApiClient(instances.get(i % 2), TOKEN);
                answers.add(callers.submit(() -> api.post("/api/v1/onboarding-qr-codes",
                        "{\"dimension_value_list\":" + DIMENSIONS + "}")));
            }
            List<HttpResponse<String>> created = new ArrayList<>();
            List<HttpResponse<String>> limited = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                (response.statusCode() == 201 ? created : limited).add(response);
            }

            assertThat(created).hasSize(20);
            assertThat(limited).hasSize(40).allSatisfy(response -> {
                assertThat(response.statusCode()).isEqualTo(429);
                assertThat(ApiClient.json(response).path("error").asText()).isEqualTo("rate_limited");
                assertThat(Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
            });
            assertThat(feishu.findAll(postRequestedFor(urlPathEqualTo(CREATE)))).hasSize(20);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void rotationsSpreadOverTwoInstancesReachFeishuAtTheRateOfOneDeployment() throws Exception {
        int codes = 300;
        int perSecond = 30;
        // the minute's default (100) would stretch this over minutes; the per-second window is the same mechanism
        startTwoInstances(Map.of(LIMIT + "per-minute", "", LIMIT + "per-second", String.valueOf(perSecond)));
        QrCodeRepository repository = instances.get(0).bridge().context().getRegistry()
                .lookupByNameAndType("qrCodes", QrCodeRepository.class);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < codes; i++) {
            repository.insert(new ManagedQrCode("code-" + i, "u", "p", DIMENSIONS, Status.ACTIVE, null, null, Instant.now()));
            entries.add("{\"id\":\"code-" + i + "\",\"png\":\"https://example.feishu.cn/png?" + i + "\",\"url\":\"https://example.feishu.cn/url?" + i + "\"}");
        }
        // half of the codes go inactive through one instance's webhook, half through the other's
        for (int half = 0; half < 2; half++) {
            List<String> part = entries.subList(half * codes / 2, (half + 1) * codes / 2);
            String event = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", UUID.randomUUID().toString(), "t",
                    "{\"code_lists\":[" + String.join(",", part) + "]}");
            assertThat(new FeishuPush(instances.get(half).api("/webhooks/feishu/events"), null).plain(event).statusCode())
                    .isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> repository.list(Status.REPLACED, null, 1000).size() == codes);

        List<Long> arrivals = feishu.findAll(postRequestedFor(urlPathEqualTo(CREATE))).stream()
                .map(LoggedRequest::getLoggedDate).map(java.util.Date::getTime).sorted().toList();
        assertThat(arrivals).hasSize(codes);
        // The database grants no more than perSecond permits in any second, each right before its request leaves.
        // A request then arrives some milliseconds later, not always the same: on a loaded test machine up to a few
        // hundred. So half a second (not a full one) at WireMock holds no more than perSecond calls, and the 300 calls
        // take at least 9 s from first to last (less a second of that delay); without one count for both instances
        // each grants its own perSecond at once, and the calls take half as long.
        long window = 500;
        for (long start : arrivals) {
            long within = arrivals.stream().filter(at -> at >= start && at < start + window).count();
            assertThat(within).as("calls arriving within %d ms from %d", window, start).isLessThanOrEqualTo(perSecond);
        }
        assertThat(arrivals.get(codes - 1) - arrivals.get(0)).as("ms from the first call to the last")
                .isGreaterThanOrEqualTo((codes / perSecond - 1) * 1000L - 1000);
    }
}

package dev.hrbridge.feishu;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each (app, tenant)'s token is reused until 3 minutes before it expires, then fetched anew; a dropped one is
 * refetched; a store app's tenant tokens come from its app token, which comes from the stored app_ticket.
 */
class TenantTokenCacheTest {

    private static final String PATH = "/open-apis/auth/v3/tenant_access_token/internal";

    private static final String APP_TOKEN = "/open-apis/auth/v3/app_access_token";
    private static final String STORE_TENANT_TOKEN = "/open-apis/auth/v3/tenant_access_token";
    private static final String RESEND = "/open-apis/auth/v3/app_ticket/resend";
    private static final String STORE_APP_ID = "cli_store";

    @TempDir
    Path dir;

    private WireMockServer feishu;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private Clock clock;
    private Database database;
    private FeishuApp store;
    private AppTickets tickets;
    private TenantTokenCache cache;

    @BeforeEach
    void start() {
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        this.clock = clock;
        database = Database.open(Settings.load(Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath())));
        FeishuApps apps = FeishuApps.of(Settings.load(Map.of(), new Properties(), Map.of(
                "feishu.app-id", "cli_test", "feishu.app-secret", "secret",
                "feishu.apps.store.app-id", STORE_APP_ID, "feishu.apps.store.app-secret", "store-secret",
                "feishu.apps.store.type", "store")));
        store = apps.require("store");
        FeishuAuthApi auth = new FeishuAuthApi(feishu.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(5),
                new FeishuAnswerClassifier(), new OutboundMetrics(() -> null));
        tickets = new AppTickets(database.dataSource(), apps, auth, clock);
        cache = new TenantTokenCache(auth, apps, tickets, clock);
        feishu.stubFor(post(PATH).willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-1\",\"expire\":7200}")));
    }

    @AfterEach
    void stop() {
        feishu.stop();
        database.close();
    }

    @Test
    void theTokenIsReusedUntilThreeMinutesBeforeItExpires() {
        assertThat(cache.token()).isEqualTo("t-1");
        assertThat(cache.expiresAt()).isEqualTo(now.plusSeconds(7200));
        now = now.plusSeconds(7200 - 181);
        cache.token();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(PATH)));

        now = now.plusSeconds(2);
        cache.token();
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(PATH)));
        assertThat(cache.refreshCount()).isEqualTo(2);
    }

    @Test
    void anInvalidatedTokenIsFetchedAnewButAnOtherTokenIsNotDropped() {
        cache.token();
        cache.invalidate("t-other");
        cache.token();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(PATH)));
        cache.invalidate("t-1");
        assertThat(cache.expiresAt()).isNull();
        cache.token();
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aTokenEndpointOutageIsRetryableAndCounted() {
        feishu.stubFor(post(PATH).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(cache::token).isInstanceOf(RetryableFailure.class);
        assertThat(cache.failureCount()).isEqualTo(1);
        assertThat(cache.expiresAt()).isNull();
    }

    @Test
    void aHundredConcurrentCallsForOneStoreTenantFetchItsTokensOnce() throws Exception {
        tickets.store(STORE_APP_ID, "ticket-1", now, now);
        feishu.stubFor(post(APP_TOKEN).willReturn(okJson("{\"code\":0,\"app_access_token\":\"a-1\",\"expire\":7200}")
                .withFixedDelay(200)));
        feishu.stubFor(post(STORE_TENANT_TOKEN).willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-store-a\","
                + "\"expire\":7200}").withFixedDelay(200)));
        ExecutorService callers = Executors.newFixedThreadPool(100);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(callers.submit(() -> {
                    go.await();
                    return cache.token("store", "tenant-a");
                }));
            }
            go.countDown();
            for (Future<String> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("t-store-a");
            }
        } finally {
            callers.shutdownNow();
        }
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(APP_TOKEN)).withRequestBody(equalToJson(
                "{\"app_id\":\"cli_store\",\"app_secret\":\"store-secret\",\"app_ticket\":\"ticket-1\"}")));
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(STORE_TENANT_TOKEN)).withRequestBody(equalToJson(
                "{\"app_access_token\":\"a-1\",\"tenant_key\":\"tenant-a\"}")));
    }

    @Test
    void eachTenantOfAStoreAppHasItsOwnTokenAndTheSelfBuiltAppIgnoresTheTenant() throws Exception {
        tickets.store(STORE_APP_ID, "ticket-1", now, now);
        feishu.stubFor(post(APP_TOKEN).willReturn(okJson("{\"code\":0,\"app_access_token\":\"a-1\",\"expire\":7200}")));
        for (String tenant : List.of("tenant-a", "tenant-b")) {
            feishu.stubFor(post(STORE_TENANT_TOKEN).withRequestBody(matchingJsonPath("$.tenant_key", equalTo(tenant)))
                    .willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-" + tenant + "\",\"expire\":7200}")));
        }

        assertThat(cache.token("store", "tenant-a")).isEqualTo("t-tenant-a");
        assertThat(cache.token("store", "tenant-b")).isEqualTo("t-tenant-b");
        assertThat(cache.token("store", "tenant-a")).isEqualTo("t-tenant-a");
        assertThat(cache.token("default", "tenant-a")).isEqualTo(cache.token(null, "tenant-b")).isEqualTo("t-1");

        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(APP_TOKEN)));
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(STORE_TENANT_TOKEN)));
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(PATH)));
        assertThat(cache.tokens()).extracting(token -> token.key().app() + "/" + token.key().tenant() + "/" + token.key().kind())
                .containsExactly("default//tenant_access_token", "store//app_access_token", "store/tenant-a/tenant_access_token",
                        "store/tenant-b/tenant_access_token");
        assertThatThrownBy(() -> cache.token("store", null)).isInstanceOf(PermanentFailure.class)
                .hasMessageContaining("tenant_key");
    }

    @Test
    void aRefusedTenantTokenIsRefetchedForItsTenantOnlyAndARefusedAppTokenOnce() throws Exception {
        tickets.store(STORE_APP_ID, "ticket-1", now, now);
        feishu.stubFor(post(APP_TOKEN).inScenario("app").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"code\":0,\"app_access_token\":\"a-1\",\"expire\":7200}")).willSetStateTo("second"));
        feishu.stubFor(post(APP_TOKEN).inScenario("app").whenScenarioStateIs("second")
                .willReturn(okJson("{\"code\":0,\"app_access_token\":\"a-2\",\"expire\":7200}")));
        feishu.stubFor(post(STORE_TENANT_TOKEN).withRequestBody(matchingJsonPath("$.app_access_token", equalTo("a-1")))
                .willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-a-1\",\"expire\":7200}")));
        cache.token("store", "tenant-a");
        cache.token("store", "tenant-b");

        cache.invalidate("store", "tenant-a", "t-a-1");
        // Feishu now refuses the old app token (99991664): dropped, a new one fetched, the tenant token asked again once
        feishu.stubFor(post(STORE_TENANT_TOKEN).withRequestBody(matchingJsonPath("$.app_access_token", equalTo("a-1")))
                .willReturn(okJson("{\"code\":99991664,\"msg\":\"invalid app access token\"}")));
        feishu.stubFor(post(STORE_TENANT_TOKEN).withRequestBody(matchingJsonPath("$.app_access_token", equalTo("a-2")))
                .willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-a-2\",\"expire\":7200}")));

        assertThat(cache.token("store", "tenant-a")).isEqualTo("t-a-2");
        assertThat(cache.token("store", "tenant-b")).as("the other tenant keeps its token").isEqualTo("t-a-1");
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(APP_TOKEN)));
        feishu.verify(exactly(4), postRequestedFor(urlEqualTo(STORE_TENANT_TOKEN)));
    }

    @Test
    void withoutATicketFeishuIsAskedToResendAndTheCallIsRetryable() throws Exception {
        feishu.stubFor(post(RESEND).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));

        assertThatThrownBy(() -> cache.token("store", "tenant-a")).isInstanceOf(RetryableFailure.class)
                .hasMessageContaining("no app_ticket");
        assertThatThrownBy(() -> cache.token("store", "tenant-a")).isInstanceOf(RetryableFailure.class);

        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(RESEND)).withRequestBody(equalToJson(
                "{\"app_id\":\"cli_store\",\"app_secret\":\"store-secret\"}")));
        assertThat(tickets.problem(store)).isEqualTo("no app_ticket received");
        now = now.plus(AppTickets.RESEND_INTERVAL);
        assertThatThrownBy(() -> cache.token("store", "tenant-a")).isInstanceOf(RetryableFailure.class);
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(RESEND)));
    }

    @Test
    void aTicketFeishuRefusesIsDroppedAndANewOneAskedFor() throws Exception {
        tickets.store(STORE_APP_ID, "ticket-old", now, now);
        feishu.stubFor(post(RESEND).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));
        feishu.stubFor(post(APP_TOKEN).willReturn(okJson("{\"code\":10012,\"msg\":\"app_ticket is invalid\"}")));

        assertThatThrownBy(() -> cache.token("store", "tenant-a")).isInstanceOf(RetryableFailure.class);

        assertThat(tickets.current(store)).isEmpty();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(RESEND)));
    }

    @Test
    void theNewestTicketWinsWhateverOrderTheyArriveIn() throws Exception {
        Instant sent = now;
        assertThat(tickets.store(STORE_APP_ID, "ticket-2", sent.plusSeconds(3600), now)).isTrue();
        assertThat(tickets.store(STORE_APP_ID, "ticket-1", sent, now)).isFalse();
        assertThat(tickets.current(store)).get().extracting(AppTickets.Ticket::value).isEqualTo("ticket-2");
        assertThat(tickets.store(STORE_APP_ID, "ticket-3", sent.plusSeconds(7200), now)).isTrue();
        assertThat(tickets.current(store)).get().extracting(AppTickets.Ticket::value).isEqualTo("ticket-3");
        assertThat(AppTickets.sentAt("1502199207.7171419", now)).isEqualTo(Instant.parse("2017-08-08T13:33:27.717141900Z"));
    }
}

package dev.hrbridge.feishu;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.ops.SecretMasking;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider deployment against a stub Feishu (WireMock): the enterprise's own self-built app as the default app, and
 * the provider's store app {@code provider} installed by two Hire customers, each its own tenant. Store-app events come
 * to {@code /webhooks/feishu/provider/events}; its tokens come from the app_ticket Feishu pushes there, as Feishu's
 * "商店应用获取 app_access_token" / "商店应用获取 tenant_access_token" describe them.
 */
class StoreAppTenantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INTERNAL_TOKEN = "/open-apis/auth/v3/tenant_access_token/internal";
    private static final String APP_TOKEN = "/open-apis/auth/v3/app_access_token";
    private static final String TENANT_TOKEN = "/open-apis/auth/v3/tenant_access_token";
    private static final String RESEND = "/open-apis/auth/v3/app_ticket/resend";
    private static final String PACKAGES = "/open-apis/hire/v1/eco_background_check_packages";
    private static final String QR_CODES = "/open-apis/corehr/v2/onboarding_qr_codes";
    private static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";
    private static final String API_TOKEN = "store-test-api-token";
    private static final String STORE_APP_ID = "cli_a0store00provider";
    private static final String STORE_SECRET = "store-app-secret-4f1c";
    private static final String STORE_KEY = "store-encrypt-key-8d2e";
    private static final String STORE_TOKEN = "store-verification-token-19ab";
    private static final String DEFAULT_KEY = "default-encrypt-key-77c0";
    private static final String TENANT_A = "2ca1d211f64f6438";
    private static final String TENANT_B = "73658811060f175d";

    @TempDir
    static Path dir;

    static WireMockServer feishu;
    static TestBridge bridge;
    static ApiClient api;
    static FeishuPush store;

    @BeforeAll
    static void start() throws Exception {
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        stubFeishu(feishu);
        bridge = TestBridge.start(dir.resolve("shared"), settings(feishu));
        api = new ApiClient(bridge, API_TOKEN);
        store = new FeishuPush(bridge.api("/webhooks/feishu/provider/events"), STORE_KEY);
        assertThat(store.encrypted(appTicket("ticket-1", 1)).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        feishu.stop();
    }

    static Map<String, String> settings(WireMockServer feishu) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.base-url", feishu.baseUrl());
        settings.put("feishu.app-id", FeishuPush.APP_ID);
        settings.put("feishu.app-secret", "self-built-secret");
        settings.put("feishu.encrypt-key", DEFAULT_KEY);
        settings.put("feishu.apps.provider.app-id", STORE_APP_ID);
        settings.put("feishu.apps.provider.app-secret", STORE_SECRET);
        settings.put("feishu.apps.provider.type", "store");
        settings.put("feishu.apps.provider.encrypt-key", STORE_KEY);
        settings.put("feishu.apps.provider.verification-token", STORE_TOKEN);
        settings.put("hrb.api.token", API_TOKEN);
        settings.put("hrb.inbox.poll-interval-ms", "100");
        settings.put("hrb.retry.eco-account-binding.initial-delay-ms", "50");
        settings.put("hrb.retry.eco-account-binding.max-delay-ms", "200");
        return settings;
    }

    /** Feishu's auth endpoints: the resend, the self-built app's token, the store app's app and per-tenant tokens. */
    static void stubFeishu(WireMockServer feishu) {
        feishu.stubFor(post(RESEND).willReturn(okJson("{\"code\":0,\"msg\":\"success\"}")));
        feishu.stubFor(post(INTERNAL_TOKEN).willReturn(okJson(
                "{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-self-built\",\"expire\":7200}")));
        feishu.stubFor(post(APP_TOKEN).withRequestBody(matchingJsonPath("$.app_id", equalTo(STORE_APP_ID)))
                .withRequestBody(matchingJsonPath("$.app_secret", equalTo(STORE_SECRET)))
                .withRequestBody(matchingJsonPath("$.app_ticket", equalTo("ticket-1")))
                .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"app_access_token\":\"a-provider\",\"expire\":7200}")));
        for (String tenant : new String[] {TENANT_A, TENANT_B}) {
            feishu.stubFor(post(TENANT_TOKEN).withRequestBody(equalToJson(
                            "{\"app_access_token\":\"a-provider\",\"tenant_key\":\"" + tenant + "\"}"))
                    .willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"tenant_access_token\":\"t-" + tenant
                            + "\",\"expire\":7200}")));
        }
        feishu.stubFor(post(PACKAGES).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
    }

    @Test
    void twoTenantsOfTheStoreAppBindAccountsAndEachPushCarriesItsOwnTenantsToken() throws Exception {
        String accountA = newId();
        String accountB = newId();

        String eventA = sendEcoAccount(TENANT_A, accountA);
        String eventB = sendEcoAccount(TENANT_B, accountB);

        assertThat(awaitFinal(eventA).path("outcome").asText()).isEqualTo("pushed");
        assertThat(awaitFinal(eventB).path("outcome").asText()).isEqualTo("pushed");
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))
                .withHeader("Authorization", equalTo("Bearer t-" + TENANT_A))
                .withRequestBody(matchingJsonPath("$.account_id", equalTo(accountA))));
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))
                .withHeader("Authorization", equalTo("Bearer t-" + TENANT_B))
                .withRequestBody(matchingJsonPath("$.account_id", equalTo(accountB))));
        JsonNode ofA = api.getJson("/api/v1/eco-accounts?tenant_key=" + TENANT_A).path("items");
        assertThat(ofA.findValuesAsText("account_id")).contains(accountA).doesNotContain(accountB);
        assertThat(ofA.findValuesAsText("tenant_key")).containsOnly(TENANT_A);
        assertThat(ofA.findValuesAsText("feishu_app")).containsOnly("provider");
        assertThat(api.getJson("/api/v1/eco-accounts?tenant_key=" + TENANT_B).path("items").findValuesAsText("account_id"))
                .contains(accountB).doesNotContain(accountA);
    }

    @Test
    void theStoreAppsSecretsAreMaskedInEveryLogLine() {
        assertThat(SecretMasking.masked("secret " + STORE_SECRET + ", key " + STORE_KEY + ", token " + STORE_TOKEN))
                .isEqualTo("secret ****, key ****, token ****");
    }

    @Test
    void theSelfBuiltAppsCoreHrCallsKeepItsOwnToken() throws Exception {
        feishu.stubFor(post(QR_CODES).willReturn(okJson("""
                {"code":0,"msg":"success","data":{"qr_code":{"id":"qr-%s","url":"https://example.com/qr","png":"https://example.com/qr.png",
                 "dimension_value_list":[]}}}""".formatted(newId()))));

        HttpResponse<String> created = api.post("/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}}]}",
                "HrbFeishuApp", "provider", "HrbTenantKey", TENANT_A);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(QR_CODES))
                .withHeader("Authorization", equalTo("Bearer t-self-built")));

        feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(okJson("{\"code\":0,\"msg\":\"success\",\"data\":{}}")));
        HttpResponse<String> accepted = api.post("/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"" + System.nanoTime() + "\",\"operator_id\":\"6982509313466189341\"}",
                "HrbFeishuApp", "provider", "HrbTenantKey", TENANT_A);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String statusUrl = JSON.readTree(accepted.body()).path("status_url").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.getJson(statusUrl).path("state").asText(), "SUCCEEDED"::equals);
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(REVOKE))
                .withHeader("Authorization", equalTo("Bearer t-self-built")));
    }

    @Test
    void aRefusedTenantTokenOnAPushIsFetchedAnewForThatTenantOnce() throws Exception {
        String tenant = "c0ffee" + newId().substring(0, 10);
        feishu.stubFor(post(TENANT_TOKEN).withRequestBody(matchingJsonPath("$.tenant_key", equalTo(tenant)))
                .inScenario("refused").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-old\",\"expire\":7200}")).willSetStateTo("old"));
        feishu.stubFor(post(TENANT_TOKEN).withRequestBody(matchingJsonPath("$.tenant_key", equalTo(tenant)))
                .inScenario("refused").whenScenarioStateIs("old")
                .willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-new\",\"expire\":7200}")));
        feishu.stubFor(post(PACKAGES).withHeader("Authorization", equalTo("Bearer t-old"))
                .willReturn(okJson("{\"code\":99991663,\"msg\":\"tenant access token invalid\"}")));
        String account = newId();

        String event = sendEcoAccount(tenant, account);

        assertThat(awaitFinal(event).path("outcome").asText()).isEqualTo("pushed");
        feishu.verify(exactly(2), postRequestedFor(urlPathEqualTo(TENANT_TOKEN))
                .withRequestBody(matchingJsonPath("$.tenant_key", equalTo(tenant))));
        feishu.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))
                .withHeader("Authorization", equalTo("Bearer t-new"))
                .withRequestBody(matchingJsonPath("$.account_id", equalTo(account))));
    }

    @Test
    void anEventOfAnAppNoConfiguredAppHasIsRefused() throws Exception {
        String other = ecoEvent(newId(), TENANT_A, newId()).replace(STORE_APP_ID, "cli_someone_else");

        assertError(store.encrypted(other), 401, "unknown_app");
        assertError(new FeishuPush(bridge.api("/webhooks/feishu/events"), DEFAULT_KEY).encrypted(other), 401, "unknown_app");
        assertError(new FeishuPush(bridge.api("/webhooks/feishu/nobody/events"), STORE_KEY).encrypted(other), 404, "not_found");
    }

    @Test
    void theStoreAppsPathTakesOnlyItsOwnKeysAndToken() throws Exception {
        String event = ecoEvent(newId(), TENANT_A, newId());

        assertError(new FeishuPush(bridge.api("/webhooks/feishu/provider/events"), DEFAULT_KEY).encrypted(event), 401,
                "bad_signature");
        assertError(store.encrypted(event.replace(STORE_TOKEN, "not-the-store-apps-token")), 401, "bad_token");
        // the default app's path does not know the store app's key
        assertError(new FeishuPush(bridge.api("/webhooks/feishu/events"), STORE_KEY).encrypted(event), 401, "bad_signature");
        assertThat(store.encrypted(event).statusCode()).isEqualTo(200);
    }

    @Test
    void theFirstEventOfATenantIsLoggedOnce() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(FeishuTenants.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            String tenant = "f1r57" + newId().substring(0, 11);
            awaitFinal(sendEcoAccount(tenant, newId()));
            String line = "First event from tenant " + tenant + " of Feishu app provider";
            await().atMost(Duration.ofSeconds(5)).until(() -> log.list.stream()
                    .anyMatch(event -> event.getFormattedMessage().equals(line)));
            awaitFinal(sendEcoAccount(tenant, newId()));

            assertThat(log.list).filteredOn(event -> event.getFormattedMessage().contains(tenant)).singleElement()
                    .extracting(ILoggingEvent::getFormattedMessage).isEqualTo(line);
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aTenantKeyLongerThanItsColumnIsRefusedBeforeTheAnswer() throws Exception {
        assertError(store.encrypted(ecoEvent(newId(), "t".repeat(129), newId())), 400, "field_too_long");
    }

    @Test
    void theTokenMBeanListsEachAppAndTenantWithoutTheirTokens() throws Exception {
        String event = sendEcoAccount(TENANT_A, newId());
        awaitFinal(event);
        String context = bridge.bridge().context().getManagementName();

        String tokens = bridge.get(bridge.management("/observe/jolokia/read/dev.hrbridge:context=" + context
                + ",type=TenantToken/Tokens")).body();

        JsonNode rows = JSON.readTree(tokens).path("value");
        assertThat(rows.findValuesAsText("tenant")).contains(TENANT_A);
        assertThat(rows.findValuesAsText("kind")).contains("app_access_token", "tenant_access_token");
        assertThat(tokens).doesNotContain("t-" + TENANT_A).doesNotContain("a-provider");
        String metrics = bridge.get(bridge.management("/observe/metrics")).body();
        assertThat(metrics).contains("hrb_feishu_token_seconds_to_expiry{app=\"provider\",tenant=\"" + TENANT_A
                + "\",token=\"tenant_access_token\"}");
    }

    @Test
    void aStartWithoutATicketAsksForOneAndARestartReusesTheStoredTicket(@TempDir Path own) throws Exception {
        WireMockServer alone = new WireMockServer(options().dynamicPort());
        alone.start();
        try {
            stubFeishu(alone);
            try (TestBridge first = TestBridge.start(own, settings(alone))) {
                first.bridge().appTicketsAsked().get(10, TimeUnit.SECONDS);
                alone.verify(exactly(1), postRequestedFor(urlPathEqualTo(RESEND)).withRequestBody(equalToJson(
                        "{\"app_id\":\"" + STORE_APP_ID + "\",\"app_secret\":\"" + STORE_SECRET + "\"}")));
                assertThat(health(first)).contains("store apps without a usable app_ticket: provider: no app_ticket received");
                // Feishu answers the resend with the event
                FeishuPush pushed = new FeishuPush(first.api("/webhooks/feishu/provider/events"), STORE_KEY);
                assertThat(pushed.encrypted(appTicket("ticket-1", 1)).body()).contains("stored");
                assertThat(health(first)).doesNotContain("app_ticket");
                HttpResponse<String> sent = pushed.encrypted(ecoEvent(newId(), TENANT_A, newId()));
                assertThat(sent.statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        alone.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))));
            }
            alone.resetRequests();
            try (TestBridge second = TestBridge.start(own, settings(alone))) {
                second.bridge().appTicketsAsked().get(10, TimeUnit.SECONDS);
                FeishuPush pushed = new FeishuPush(second.api("/webhooks/feishu/provider/events"), STORE_KEY);
                assertThat(pushed.encrypted(ecoEvent(newId(), TENANT_B, newId())).statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        alone.verify(exactly(1), postRequestedFor(urlPathEqualTo(PACKAGES))
                                .withHeader("Authorization", equalTo("Bearer t-" + TENANT_B))));
                alone.verify(exactly(0), postRequestedFor(urlPathEqualTo(RESEND)));
                alone.verify(exactly(1), postRequestedFor(urlPathEqualTo(APP_TOKEN))
                        .withRequestBody(matchingJsonPath("$.app_ticket", equalTo("ticket-1"))));
            }
        } finally {
            alone.stop();
        }
    }

    private static String health(TestBridge instance) throws Exception {
        return instance.get(instance.management("/observe/health?exposureLevel=full")).body();
    }

    /** The store app's app_ticket event, v1 envelope as "app_ticket 事件" shows it, sent {@code hoursAgo}. */
    static String appTicket(String ticket, int hoursAgo) {
        long ts = System.currentTimeMillis() / 1000 - hoursAgo * 3600L;
        return """
                {"ts": "%d.7171419", "uuid": "%s", "token": "%s", "type": "event_callback",
                 "event": {"app_id": "%s", "app_ticket": "%s", "type": "app_ticket"}}"""
                .formatted(ts, newId(), STORE_TOKEN, STORE_APP_ID, ticket);
    }

    static String ecoEvent(String eventId, String tenant, String accountId) {
        return """
                {"schema": "2.0",
                 "header": {"event_id": "%s", "event_type": "hire.eco_account.created_v1", "create_time": "1608725989000",
                            "token": "%s", "app_id": "%s", "tenant_key": "%s"},
                 "event": {"scope": 1, "account_id": "%s", "account_name": "account of %s", "usage_list": [1],
                           "custom_field_list": [{"key": "ord_id", "value": "7233333"}]}}"""
                .formatted(eventId, STORE_TOKEN, STORE_APP_ID, tenant, accountId, tenant);
    }

    private static String sendEcoAccount(String tenant, String accountId) throws Exception {
        String eventId = newId();
        HttpResponse<String> answer = store.encrypted(ecoEvent(eventId, tenant, accountId));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return eventId;
    }

    private static void assertError(HttpResponse<String> answer, int status, String error) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo(error);
    }

    private static JsonNode awaitFinal(String eventId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode event : api.getJson("/api/v1/events?limit=1000").path("items")) {
                if (event.path("event_id").asText().equals(eventId)
                        && !event.path("state").asText().matches("PENDING|PROCESSING")) {
                    return event;
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}

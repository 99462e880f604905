package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.config.Settings;
import dev.hrbridge.sandbox.FeishuSandbox.Caller;
import dev.hrbridge.sandbox.StoreAppSandbox.Push;
import dev.hrbridge.sandbox.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.hrbridge.sandbox.FeishuCalls.JSON_UTF8;
import static dev.hrbridge.sandbox.FeishuCalls.json;
import static dev.hrbridge.sandbox.FeishuCalls.refusalCode;
import static dev.hrbridge.sandbox.StoreAppSandbox.APP_ID;
import static dev.hrbridge.sandbox.StoreAppSandbox.APP_SECRET;
import static dev.hrbridge.sandbox.StoreAppSandbox.ENCRYPT_KEY;
import static dev.hrbridge.sandbox.StoreAppSandbox.VERIFICATION_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sandbox's store app against the simulator alone, over HTTP, with a stub of HR Bridge's store-app webhook:
 * app_ticket pushes (on demand, on resend, again when not answered 200, late when the port is not up yet), the
 * ticket-for-token exchange, tenant tokens per tenant, and Hire accounts that only their own tenant's token may touch.
 */
class StoreAppSandboxTest {

    private static final String WEBHOOK_PATH = "/webhooks/feishu/store/events";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SettableClock clock = new SettableClock();
    private PlatformSimulator simulator;
    private WebhookReceiver webhook;
    private FeishuCalls feishu;

    @BeforeEach
    void start() throws Exception {
        simulator = PlatformSimulator.start("cli_self_built", "self-built-secret", clock);
        webhook = WebhookReceiver.start(0, WEBHOOK_PATH);
        simulator.storeApp().deliverTo(webhook.url());
        feishu = new FeishuCalls(simulator, "cli_self_built", "self-built-secret");
    }

    @AfterEach
    void stop() {
        simulator.close();
        webhook.close();
    }

    @Test
    void anAppTicketPushedOnDemandReachesTheWebhookEncryptedSignedAndInFeishusV1Shape() throws Exception {
        HttpResponse<String> pushed = admin("/app-ticket", "");
        assertThat(pushed.statusCode()).isEqualTo(202);

        Received push = webhook.next();
        assertThat(push.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(JSON.readTree(push.body()).fieldNames()).toIterable().containsExactly("encrypt");
        JsonNode event = push.event(ENCRYPT_KEY);
        assertThat(event.path("type").asText()).isEqualTo("event_callback");
        assertThat(event.path("token").asText()).isEqualTo(VERIFICATION_TOKEN);
        assertThat(event.path("uuid").asText()).isEqualTo(json(pushed).path("event_id").asText()).isNotBlank();
        assertThat(event.path("ts").asText()).matches("[0-9]+\\.[0-9]+");
        assertThat(event.path("event").path("type").asText()).isEqualTo("app_ticket");
        assertThat(event.path("event").path("app_id").asText()).isEqualTo(APP_ID);
        assertThat(event.path("event").path("app_ticket").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(5)).until(() -> lastPush().state().equals("delivered"));
        assertThat(lastPush().attempts()).isEqualTo(1);
    }

    @Test
    void resendAnswersSuccessThenPushesAFreshTicketAndWrongCredentialsPushNothing() throws Exception {
        JsonNode answer = json(resend(APP_SECRET));
        assertThat(answer.path("code").asInt()).isZero();
        assertThat(answer.path("msg").asText()).isEqualTo("success");
        String first = ticket(webhook.next());

        json(resend(APP_SECRET));
        String second = ticket(webhook.next());

        assertThat(second).isNotBlank().isNotEqualTo(first);
        assertThat(refusalCode(resend("not-the-secret"), 400)).isEqualTo(10014);
        assertThat(refusalCode(feishu.post(StoreAppSandbox.RESEND_PATH, JSON_UTF8,
                "{\"app_id\":\"cli_unknown\",\"app_secret\":\"" + APP_SECRET + "\"}"), 400)).isEqualTo(10003);
        assertThat(webhook.anotherWithin(300)).as("a push after a refused resend").isFalse();
    }

    @Test
    void aTicketBuysAnAppAccessTokenAndAWrongOrSupersededTicketGets10012() throws Exception {
        String first = freshTicket();
        JsonNode token = json(appToken(first));
        assertThat(token.path("code").asInt()).isZero();
        assertThat(token.path("msg").asText()).isEqualTo("success");
        assertThat(token.path("app_access_token").asText()).startsWith("a-");
        assertThat(token.path("expire").asInt()).isEqualTo(7200);

        assertThat(refusalCode(appToken("not-a-ticket"), 400)).isEqualTo(10012);
        assertThat(json(appToken("not-a-ticket")).path("msg").asText()).isEqualTo("app ticket is invalid");
        assertThat(refusalCode(feishu.post(StoreAppSandbox.APP_TOKEN_PATH, JSON_UTF8,
                "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"" + APP_SECRET + "\"}"), 400)).isEqualTo(10012);
        assertThat(refusalCode(feishu.post(StoreAppSandbox.APP_TOKEN_PATH, JSON_UTF8,
                "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"nope\",\"app_ticket\":\"" + first + "\"}"), 400)).isEqualTo(10014);

        String second = freshTicket();
        String third = freshTicket();
        assertThat(refusalCode(appToken(first), 400)).as("a ticket two pushes old").isEqualTo(10012);
        assertThat(json(appToken(second)).path("code").asInt()).as("the ticket before the latest").isZero();
        assertThat(json(appToken(third)).path("code").asInt()).isZero();
    }

    @Test
    void eachTenantGetsItsOwnTenantTokenAndAnUnknownTenantOrAppTokenIsRefused() throws Exception {
        String appToken = json(appToken(freshTicket())).path("app_access_token").asText();

        JsonNode acme = json(tenantTokenAnswer(appToken, "tenant-acme"));
        String globex = tenantToken(appToken, "tenant-globex");

        assertThat(acme.path("code").asInt()).isZero();
        assertThat(acme.path("msg").asText()).isEqualTo("success");
        assertThat(acme.path("expire").asInt()).isEqualTo(7200);
        assertThat(acme.path("tenant_access_token").asText()).startsWith("t-").isNotEqualTo(globex);
        assertThat(simulator.storeApp().callerOf(acme.path("tenant_access_token").asText()))
                .isEqualTo(new Caller(APP_ID, "tenant-acme"));
        assertThat(refusalCode(tenantTokenAnswer(appToken, "tenant-initech"), 400)).isEqualTo(10003);
        assertThat(refusalCode(tenantTokenAnswer("a-forged", "tenant-acme"), 400)).isEqualTo(99991664);
        assertThat(refusalCode(feishu.post(StoreAppSandbox.TENANT_TOKEN_PATH, JSON_UTF8,
                "{\"app_access_token\":\"" + appToken + "\"}"), 400)).isEqualTo(10003);
        assertThat(refusalCode(feishu.post(FeishuSandbox.TOKEN_PATH, JSON_UTF8,
                "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"" + APP_SECRET + "\"}"), 400))
                .as("a store app has no self-built token").isEqualTo(10003);
    }

    @Test
    void appAndTenantTokensAreReusedWhileHalfAnHourIsLeftThenRenewedAndTheOldOnesStayValid() throws Exception {
        String ticket = freshTicket();
        String appToken = json(appToken(ticket)).path("app_access_token").asText();
        String tenantToken = tenantToken(appToken, "tenant-acme");

        clock.advance(Duration.ofMinutes(90));
        assertThat(json(appToken(ticket)).path("app_access_token").asText()).isEqualTo(appToken);
        assertThat(json(tenantTokenAnswer(appToken, "tenant-acme")).path("expire").asInt()).isEqualTo(1800);
        assertThat(tenantToken(appToken, "tenant-acme")).isEqualTo(tenantToken);

        clock.advance(Duration.ofSeconds(1));
        String newAppToken = json(appToken(ticket)).path("app_access_token").asText();
        String newTenantToken = tenantToken(appToken, "tenant-acme");

        assertThat(newAppToken).isNotEqualTo(appToken);
        assertThat(newTenantToken).isNotEqualTo(tenantToken);
        assertThat(tenantToken(newAppToken, "tenant-globex")).startsWith("t-");
        simulator.storeApp().pushEcoAccount("tenant-acme", "acc-acme", "7233333");
        assertThat(packages("acc-acme", "pkg-old", tenantToken).statusCode()).isEqualTo(200);
        assertThat(packages("acc-acme", "pkg-new", newTenantToken).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(30));
        assertThat(refusalCode(packages("acc-acme", "pkg-late", tenantToken), 400)).as("past its 2 hours").isEqualTo(99991663);
        assertThat(refusalCode(tenantTokenAnswer(appToken, "tenant-acme"), 400)).isEqualTo(99991664);
    }

    @Test
    void aHirePushWithAnotherTenantsTokenIsRefusedWith1002002AndTheOwningTenantsTokenIsAccepted() throws Exception {
        String appToken = json(appToken(freshTicket())).path("app_access_token").asText();
        String acme = tenantToken(appToken, "tenant-acme");
        String globex = tenantToken(appToken, "tenant-globex");
        String selfBuilt = feishu.tenantToken();
        simulator.storeApp().pushEcoAccount("tenant-globex", "acc-globex", "7244444", 1);

        HttpResponse<String> foreign = packages("acc-globex", "pkg-basic", acme);
        assertThat(refusalCode(foreign, 400)).isEqualTo(1002002);
        assertThat(json(foreign).path("msg").asText()).startsWith("Parameter illegal")
                .contains("acc-globex is not an account of this app and tenant");
        assertThat(refusalCode(packages("acc-globex", "pkg-basic", selfBuilt), 400)).as("the self-built app's token").isEqualTo(1002002);
        assertThat(refusalCode(papers("acc-globex", acme), 400)).isEqualTo(1002002);
        assertThat(simulator.feishu().hire().packagesOf("acc-globex")).isEmpty();

        assertThat(packages("acc-globex", "pkg-basic", globex).statusCode()).isEqualTo(200);
        assertThat(papers("acc-globex", globex).statusCode()).isEqualTo(200);
        assertThat(simulator.feishu().hire().packagesOf("acc-globex")).containsExactly("pkg-basic");

        // an account no event of the store app announced is the self-built app's, as before the store app
        assertThat(packages("acc-own", "pkg-basic", selfBuilt).statusCode()).isEqualTo(200);
        assertThat(refusalCode(packages("acc-own", "pkg-other", globex), 400)).isEqualTo(1002002);
    }

    @Test
    void theEcoAccountAdminPushReachesTheWebhookWithItsTenantKeyAndTheAccountBelongsToThatTenant() throws Exception {
        HttpResponse<String> answer = admin("/tenants/tenant-acme/eco-accounts",
                "{\"account_id\": \"7000000000000000001\", \"customer\": \"7233333\"}");
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(json(answer).path("tenant_key").asText()).isEqualTo("tenant-acme");
        assertThat(json(answer).path("scope").asInt()).isEqualTo(1);

        JsonNode event = webhook.next().event(ENCRYPT_KEY);
        assertThat(event.path("schema").asText()).isEqualTo("2.0");
        JsonNode header = event.path("header");
        assertThat(header.path("event_id").asText()).isEqualTo(json(answer).path("event_id").asText());
        assertThat(header.path("event_type").asText()).isEqualTo("hire.eco_account.created_v1");
        assertThat(header.path("tenant_key").asText()).isEqualTo("tenant-acme");
        assertThat(header.path("app_id").asText()).isEqualTo(APP_ID);
        assertThat(header.path("token").asText()).isEqualTo(VERIFICATION_TOKEN);
        assertThat(header.path("create_time").asText()).isEqualTo(String.valueOf(clock.millis()));
        assertThat(event.path("event").path("account_id").asText()).isEqualTo("7000000000000000001");
        assertThat(event.path("event").path("scope").asInt()).isEqualTo(1);
        assertThat(event.path("event").path("usage_list")).hasSize(1);
        assertThat(event.path("event").path("custom_field_list")).isEqualTo(JSON.readTree(
                "[{\"key\": \"ord_id\", \"value\": \"7233333\"}]"));
        assertThat(simulator.feishu().hire().ownerOf("7000000000000000001")).isEqualTo(new Caller(APP_ID, "tenant-acme"));

        // without a body: a new account of the tenant's own customer, exam papers for the campus-hiring one
        JsonNode globex = json(admin("/tenants/tenant-globex/eco-accounts", ""));
        assertThat(globex.path("account_id").asText()).matches("7[0-9]{18}");
        assertThat(globex.path("customer").asText()).isEqualTo("7244444");
        JsonNode globexEvent = webhook.next().event(ENCRYPT_KEY);
        assertThat(globexEvent.path("header").path("tenant_key").asText()).isEqualTo("tenant-globex");
        assertThat(globexEvent.path("event").path("scope").asInt()).isEqualTo(2);

        assertThat(admin("/tenants/tenant-initech/eco-accounts", "").statusCode()).isEqualTo(404);
        assertThat(admin("/tenants/tenant-globex/eco-accounts", "{\"account_id\": \"7000000000000000001\"}").statusCode())
                .as("an account of another tenant").isEqualTo(409);
        assertThat(admin("/tenants/tenant-acme/eco-accounts", "{\"scope\": 3}").statusCode()).isEqualTo(400);
    }

    @Test
    void aPushNotAnswered200ComesAgainWithTheSameEventThenIsGivenUp() throws Exception {
        simulator.storeApp().redeliveries(List.of(Duration.ofMillis(50), Duration.ofMillis(50)));
        webhook.answerFirst(500);
        Push push = simulator.storeApp().pushAppTicket();

        String first = webhook.next().event(ENCRYPT_KEY).path("uuid").asText();
        String again = webhook.next().event(ENCRYPT_KEY).path("uuid").asText();

        assertThat(first).isEqualTo(again).isEqualTo(push.eventId());
        await().atMost(Duration.ofSeconds(5)).until(() -> lastPush().state().equals("delivered"));
        assertThat(lastPush().attempts()).isEqualTo(2);

        webhook.answerFirst(500, 503, 500);
        simulator.storeApp().pushAppTicket();
        await().atMost(Duration.ofSeconds(5)).until(() -> lastPush().state().equals("failed"));
        assertThat(lastPush().attempts()).isEqualTo(3);
        assertThat(lastPush().lastStatus()).isEqualTo(500);
    }

    @Test
    void pushesWaitForAWebhookAndForItsPortToAnswer() throws Exception {
        try (PlatformSimulator fresh = PlatformSimulator.start("cli_self_built", "self-built-secret", clock)) {
            Push queued = fresh.storeApp().pushAppTicket();
            assertThat(queued.state()).isIn("pending", "queued");
            await().atMost(Duration.ofSeconds(5)).until(() -> fresh.storeApp().pushes().get(0).state().equals("queued"));

            int port = freePort();
            fresh.storeApp().deliverTo(URI.create("http://127.0.0.1:" + port + WEBHOOK_PATH));
            await().atMost(Duration.ofSeconds(5)).until(() -> fresh.storeApp().pushes().get(0).attempts() >= 2);
            assertThat(fresh.storeApp().pushes().get(0).lastError()).isEqualTo("connection refused");

            try (WebhookReceiver late = WebhookReceiver.start(port, WEBHOOK_PATH)) {
                assertThat(late.next().event(ENCRYPT_KEY).path("uuid").asText()).isEqualTo(queued.eventId());
                await().atMost(Duration.ofSeconds(5)).until(() -> fresh.storeApp().pushes().get(0).state().equals("delivered"));
            }
        }
    }

    @Test
    void sandboxModeHandsHrBridgeTheStoreAppAsANamedAppAndPushesItsTicketsToHrBridgesPort() throws Exception {
        try (WebhookReceiver hrBridge = WebhookReceiver.start(0, WEBHOOK_PATH); Sandbox sandbox = new Sandbox()) {
            Map<String, String> settings = sandbox.start(Settings.load(Map.of(), new Properties(), Map.of(
                    "camel.server.port", String.valueOf(hrBridge.url().getPort()),
                    "hrb.sandbox.store-app.app-ticket-interval", "200ms")));

            assertThat(settings).containsEntry("feishu.apps.store.app-id", APP_ID)
                    .containsEntry("feishu.apps.store.app-secret", APP_SECRET)
                    .containsEntry("feishu.apps.store.type", "store")
                    .containsEntry("feishu.apps.store.encrypt-key", ENCRYPT_KEY)
                    .containsEntry("feishu.apps.store.verification-token", VERIFICATION_TOKEN)
                    .containsEntry("feishu.app-id", Sandbox.APP_ID);
            JsonNode hourly = hrBridge.next().event(settings.get("feishu.apps.store.encrypt-key"));
            assertThat(hourly.path("token").asText()).isEqualTo(settings.get("feishu.apps.store.verification-token"));
            assertThat(hourly.path("event").path("app_id").asText()).isEqualTo(settings.get("feishu.apps.store.app-id"));
            assertThat(hrBridge.next().event(ENCRYPT_KEY).path("event").path("app_ticket").asText())
                    .as("the next periodic push, a fresh ticket").isNotEqualTo(hourly.path("event").path("app_ticket").asText());
        }
    }

    private Push lastPush() {
        List<Push> pushes = simulator.storeApp().pushes();
        return pushes.get(pushes.size() - 1);
    }

    private String freshTicket() throws Exception {
        assertThat(json(resend(APP_SECRET)).path("code").asInt()).isZero();
        return ticket(webhook.next());
    }

    private static String ticket(Received push) throws Exception {
        return push.event(ENCRYPT_KEY).path("event").path("app_ticket").asText();
    }

    private HttpResponse<String> resend(String secret) throws Exception {
        return feishu.post(StoreAppSandbox.RESEND_PATH, JSON_UTF8, "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"" + secret + "\"}");
    }

    private HttpResponse<String> appToken(String ticket) throws Exception {
        return feishu.post(StoreAppSandbox.APP_TOKEN_PATH, JSON_UTF8,
                "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"" + APP_SECRET + "\",\"app_ticket\":\"" + ticket + "\"}");
    }

    private HttpResponse<String> tenantTokenAnswer(String appToken, String tenantKey) throws Exception {
        return feishu.post(StoreAppSandbox.TENANT_TOKEN_PATH, JSON_UTF8,
                "{\"app_access_token\":\"" + appToken + "\",\"tenant_key\":\"" + tenantKey + "\"}");
    }

    private String tenantToken(String appToken, String tenantKey) throws Exception {
        return json(tenantTokenAnswer(appToken, tenantKey)).path("tenant_access_token").asText();
    }

    private HttpResponse<String> packages(String accountId, String packageId, String token) throws Exception {
        return feishu.call(HireEcoSandbox.PACKAGES_PATH, token, "{\"account_id\": \"" + accountId
                + "\", \"package_list\": [{\"id\": \"" + packageId + "\", \"name\": \"Basic\"}]}");
    }

    private HttpResponse<String> papers(String accountId, String token) throws Exception {
        return feishu.call(HireEcoSandbox.PAPERS_PATH, token, "{\"account_id\": \"" + accountId
                + "\", \"paper_list\": [{\"id\": \"paper-1\", \"name\": \"Aptitude\"}]}");
    }

    private HttpResponse<String> admin(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + StoreAppSandbox.ADMIN_PATH + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lark.oapi.Client;
import com.lark.oapi.core.cache.ICache;
import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.core.response.EventResp;
import com.lark.oapi.event.CustomEventHandler;
import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.service.hire.v1.model.CreateEcoBackgroundCheckPackageReq;
import com.lark.oapi.service.hire.v1.model.CreateEcoBackgroundCheckPackageResp;
import com.lark.oapi.service.hire.v1.model.EcoBackgroundCheckPackage;
import com.lark.oapi.service.hire.v1.model.EcoBackgroundCheckPackageData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.sandbox.StoreAppSandbox.APP_ID;
import static dev.hrbridge.sandbox.StoreAppSandbox.APP_SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Feishu's own Java SDK (oapi-sdk 2.5.3) as a store app (AppType MARKETPLACE) is the oracle for the store app's
 * credentials: its event dispatcher checks the signature, decrypts and reads the pushed app_ticket (its
 * {@code AppTicketEventHandler} keeps it in the {@code AppTicketManager}); without a ticket its {@code AppTicketManager}
 * asks for the resend; its {@code TokenManager} trades the ticket for an app_access_token and that for the tenant's
 * tenant_access_token, with which it calls Hire. Its dispatcher also reads the pushed eco-account events. The test
 * never speaks the token protocol itself.
 */
class StoreAppOfficialSdkTest {

    private static final String WEBHOOK_PATH = "/webhooks/feishu/store/events";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> accounts = new LinkedBlockingQueue<>();
    private PlatformSimulator simulator;
    private WebhookReceiver webhook;
    private Client sdk;

    @BeforeEach
    void start() throws Exception {
        simulator = PlatformSimulator.start("cli_self_built", "self-built-secret");
        EventDispatcher dispatcher = EventDispatcher.newBuilder(StoreAppSandbox.VERIFICATION_TOKEN, StoreAppSandbox.ENCRYPT_KEY)
                .onCustomizedEvent("hire.eco_account.created_v1", new CustomEventHandler() {
                    @Override
                    public void handle(EventReq event) throws Exception {
                        accounts.add(JSON.readTree(event.getPlain()));
                    }
                }).build();
        webhook = WebhookReceiver.start(0, WEBHOOK_PATH, received -> {
            EventReq request = new EventReq();
            request.setHeaders(received.headers());
            request.setBody(received.body());
            request.setHttpPath(WEBHOOK_PATH);
            try {
                EventResp answer = dispatcher.handle(request);
                return Map.entry(answer.getStatusCode(), answer.getBody());
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        simulator.storeApp().deliverTo(webhook.url());
        // a cache of its own: the SDK keeps tickets and tokens in a JVM-wide one by default
        sdk = Client.newBuilder(APP_ID, APP_SECRET).marketplaceApp().openBaseUrl(simulator.baseUrl())
                .tokenCache(new MapCache()).requestTimeout(5, TimeUnit.SECONDS).build();
    }

    @AfterEach
    void stop() {
        simulator.close();
        webhook.close();
    }

    @Test
    void theSdkGetsItsTicketByResendThenReachesHireWithEachTenantsOwnToken() throws Exception {
        simulator.storeApp().pushEcoAccount("tenant-acme", "7000000000000000011", "7233333", 1);
        simulator.storeApp().pushEcoAccount("tenant-globex", "7000000000000000012", "7244444", 1);
        JsonNode acme = accounts.poll(10, TimeUnit.SECONDS);
        JsonNode globex = accounts.poll(10, TimeUnit.SECONDS);
        assertThat(acme.path("header").path("tenant_key").asText()).as("the SDK's reading of the event").isEqualTo("tenant-acme");
        assertThat(acme.path("event").path("account_id").asText()).isEqualTo("7000000000000000011");
        assertThat(globex.path("header").path("tenant_key").asText()).isEqualTo("tenant-globex");

        // the first call finds no ticket: the SDK asks for the resend and fails; the pushed ticket then serves
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(createPackage("tenant-acme", "7000000000000000011", "pkg-basic").getCode()).isZero());
        assertThat(createPackage("tenant-globex", "7000000000000000012", "pkg-basic").getCode()).isZero();

        assertThat(simulator.feishu().hire().packagesOf("7000000000000000011")).containsExactly("pkg-basic");
        assertThat(simulator.feishu().hire().packagesOf("7000000000000000012")).containsExactly("pkg-basic");
        assertThat(simulator.storeApp().pushes()).filteredOn(push -> push.type().equals("app_ticket"))
                .allMatch(push -> push.state().equals("delivered") && push.lastStatus() == 200);
    }

    @Test
    void theSdkPushingForOneTenantToAnotherTenantsAccountMeets1002002() throws Exception {
        simulator.storeApp().pushEcoAccount("tenant-globex", "7000000000000000021", "7244444", 1);
        simulator.storeApp().pushAppTicket();
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.storeApp().pushes().stream()
                .anyMatch(push -> push.type().equals("app_ticket") && push.state().equals("delivered")));

        CreateEcoBackgroundCheckPackageResp foreign = createPackage("tenant-acme", "7000000000000000021", "pkg-basic");

        assertThat(foreign.getCode()).isEqualTo(1002002);
        assertThat(foreign.getMsg()).contains("not an account of this app and tenant");
        assertThat(createPackage("tenant-globex", "7000000000000000021", "pkg-basic").getCode()).isZero();
    }

    private CreateEcoBackgroundCheckPackageResp createPackage(String tenantKey, String accountId, String packageId) throws Exception {
        return sdk.hire().ecoBackgroundCheckPackage().create(CreateEcoBackgroundCheckPackageReq.newBuilder()
                .ecoBackgroundCheckPackage(EcoBackgroundCheckPackage.newBuilder().accountId(accountId)
                        .packageList(new EcoBackgroundCheckPackageData[] {
                                EcoBackgroundCheckPackageData.newBuilder().id(packageId).name("基础背调").build()})
                        .build())
                .build(), RequestOptions.newBuilder().tenantKey(tenantKey).build());
    }

    /** The SDK's cache interface over a map, expiry ignored: a test lasts seconds. */
    private static final class MapCache implements ICache {
        private final Map<String, String> values = new ConcurrentHashMap<>();

        @Override
        public String get(String key) {
            return values.getOrDefault(key, "");
        }

        @Override
        public void set(String key, String value, int expire, TimeUnit unit) {
            values.put(key, value);
        }
    }
}

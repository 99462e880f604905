package dev.hrbridge.hire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.sandbox.HireEcoSandbox;
import dev.hrbridge.sandbox.StoreAppSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sandbox mode as a newcomer runs it, with the sandbox's store app and its two tenants: HR Bridge has no app_ticket
 * at start, asks Feishu to resend one, and with it buys each tenant its own token; each tenant's eco account is bound
 * and its catalogue pushed with that tenant's token, which the sandbox's Hire checks (another tenant's token is
 * refused there with 1002002, and the event would end DEAD).
 */
class StoreAppSandboxTenantsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void twoTenantsOfTheStoreAppEachBindAnAccountPushedWithTheirOwnToken() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir)) {
            StoreAppSandbox store = bridge.simulator().storeApp();
            HireEcoSandbox hire = bridge.simulator().feishu().hire();

            store.pushEcoAccount("tenant-acme", "8100000000000000001", "7233333");
            store.pushEcoAccount("tenant-globex", "8100000000000000002", "7244444");

            await().atMost(Duration.ofSeconds(30)).until(() -> !hire.packagesOf("8100000000000000001").isEmpty()
                    && !(hire.packagesOf("8100000000000000002").isEmpty() && hire.papersOf("8100000000000000002").isEmpty()));
            JsonNode acme = accounts(bridge, "?tenant_key=tenant-acme").path("items");
            assertThat(acme).hasSize(1);
            assertThat(acme.get(0).path("account_id").asText()).isEqualTo("8100000000000000001");
            // the binding records its push with the event's result, a moment after Feishu took the catalogue
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    accounts(bridge, "?tenant_key=tenant-acme").path("items").get(0).path("push_outcome").asText().equals("pushed"));
            JsonNode globex = accounts(bridge, "?tenant_key=tenant-globex").path("items");
            assertThat(globex).hasSize(1);
            assertThat(globex.get(0).path("customer").asText()).isEqualTo("7244444");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    accounts(bridge, "?tenant_key=tenant-globex").path("items").get(0).path("push_outcome").asText().equals("pushed"));
        }
    }

    static JsonNode accounts(TestBridge bridge, String query) throws Exception {
        HttpResponse<String> answer = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/eco-accounts" + query))
                .header("Authorization", "Bearer sandbox-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }
}

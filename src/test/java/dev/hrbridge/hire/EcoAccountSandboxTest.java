package dev.hrbridge.hire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.RuntimeMode;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.feishu.Fixtures;
import dev.hrbridge.sandbox.HireEcoSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The eco account flow in sandbox mode, as the README's curl example runs it, and its two settings. */
class EcoAccountSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void inSandboxModeTheFixtureEventBindsCustomer7233333FromTheShippedCatalogueAndPushesItsPackages() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir)) {
            assertThat(bridge.bridge().mode()).isEqualTo(RuntimeMode.SANDBOX);

            HttpResponse<String> answer = new FeishuPush(bridge.api("/webhooks/feishu/events"), null)
                    .plain(Fixtures.read("event-eco-account-created.json"));

            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode account = awaitPushed(bridge, "6931286400470354183");
            assertThat(account.path("customer").asText()).isEqualTo("7233333");
            assertThat(account.path("status").asText()).isEqualTo("bound");
            HireEcoSandbox feishu = bridge.simulator().feishu().hire();
            assertThat(feishu.packagesOf("6931286400470354183")).containsExactlyInAnyOrder("pkg-basic", "pkg-senior");
            assertThat(feishu.additionalItemsOf("6931286400470354183")).containsExactly("item-reference");
        }
    }

    @Test
    void theCustomFieldThatNamesTheCustomerIsConfigurable() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.eco.customer-field", "crm_id"))) {
            String event = EcoAccountBindingTest.event("evt-crm-1", 2, "7000000000000000001",
                    "[{\"key\":\"ord_id\",\"value\":\"9999999\"},{\"key\":\"crm_id\",\"value\":\"7233333\"}]");

            new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(event);

            JsonNode account = awaitPushed(bridge, "7000000000000000001");
            assertThat(account.path("customer").asText()).isEqualTo("7233333");
            HireEcoSandbox feishu = bridge.simulator().feishu().hire();
            assertThat(feishu.papersOf("7000000000000000001")).containsExactly("paper-java-2024", "paper-aptitude");
        }
    }

    @Test
    void aMalformedCatalogueStopsTheStartWithAMessageNamingTheSetting() throws Exception {
        Path catalogue = dir.resolve("broken.json");
        Files.writeString(catalogue, "{\"customers\": {\"7233333\": {\"paper_list\": [{\"id\": \"p1\", \"name\": \"Test\", \"question_num\": 3}]}}}");

        assertThatThrownBy(() -> TestBridge.start(dir, Map.of("hrb.eco.catalogue", catalogue.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.eco.catalogue (HRB_ECO_CATALOGUE)")
                .hasMessageContaining(catalogue.toString())
                .hasMessageContaining("unknown field 'question_num'");
    }

    private static JsonNode awaitPushed(TestBridge bridge, String accountId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> list = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/eco-accounts"))
                    .header("Authorization", "Bearer sandbox-token").GET().build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode account : JSON.readTree(list.body()).path("items")) {
                if (account.path("account_id").asText().equals(accountId) && account.has("pushed_at")) {
                    return account;
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }
}

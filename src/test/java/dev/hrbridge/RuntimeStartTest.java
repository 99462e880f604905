package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.config.RuntimeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Starting HR Bridge the way an operator does: sandbox by default, healthy, observable, durable. */
class RuntimeStartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void withoutFeishuCredentialsItRunsInSandboxModeAgainstTheSimulator() throws Exception {
        try (TestBridge test = TestBridge.start(dir)) {
            HrBridge bridge = test.bridge();
            assertThat(bridge.mode()).isEqualTo(RuntimeMode.SANDBOX);
            assertThat(bridge.settings().get("feishu.base-url")).isEqualTo(test.simulator().baseUrl());
            assertThat(bridge.settings().get("iot.base-url")).isEqualTo(test.simulator().baseUrl());
            assertThat(bridge.settings().get("hrb.api.token")).isEqualTo("sandbox-token");
            assertThat(bridge.context().resolvePropertyPlaceholders("{{feishu.base-url}}"))
                    .isEqualTo(test.simulator().baseUrl());
        }
    }

    @Test
    void healthIsUpWithTheDatabaseCheckOnTheManagementPort() throws Exception {
        try (TestBridge test = TestBridge.start(dir)) {
            HttpResponse<String> health = test.get(test.management("/observe/health?exposureLevel=full"));
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(health.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.path("checks").findValuesAsText("name")).contains("database");
        }
    }

    @Test
    void prometheusMetricsAreServedOnTheManagementPort() throws Exception {
        try (TestBridge test = TestBridge.start(dir)) {
            HttpResponse<String> metrics = test.get(test.management("/observe/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("camel_exchanges_total").contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void camelRouteMBeansAreRegisteredOverJmx() throws Exception {
        try (TestBridge test = TestBridge.start(dir)) {
            Set<ObjectName> routes = ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("org.apache.camel:type=routes,*"), null);
            assertThat(routes).anyMatch(name -> name.getKeyProperty("name").contains("runtime-heartbeat"));
        }
    }

    @Test
    void theDatabaseSurvivesAStopAndRestart() throws Exception {
        String firstNode;
        try (TestBridge test = TestBridge.start(dir)) {
            firstNode = test.bridge().context().getRegistry().lookupByNameAndType("nodeRegistry",
                    dev.hrbridge.ops.NodeRegistry.class).nodeId();
            await().until(() -> nodes(test).contains(firstNode));
        }
        try (TestBridge test = TestBridge.start(dir)) {
            await().until(() -> nodes(test).split(",").length == 2);
            assertThat(nodes(test)).contains(firstNode);
        }
    }

    @Test
    void theManagementPortListensOnLoopbackOnly() throws Exception {
        try (TestBridge test = TestBridge.start(dir, Map.of())) {
            assertThat(test.bridge().settings().get("hrb.management.host")).isEqualTo("127.0.0.1");
            assertThat(test.bridge().context().resolvePropertyPlaceholders("{{camel.management.host}}")).isEqualTo("127.0.0.1");
        }
    }

    private static String nodes(TestBridge test) throws Exception {
        try (Connection connection = test.bridge().database().dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT node_id FROM hrb_node ORDER BY started_at")) {
            StringBuilder ids = new StringBuilder();
            while (rows.next()) {
                ids.append(ids.length() == 0 ? "" : ",").append(rows.getString(1));
            }
            return ids.toString();
        }
    }
}

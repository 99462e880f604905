package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.hrbridge.JarProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged {@code target/hr-bridge.jar}, started with {@code bin/hr-bridge} as a newcomer does. Merged jars lose
 * Camel's and Vert.x's service files when they collide, so this proves each component still loads from it.
 */
class PackagedJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void everyComponentWorksFromThePackagedJar() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.copy(Path.of(PackagedJarIT.class.getResource("/packaging-smoke/smoke.camel.yaml").toURI()),
                routes.resolve("smoke.camel.yaml"));
        try (JarProcess jar = JarProcess.start(work, env("HRB_ROUTES_DIR", routes.toString()))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                HttpResponse<String> smoke = jar.get(jar.api("/smoke"));
                assertThat(smoke.statusCode()).as(smoke.body()).isEqualTo(200);
                JsonNode body = JSON.readTree(smoke.body());
                assertThat(body.path("nodes").asInt()).isEqualTo(1);
                assertThat(body.path("token_code").asInt()).isZero();
                assertThat(body.path("quartz").asText()).isEqualTo("yes");
            });
            HttpResponse<String> route = jar.get(jar.management(
                    "/observe/jolokia/read/org.apache.camel:context=hr-bridge,type=routes,name=%22smoke-components%22/State"));
            assertThat(JSON.readTree(route.body()).path("value").asText()).isEqualTo("Started");
            assertThat(jar.get(jar.management("/observe/metrics")).body()).contains("camel_exchanges_total");
        }
    }

    @Test
    void startsHealthyInSandboxModeAndKeepsItsDatabaseAcrossARestart() throws Exception {
        try (JarProcess jar = JarProcess.start(work, Map.of())) {
            // 3.3–4.6 s on a quiet 2-core machine (BENCHMARKS.md); the bound leaves room for a busy CI host
            Duration healthy = jar.awaitHealthy(Duration.ofSeconds(90));
            assertThat(healthy).isLessThan(Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(5)).until(() -> jar.output().contains("SANDBOX mode"));
            // the simulator, found through ServiceLoader in the merged jar, names its URL and serves seed 001
            assertThat(jar.output()).containsPattern("Sandbox simulator of the Feishu OpenAPI and the IoT gateway listening on "
                    + "http://127\\.0\\.0\\.1:[0-9]+");
            HttpResponse<String> created = TestBridge.HTTP.send(HttpRequest.newBuilder(jar.api("/api/v1/onboarding-qr-codes"))
                    .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},"
                            + "\"value\":{\"select_value\":\"7147562782945478177\"}}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            // the launcher's defaults: C1 only on a host of two CPUs or fewer, a heap that starts small, then JAVA_OPTS
            assertThat(jvmArguments(jar)).contains("-Xms64m -Xmx256m");
            if (cpus() <= 2) {
                assertThat(jvmArguments(jar)).contains("-XX:TieredStopAtLevel=1");
            } else {
                assertThat(jvmArguments(jar)).doesNotContain("-XX:TieredStopAtLevel=1");
            }
            // SIGTERM is an orderly stop, exit status 0
            assertThat(jar.stop()).isZero();
            assertThat(jar.output()).contains("HR Bridge stopped");
        }
        assertThat(work.resolve("data/hrb.mv.db")).exists();
        try (JarProcess jar = JarProcess.start(work, env("HRB_JIT", "tiered"))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            assertThat(jar.output()).contains("(0 migration(s) applied now)");
            assertThat(jvmArguments(jar)).contains("-Xmx256m").doesNotContain("-XX:TieredStopAtLevel=1");
        }
    }

    /** The JVM's command line as the operating system shows it (Jolokia keeps it to itself: it may carry secrets). */
    private static String jvmArguments(JarProcess jar) {
        return String.join(" ", jar.process().info().arguments().orElseThrow());
    }

    /** CPUs as the launcher counts them. */
    private static int cpus() throws Exception {
        Process nproc = new ProcessBuilder("nproc").start();
        String count = new String(nproc.getInputStream().readAllBytes()).trim();
        nproc.waitFor();
        return Integer.parseInt(count);
    }

    @Test
    void prodProfileWithoutSecretsExitsNamingWhatIsMissing() throws Exception {
        try (JarProcess jar = JarProcess.start(work, env("HRB_PROFILE", "prod"))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(30))).isNotZero();
            assertThat(jar.output()).contains("HR Bridge cannot start")
                    .contains("FEISHU_APP_ID").contains("FEISHU_APP_SECRET").contains("HRB_API_TOKEN")
                    .contains("FEISHU_ENCRYPT_KEY").doesNotContain("Exception");
        }
    }

    @Test
    void aMalformedPortFailsFastWithAClearMessage() throws Exception {
        try (JarProcess jar = JarProcess.start(work, env("CAMEL_SERVER_PORT", "eighty"))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(30))).isNotZero();
            assertThat(jar.output()).contains("camel.server.port (CAMEL_SERVER_PORT) must be a whole number from 0 to 65535, got 'eighty'");
        }
    }
}

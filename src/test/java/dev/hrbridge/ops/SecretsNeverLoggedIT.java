package dev.hrbridge.ops;

import dev.hrbridge.JarProcess;
import dev.hrbridge.feishu.Fixtures;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** After a full run through every flow, the process output holds none of the configured secrets. */
class SecretsNeverLoggedIT {

    @TempDir
    Path work;

    @Test
    void noConfiguredSecretAppearsInTheLog() throws Exception {
        Map<String, String> secrets = Map.of(
                "HRB_API_TOKEN", "it-api-token-7f3a9c",
                "FEISHU_ENCRYPT_KEY", "it-encrypt-key-51b2e0",
                "FEISHU_VERIFICATION_TOKEN", "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV",
                "QR_NOTIFY_SECRET", "it-notify-secret-99d1",
                "HRB_ALERTS_SECRET", "it-alerts-secret-6e0b",
                "HRB_DB_PASSWORD", "it-db-password-3c8e");
        String authCode = "ok-it-auth-code-0c4d2b";
        try (JarProcess jar = JarProcess.start(work, secrets)) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            FeishuPush feishu = new FeishuPush(jar.api("/webhooks/feishu/events"), secrets.get("FEISHU_ENCRYPT_KEY"));
            assertThat(feishu.encrypted(Fixtures.read("event-eco-account-created.json")).statusCode()).isEqualTo(200);
            assertThat(feishu.plain(Fixtures.read("event-onboarding-qr-code-inactive.json")).statusCode()).isEqualTo(200);
            assertThat(feishu.unsigned(Fixtures.read("event-onboarding-qr-code-inactive.json")).statusCode()).isEqualTo(401);
            HttpResponse<String> iot = TestHttp.post(jar.api("/api/v1/iot/employees"), secrets.get("HRB_API_TOKEN"),
                    "{\"authCode\":\"" + authCode + "\",\"codeType\":\"AUTH_CODE\"}");
            assertThat(iot.statusCode()).isEqualTo(201);
            assertThat(TestHttp.post(jar.api("/api/v1/iot/employees"), "wrong-" + secrets.get("HRB_API_TOKEN"), "{}")
                    .statusCode()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(10)).until(() -> jar.output().contains("eco-account"));
            jar.stop();
            String log = jar.output();
            for (String secret : List.copyOf(secrets.values())) {
                assertThat(log).as("the log must not contain " + secret).doesNotContain(secret);
            }
            assertThat(log).doesNotContain(authCode).doesNotContain("hrbridge-sandbox-secret");
            assertThat(log).contains("inbound POST /webhooks/feishu/events 200");
        }
    }

    /** Plain HTTP calls with a bearer token. */
    static final class TestHttp {
        static HttpResponse<String> post(java.net.URI uri, String token, String json) throws Exception {
            return dev.hrbridge.TestBridge.HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}

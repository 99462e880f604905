package dev.hrbridge.offboarding;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.TenantTokenCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static dev.hrbridge.ApiClient.json;
import static dev.hrbridge.offboarding.StubFeishuBridge.awaitState;
import static dev.hrbridge.offboarding.StubFeishuBridge.revoke;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offboarding revoke flow in sandbox mode, as the README's curl examples use it: the simulator answers like
 * Feishu's seed 002 (a record is withdrawn once, unknown ids, malformed parameters, the documented demo ids).
 */
class OffboardingRevokeSandboxTest {

    private static final String SIMULATED = "/open-apis/corehr/v2/offboardings/revoke";

    @TempDir
    static Path dir;

    static TestBridge bridge;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of(
                "hrb.inbox.poll-interval-ms", "50",
                "hrb.retry.offboarding-revoke.initial-delay-ms", "50",
                "hrb.retry.offboarding-revoke.max-delay-ms", "100"));
        api = new ApiClient(bridge, "sandbox-token");
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void theSeedsOffboardingIsRevokedOnceAndTheSecondRequestFindsItAlreadyRevoked() throws Exception {
        JsonNode first = awaitState(api, revoke(api, "7095671727698478604"), "SUCCEEDED");
        JsonNode second = awaitState(api, revoke(api, "7095671727698478604"), "SUCCEEDED");

        assertThat(first.path("outcome").asText()).isEqualTo("revoked");
        assertThat(first.path("platform_code").asInt()).isZero();
        assertThat(second.path("outcome").asText()).isEqualTo("already_revoked");
        assertThat(second.path("platform_code").asInt()).isEqualTo(1160202);
    }

    @ParameterizedTest(name = "offboarding {0} is FAILED with {1}")
    @CsvSource({
            "123, 1160201, offboarding is not exist",
            "7095671727698470203, 1160203, the department has been disable when withdrawn"})
    void unknownAndDisabledDepartmentOffboardingsFailWithFeishusCode(String offboardingId, int code, String msg)
            throws Exception {
        JsonNode view = awaitState(api, revoke(api, offboardingId), "FAILED");

        assertThat(view.path("platform_code").asInt()).isEqualTo(code);
        assertThat(view.path("platform_msg").asText()).isEqualTo(msg);
        assertThat(view.path("attempts").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "offboarding {0} fails once with {1}, is retried and revoked")
    @CsvSource({"7095671727698470204, 1160204", "7095671727698470101, 1160101", "7095671727698470103, 1160103"})
    void theRetryDemoIdsFailOnceAndAreRevokedOnTheRetry(String offboardingId, int code) throws Exception {
        JsonNode view = awaitState(api, revoke(api, offboardingId), "SUCCEEDED");

        assertThat(view.path("outcome").asText()).isEqualTo("revoked");
        assertThat(view.path("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void theSimulatorRefusesMalformedParametersWith1160102() throws Exception {
        assertThat(simulated("?user_id_type=email", "{\"offboarding_id\":\"7095671727698478605\"}")).isEqualTo(1160102);
        assertThat(simulated("", "{\"offboarding_id\":\"70956x\"}")).isEqualTo(1160102);
        assertThat(simulated("", "{\"offboarding_id\":7095671727698478605}")).isEqualTo(1160102);
        assertThat(simulated("", "{}")).isEqualTo(1160102);
        assertThat(simulated("?user_id_type=open_id", "{\"offboarding_id\":\"7095671727698478605\",\"operator_id\":\"ou_1\"}"))
                .isZero();
    }

    /** Calls the simulator directly with a tenant token; answers Feishu's code (400 for every refusal). */
    private static int simulated(String query, String body) throws Exception {
        String token = bridge.bridge().context().getRegistry()
                .lookupByNameAndType("tenantTokenCache", TenantTokenCache.class).token();
        HttpResponse<String> answer = TestBridge.HTTP.send(HttpRequest.newBuilder(
                        URI.create(bridge.simulator().baseUrl() + SIMULATED + query))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        int code = json(answer).path("code").asInt();
        assertThat(answer.statusCode()).isEqualTo(code == 0 ? 200 : 400);
        return code;
    }
}

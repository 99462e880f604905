package dev.hrbridge.offboarding;

import dev.hrbridge.feishu.FeishuPush;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.TenantTokenCache;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A live HR Bridge whose Feishu is WireMock on a real port, for one test class ({@code @RegisterExtension}), retrying
 * offboarding revokes fast (2 attempts ~100 ms apart, 1.5 s response timeout, 50 ms poll), and the steps the revoke
 * and dead-letter specifications share.
 */
public final class StubFeishuBridge implements BeforeAllCallback, AfterAllCallback {

    public static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    public static final String REVOKE = "/open-apis/corehr/v2/offboardings/revoke";
    public static final String API = "/api/v1/offboardings/revoke";
    public static final int RESPONSE_TIMEOUT_MS = 1500;
    public static final String OK = "{\"code\":0,\"msg\":\"success\",\"data\":{}}";
    public static final String TOKEN = "{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-test\",\"expire\":7200}";
    private static final AtomicLong IDS = new AtomicLong(7095671727698400000L);

    private final Map<String, String> more;
    private Path dir;
    public WireMockServer feishu;
    public TestBridge bridge;
    public ApiClient api;

    /** {@code more} settings win over the fast-retry ones. */
    public StubFeishuBridge(Map<String, String> more) {
        this.more = more;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("hrb-stub-feishu");
        feishu = new WireMockServer(options().dynamicPort().containerThreads(40));
        feishu.start();
        feishu.stubFor(post(TOKEN_PATH).willReturn(okJson(TOKEN)));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.base-url", feishu.baseUrl());
        settings.put("feishu.app-id", FeishuPush.APP_ID);
        settings.put("feishu.app-secret", "test-app-secret");
        settings.put("hrb.api.token", "test-api-token");
        settings.put("hrb.inbox.poll-interval-ms", "50");
        settings.put("hrb.http.response-timeout-ms", String.valueOf(RESPONSE_TIMEOUT_MS));
        settings.put("hrb.retry.offboarding-revoke.max-attempts", "2");
        settings.put("hrb.retry.offboarding-revoke.initial-delay-ms", "100");
        settings.put("hrb.retry.offboarding-revoke.max-delay-ms", "200");
        settings.putAll(more);
        bridge = TestBridge.start(dir, settings);
        api = new ApiClient(bridge, "test-api-token");
        // a cold JVM's first token fetch can miss the short timeout on a loaded machine; tests should not pay for it
        TenantTokenCache tokens = bean("tenantTokenCache", TenantTokenCache.class);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> tokens.token() != null);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (bridge != null) {
            bridge.close();
        }
        if (feishu != null) {
            feishu.stop();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    public <T> T bean(String name, Class<T> type) {
        return bridge.bridge().context().getRegistry().lookupByNameAndType(name, type);
    }

    public static String newOffboardingId() {
        return String.valueOf(IDS.incrementAndGet());
    }

    /** Feishu's revoke call for one offboarding id. */
    public static MappingBuilder revokeOf(String offboardingId) {
        return post(urlPathEqualTo(REVOKE)).withRequestBody(matchingJsonPath("$.offboarding_id", equalTo(offboardingId)));
    }

    public static ResponseDefinitionBuilder feishuError(int status, int code, String msg) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":" + code + ",\"msg\":\"" + msg + "\",\"error\":{\"log_id\":\"test\"}}");
    }

    public List<LoggedRequest> callsFor(String offboardingId) {
        return feishu.findAll(postRequestedFor(urlPathEqualTo(REVOKE))
                .withRequestBody(matchingJsonPath("$.offboarding_id", equalTo(offboardingId))));
    }

    /** Asks to revoke {@code offboardingId}; answers the request id of the 202. */
    public static String revoke(ApiClient api, String offboardingId) throws Exception {
        HttpResponse<String> response = api.post(API, "{\"offboarding_id\":\"" + offboardingId + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).path("request_id").asText();
    }

    /** The request's view once it reached {@code state}. */
    public static JsonNode awaitState(ApiClient api, String requestId, String state) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.getJson("/api/v1/requests/" + requestId), view -> view.path("state").asText().equals(state));
    }
}

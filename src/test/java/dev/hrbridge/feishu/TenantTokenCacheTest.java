package dev.hrbridge.feishu;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.RetryableFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tenant token is reused until 3 minutes before it expires, then fetched anew; a dropped one is refetched. */
class TenantTokenCacheTest {

    private static final String PATH = "/open-apis/auth/v3/tenant_access_token/internal";

    private WireMockServer feishu;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private TenantTokenCache cache;

    @BeforeEach
    void start() {
        feishu = new WireMockServer(options().dynamicPort());
        feishu.start();
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        cache = new TenantTokenCache(feishu.baseUrl(), "cli_test", "secret", Duration.ofSeconds(2), Duration.ofSeconds(2),
                new FeishuAnswerClassifier(), new OutboundMetrics(() -> null), clock);
        feishu.stubFor(post(PATH).willReturn(okJson("{\"code\":0,\"tenant_access_token\":\"t-1\",\"expire\":7200}")));
    }

    @AfterEach
    void stop() {
        feishu.stop();
    }

    @Test
    void theTokenIsReusedUntilThreeMinutesBeforeItExpires() {
        assertThat(cache.token()).isEqualTo("t-1");
        assertThat(cache.expiresAt()).isEqualTo(now.plusSeconds(7200));
        now = now.plusSeconds(7200 - 181);
        cache.token();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(PATH)));

        now = now.plusSeconds(2);
        cache.token();
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(PATH)));
        assertThat(cache.refreshCount()).isEqualTo(2);
    }

    @Test
    void anInvalidatedTokenIsFetchedAnewButAnOtherTokenIsNotDropped() {
        cache.token();
        cache.invalidate("t-other");
        cache.token();
        feishu.verify(exactly(1), postRequestedFor(urlEqualTo(PATH)));
        cache.invalidate("t-1");
        assertThat(cache.expiresAt()).isNull();
        cache.token();
        feishu.verify(exactly(2), postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aTokenEndpointOutageIsRetryableAndCounted() {
        feishu.stubFor(post(PATH).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(cache::token).isInstanceOf(RetryableFailure.class);
        assertThat(cache.failureCount()).isEqualTo(1);
        assertThat(cache.expiresAt()).isNull();
    }
}

package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** At most N calls in any 60 seconds per API; beyond that the call is deferred, not slept on. */
class ApiThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private ApiThrottle throttle(Map<String, String> overrides) {
        return new ApiThrottle(Settings.load(Map.of(), new Properties(), overrides), now::get);
    }

    @Test
    void theQrCodeCreateApiIsLimitedTo100PerMinuteByDefault() {
        ApiThrottle throttle = throttle(Map.of());
        assertThat(throttle.limit("corehr.onboarding_qr_codes.create")).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            throttle.acquire("corehr.onboarding_qr_codes.create");
        }
        assertThatThrownBy(() -> throttle.acquire("corehr.onboarding_qr_codes.create"))
                .isInstanceOf(DeferredFailure.class);
    }

    @Test
    void onceExhaustedTheCallIsDeferredUntilTheOldestPermitLeavesTheWindow() {
        ApiThrottle throttle = throttle(Map.of("hrb.throttle.test.api.per-minute", "2"));
        throttle.acquire("test.api");
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        throttle.acquire("test.api");

        assertThatThrownBy(() -> throttle.acquire("test.api"))
                .isInstanceOfSatisfying(DeferredFailure.class, deferred -> {
                    assertThat(deferred.retryAfter()).isEqualTo(Duration.ofSeconds(40));
                    assertThat(deferred.api()).isEqualTo("test.api");
                });

        now.addAndGet(Duration.ofSeconds(40).toNanos());
        throttle.acquire("test.api");
        assertThatThrownBy(() -> throttle.acquire("test.api")).isInstanceOf(DeferredFailure.class);
    }

    @Test
    void anApiWithoutALimitIsNotThrottled() {
        ApiThrottle throttle = throttle(Map.of());
        for (int i = 0; i < 10_000; i++) {
            throttle.acquire("corehr.offboardings.revoke");
        }
    }
}

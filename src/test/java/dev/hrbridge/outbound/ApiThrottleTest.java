package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** At most N calls in any 60 seconds (and M in any second) per API; beyond that the call is deferred, not slept on. */
class ApiThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private ApiThrottle throttle(Map<String, String> overrides) {
        return new ApiThrottle(settings(overrides), new LocalPermitLog(now::get));
    }

    private static Settings settings(Map<String, String> overrides) {
        return Settings.load(Map.of(), new Properties(), overrides);
    }

    @Test
    void theQrCodeCreateApiIsLimitedTo100PerMinuteByDefault() {
        ApiThrottle throttle = throttle(Map.of());
        assertThat(ApiThrottle.limits(settings(Map.of()), "corehr.onboarding_qr_codes.create"))
                .isEqualTo(new ApiThrottle.Limits(100, 0));
        for (int i = 0; i < 100; i++) {
            throttle.acquire("corehr.onboarding_qr_codes.create");
        }
        assertThatThrownBy(() -> throttle.acquire("corehr.onboarding_qr_codes.create"))
                .isInstanceOf(DeferredFailure.class);
    }

    @Test
    void theOtherApisWeCallDefaultToTheirDocumentedLimits() {
        Settings defaults = settings(Map.of());
        assertThat(ApiThrottle.limits(defaults, "corehr.offboardings.revoke")).isEqualTo(new ApiThrottle.Limits(0, 20));
        assertThat(ApiThrottle.limits(defaults, "hire.eco_background_check_packages.create"))
                .isEqualTo(new ApiThrottle.Limits(1000, 50));
        assertThat(ApiThrottle.limits(defaults, "hire.eco_exam_papers.create")).isEqualTo(new ApiThrottle.Limits(1000, 50));
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
    void aPerSecondLimitHoldsBesideThePerMinuteOne() {
        ApiThrottle throttle = throttle(Map.of("hrb.throttle.test.api.per-minute", "5", "hrb.throttle.test.api.per-second", "2"));
        throttle.acquire("test.api");
        throttle.acquire("test.api");
        assertThatThrownBy(() -> throttle.acquire("test.api"))
                .isInstanceOfSatisfying(DeferredFailure.class,
                        deferred -> assertThat(deferred.retryAfter()).isEqualTo(Duration.ofSeconds(1)));

        for (int second = 1; second <= 2; second++) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            throttle.acquire("test.api");
        }
        throttle.acquire("test.api");
        // five in this minute: the minute's window is the fuller one, free when the first permit is 60 s old
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> throttle.acquire("test.api"))
                .isInstanceOfSatisfying(DeferredFailure.class,
                        deferred -> assertThat(deferred.retryAfter()).isEqualTo(Duration.ofSeconds(57)));
    }

    @Test
    void anApiWithoutALimitIsNotThrottled() {
        ApiThrottle throttle = throttle(Map.of());
        for (int i = 0; i < 10_000; i++) {
            throttle.acquire("test.unlimited");
        }
    }
}

package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Exponential backoff with equal jitter, capped, per-flow overrides, and the platform's hint first. */
class RetryPolicyTest {

    private static Settings settings(Map<String, String> overrides) {
        return Settings.load(Map.of(), new Properties(), overrides);
    }

    private static RetryPolicy policy(double random, Map<String, String> overrides) {
        return new RetryPolicy(settings(overrides), () -> random);
    }

    @Test
    void theDefaultsAreSixAttemptsFromOneSecondDoublingUpToAMinute() {
        RetryPolicy policy = policy(0.999999, Map.of());
        assertThat(policy.maxAttempts("offboarding-revoke")).isEqualTo(6);
        assertThat(policy.delayBeforeAttempt("offboarding-revoke", 1, null)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.delayBeforeAttempt("offboarding-revoke", 2, null)).isEqualTo(Duration.ofMillis(2000));
        assertThat(policy.delayBeforeAttempt("offboarding-revoke", 5, null)).isEqualTo(Duration.ofMillis(16000));
    }

    @Test
    void theDelayIsCappedAtTheMaximum() {
        assertThat(policy(0.999999, Map.of()).delayBeforeAttempt("any", 30, null)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void equalJitterKeepsAtLeastHalfOfTheBackoffAndRandomisesTheRest() {
        assertThat(policy(0.0, Map.of()).delayBeforeAttempt("any", 3, null)).isEqualTo(Duration.ofMillis(2000));
        assertThat(policy(0.5, Map.of()).delayBeforeAttempt("any", 3, null)).isEqualTo(Duration.ofMillis(3000));
        RetryPolicy real = new RetryPolicy(settings(Map.of()));
        for (int i = 0; i < 100; i++) {
            assertThat(real.delayBeforeAttempt("any", 3, null)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
        }
    }

    @Test
    void aPlatformHintWinsEvenBeyondTheCap() {
        RetryPolicy policy = policy(0.3, Map.of());
        assertThat(policy.delayBeforeAttempt("any", 1, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayBeforeAttempt("any", 1, Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.delayBeforeAttempt("any", 1, Duration.ZERO)).isEqualTo(Duration.ofMillis(650));
    }

    @Test
    void aFlowsOwnSettingsOverrideTheDefaultsKeyByKey() {
        RetryPolicy policy = policy(0.999999, Map.of(
                "hrb.retry.qr-rotation.max-attempts", "3",
                "hrb.retry.qr-rotation.initial-delay-ms", "500"));
        assertThat(policy.maxAttempts("qr-rotation")).isEqualTo(3);
        assertThat(policy.mayRetry("qr-rotation", 2)).isTrue();
        assertThat(policy.mayRetry("qr-rotation", 3)).isFalse();
        assertThat(policy.delayBeforeAttempt("qr-rotation", 2, null)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.maxAttempts("offboarding-revoke")).isEqualTo(6);
    }
}

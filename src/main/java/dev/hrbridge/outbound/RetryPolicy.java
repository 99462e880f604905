package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a flow retries: {@code hrb.retry.<flow>.*} with {@code hrb.retry.*} as the default.
 * Exponential backoff with "equal jitter" (half the delay fixed, half random), capped at the maximum delay, so
 * a burst of failures does not come back as a burst; a wait the platform asked for wins.
 */
public class RetryPolicy {

    private final Settings settings;

    public RetryPolicy(Settings settings) {
        this.settings = settings;
    }

    public int maxAttempts(String flow) {
        return settings.getInt(key(flow, "max-attempts"), 1, 100);
    }

    /** The wait before the next attempt after {@code attemptsSoFar} failed ones. */
    public Duration delayBeforeAttempt(String flow, int attemptsSoFar, Duration retryAfterHint) {
        if (retryAfterHint != null) {
            return retryAfterHint;
        }
        long initial = settings.getLong(key(flow, "initial-delay-ms"), 0, 86_400_000);
        long max = settings.getLong(key(flow, "max-delay-ms"), 0, 86_400_000);
        double multiplier = settings.getDouble(key(flow, "multiplier"), 1.0, 10.0);
        double exponential = initial * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        long capped = (long) Math.min(max, exponential);
        long half = capped / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }

    private String key(String flow, String name) {
        String specific = "hrb.retry." + flow + "." + name;
        return flow != null && settings.isSet(specific) ? specific : "hrb.retry." + name;
    }
}

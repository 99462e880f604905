package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;

import org.apache.camel.processor.errorhandler.RedeliveryPolicy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How often and how late a flow tries an outbound call again: {@code hrb.retry.<flow>.<key>} when set, else
 * {@code hrb.retry.<key>}, for max-attempts, initial-delay-ms, max-delay-ms and multiplier.
 * <p>
 * The delay before attempt n+1 is exponential, {@code initial × multiplier^(n-1)} capped at max-delay, with
 * "equal jitter": half of it fixed, the other half random. The fixed half keeps a minimum spacing (a
 * struggling upstream is not hit again at once), the random half spreads the many retries a Feishu outage
 * produces so they do not return in lockstep. When the platform said how long to wait (rate limit reset),
 * that wait is used as it is, even beyond max-delay: returning earlier would only be refused again.
 */
public class RetryPolicy {

    private final Settings settings;
    private final DoubleSupplier random;

    public RetryPolicy(Settings settings) {
        this(settings, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code random} returns values in [0, 1). */
    public RetryPolicy(Settings settings, DoubleSupplier random) {
        this.settings = settings;
        this.random = random;
    }

    public int maxAttempts(String flow) {
        return settings.getInt(key(flow, "max-attempts"), 1, 100);
    }

    /** Whether a flow that has made {@code attemptsSoFar} attempts may make another. */
    public boolean mayRetry(String flow, int attemptsSoFar) {
        return attemptsSoFar < maxAttempts(flow);
    }

    public Duration delayBeforeAttempt(String flow, int attemptsSoFar, Duration retryAfterHint) {
        if (retryAfterHint != null && !retryAfterHint.isNegative() && !retryAfterHint.isZero()) {
            return retryAfterHint;
        }
        long initial = settings.getLong(key(flow, "initial-delay-ms"), 0, 86_400_000);
        long max = settings.getLong(key(flow, "max-delay-ms"), 0, 86_400_000);
        double multiplier = settings.getDouble(key(flow, "multiplier"), 1.0, 10.0);
        double exponential = initial * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        double capped = Math.min(exponential, max);
        double half = capped / 2;
        return Duration.ofMillis(Math.round(half + half * random.getAsDouble()));
    }

    /**
     * The same settings as a Camel redelivery policy, for a flow whose caller waits for the answer and is
     * retried in-request: exponential backoff with jitter, delayed asynchronously (no thread sleeps).
     */
    public RedeliveryPolicy asCamelRedelivery(String flow) {
        RedeliveryPolicy policy = new RedeliveryPolicy();
        policy.setMaximumRedeliveries(maxAttempts(flow) - 1);
        policy.setRedeliveryDelay(settings.getLong(key(flow, "initial-delay-ms"), 0, 86_400_000));
        policy.setMaximumRedeliveryDelay(settings.getLong(key(flow, "max-delay-ms"), 0, 86_400_000));
        policy.setBackOffMultiplier(settings.getDouble(key(flow, "multiplier"), 1.0, 10.0));
        policy.setUseExponentialBackOff(true);
        policy.setUseCollisionAvoidance(true);
        policy.setAsyncDelayedRedelivery(true);
        return policy;
    }

    /** The property a flow's setting comes from: its own when set, else the default for every flow. */
    String key(String flow, String name) {
        String own = "hrb.retry." + flow + "." + name;
        return flow != null && settings.isSet(own) ? own : "hrb.retry." + name;
    }
}

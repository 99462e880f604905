package dev.hrbridge.outbound;

import java.time.Duration;

/**
 * The call was not made: our own throttle for this API has no permit now (or could not tell). Not an attempt; the
 * work is simply due again after {@link #retryAfter()}, so a backlog drains at the documented rate instead of in
 * 429 storms.
 */
public class DeferredFailure extends OutboundFailure {

    private final Duration retryAfter;

    public DeferredFailure(String api, Duration retryAfter) {
        super(api, null, null, null, "throttled locally: " + api + " has no permit for " + retryAfter.toMillis() + " ms",
                null);
        this.retryAfter = retryAfter;
    }

    /** No permit could be had: the throttle's count did not answer ({@code cause}); asked again after {@code retryAfter}. */
    public DeferredFailure(String api, Duration retryAfter, Throwable cause) {
        super(api, null, null, null, "throttle unavailable: " + api + " not called, again in " + retryAfter.toMillis()
                + " ms (" + cause.getMessage() + ")", cause);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}

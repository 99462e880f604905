package dev.hrbridge.outbound;

import java.time.Duration;

/**
 * The call was not made: our own throttle for this API has no permit now. Not an attempt; the work is simply
 * due again after {@link #retryAfter()}, so a backlog drains at the documented rate instead of in 429 storms.
 */
public class DeferredFailure extends OutboundFailure {

    private final Duration retryAfter;

    public DeferredFailure(String api, Duration retryAfter) {
        super(api, null, null, null, "throttled locally: " + api + " has no permit for " + retryAfter.toMillis() + " ms",
                null);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}

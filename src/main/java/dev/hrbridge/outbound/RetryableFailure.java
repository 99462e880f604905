package dev.hrbridge.outbound;

import java.time.Duration;

/** A failure that may pass if tried again: network error, timeout, 5xx, rate limit, a listed transient code. */
public class RetryableFailure extends OutboundFailure {

    private final Duration retryAfter;

    public RetryableFailure(String api, Integer httpStatus, Integer platformCode, String platformMsg, String message,
                            Duration retryAfter, Throwable cause) {
        super(api, httpStatus, platformCode, platformMsg, message, cause);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}

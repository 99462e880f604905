package dev.hrbridge.outbound;

import java.time.Duration;

/**
 * An outbound call to Feishu, the IoT gateway or a notification target did not succeed. The subclass is the
 * one error classification every flow shares: {@link RetryableFailure} (try again later),
 * {@link PermanentFailure} (trying again cannot help) and {@link DeferredFailure} (not attempted: our own
 * throttle said wait). The dispatcher of durable work turns these into retries, final states and dead letters.
 */
public abstract class OutboundFailure extends RuntimeException {

    private final String api;
    private final Integer httpStatus;
    private final Integer platformCode;
    private final String platformMsg;

    protected OutboundFailure(String api, Integer httpStatus, Integer platformCode, String platformMsg, String message,
                              Throwable cause) {
        super(message, cause);
        this.api = api;
        this.httpStatus = httpStatus;
        this.platformCode = platformCode;
        this.platformMsg = platformMsg;
    }

    /** The logical API called, e.g. {@code corehr.offboardings.revoke}. */
    public String api() {
        return api;
    }

    /** The HTTP status of the answer, null when there was none (network error, timeout). */
    public Integer httpStatus() {
        return httpStatus;
    }

    /** The platform's business code ({@code code} of the answer), null when the answer carried none. */
    public Integer platformCode() {
        return platformCode;
    }

    public String platformMsg() {
        return platformMsg;
    }

    /** Whether the call got no answer in time: our own timeout somewhere in the cause chain. */
    public boolean causedByTimeout() {
        for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    /** How long the platform asked us to wait before the next try, or null to use the backoff. */
    public Duration retryAfter() {
        return null;
    }
}

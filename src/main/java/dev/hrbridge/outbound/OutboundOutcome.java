package dev.hrbridge.outbound;

/** The outcome names that logs and the {@code outcome} metric tag use for an outbound call. */
public final class OutboundOutcome {

    public static final String SUCCESS = "success";

    private OutboundOutcome() {
    }

    /** {@code retryable}, {@code permanent}, {@code deferred}, or {@code error} for anything unclassified. */
    public static String of(Throwable failure) {
        if (failure instanceof DeferredFailure) {
            return "deferred";
        }
        if (failure instanceof PermanentFailure) {
            return "permanent";
        }
        if (failure instanceof RetryableFailure) {
            return "retryable";
        }
        return "error";
    }
}

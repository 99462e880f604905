package dev.hrbridge.outbound;

/** Where the throttle counts the calls it allowed: in this instance's memory, or in the database all instances share. */
interface PermitLog {

    /** Takes a permit for one call under {@code limits}, or throws {@link DeferredFailure} with the wait for the next. */
    void take(ThrottleKey key, ApiThrottle.Limits limits);
}

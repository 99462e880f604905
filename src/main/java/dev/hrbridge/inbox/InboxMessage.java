package dev.hrbridge.inbox;

import java.time.Instant;

/** One row of the durable inbox. */
public record InboxMessage(
        String id,
        Kind kind,
        String dedupKey,
        String flow,
        String eventType,
        String traceId,
        String payload,
        State state,
        int attempts,
        Instant nextAttemptAt,
        String leaseOwner,
        String outcome,
        Integer httpStatus,
        Integer platformCode,
        String platformMsg,
        String lastError,
        Instant createdAt,
        Instant updatedAt) {

    public enum Kind { EVENT, REQUEST, TASK }

    /** PENDING and PROCESSING are open; the others are final (DEAD until an operator replays it). */
    public enum State { PENDING, PROCESSING, SUCCEEDED, UNHANDLED, FAILED, DEAD }

    /** What a producer hands to the inbox: a message not yet stored. */
    public record New(String id, Kind kind, String dedupKey, String flow, String eventType, String traceId,
                      String payload) {
    }
}

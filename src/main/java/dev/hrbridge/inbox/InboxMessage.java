package dev.hrbridge.inbox;

import java.time.Instant;

/**
 * One row of the durable inbox. {@code feishuApp} and {@code tenantKey} are set for a Feishu event: the configured app
 * it came in through and the tenant it belongs to; null for requests and tasks. {@code receivedVia} says how an event
 * came in ({@code webhook} or {@code long_connection}); {@code attemptSeq} counts every attempt started on it, across
 * replays, where {@code attempts} counts those of the current run.
 */
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
        Instant updatedAt,
        String feishuApp,
        String tenantKey,
        String receivedVia,
        int attemptSeq) {

    public enum Kind { EVENT, REQUEST, TASK }

    /** PENDING and PROCESSING are open; the others are final (DEAD until an operator replays it). */
    public enum State { PENDING, PROCESSING, SUCCEEDED, UNHANDLED, FAILED, DEAD }

    /**
     * What a producer hands to the inbox: a message not yet stored. {@code leaseOwner} is the worker that will
     * run it right after the commit, or null to leave it PENDING for any worker. {@code unhandledOutcome} is set for
     * an event no flow takes: it is stored UNHANDLED with that outcome, final at once, and never runs.
     */
    public record New(String id, Kind kind, String dedupKey, String flow, String eventType, String traceId,
                      String payload, String leaseOwner, String feishuApp, String tenantKey, String receivedVia,
                      String unhandledOutcome) {

        public New(String id, Kind kind, String dedupKey, String flow, String eventType, String traceId, String payload) {
            this(id, kind, dedupKey, flow, eventType, traceId, payload, null, null, null, null, null);
        }

        /** A Feishu event of {@code feishuApp}'s tenant {@code tenantKey} (null when the event names none). */
        public New fromTenant(String feishuApp, String tenantKey) {
            return new New(id, kind, dedupKey, flow, eventType, traceId, payload, leaseOwner, feishuApp, tenantKey, receivedVia,
                    unhandledOutcome);
        }

        /** An event that came in {@code via} {@code webhook} or {@code long_connection}. */
        public New receivedVia(String via) {
            return new New(id, kind, dedupKey, flow, eventType, traceId, payload, leaseOwner, feishuApp, tenantKey, via,
                    unhandledOutcome);
        }

        public New claimedBy(String owner) {
            return new New(id, kind, dedupKey, flow, eventType, traceId, payload, owner, feishuApp, tenantKey, receivedVia, null);
        }

        /** Stored final as UNHANDLED with {@code outcome}: there is nothing to claim, run or record afterwards. */
        public New unhandled(String outcome) {
            return new New(id, kind, dedupKey, flow, eventType, traceId, payload, null, feishuApp, tenantKey, receivedVia, outcome);
        }

        /** The stored row as the worker that claimed it at {@code now} sees it. */
        public InboxMessage asClaimed(Instant now) {
            return new InboxMessage(id, kind, dedupKey, flow, eventType, traceId, payload, State.PROCESSING, 1, now,
                    leaseOwner, null, null, null, null, null, now, now, feishuApp, tenantKey, receivedVia, 1);
        }
    }
}

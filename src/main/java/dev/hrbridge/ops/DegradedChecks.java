package dev.hrbridge.ops;

import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.inbox.InboxMessage;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Readiness checks that say "degraded" without taking HR Bridge out of service: webhooks are still stored
 * durably while Feishu refuses tokens or work piles up as dead letters, and answering 503 instead would only make
 * Feishu redeliver. They report UP with {@code degraded=true} and a message; only the database makes it DOWN.
 */
public final class DegradedChecks {

    private DegradedChecks() {
    }

    /** Degraded while the tenant token cannot be fetched (failures since the last good token). */
    public static HealthCheck tenantToken(TenantTokenCache tokens, Clock clock) {
        return new AbstractHealthCheck("hrb", "feishu-token") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                Instant expiresAt = tokens.expiresAt();
                boolean noLiveToken = expiresAt == null || !expiresAt.isAfter(clock.instant());
                builder.detail("failures", tokens.failureCount()).detail("refreshes", tokens.refreshCount());
                if (noLiveToken && tokens.failureCount() > 0) {
                    builder.detail("degraded", true).message("the Feishu tenant_access_token cannot be fetched");
                }
                builder.up();
            }
        };
    }

    /**
     * Degraded when the number of dead letters grew over the last {@code window}. Unknown (and UP: the database check
     * says DOWN) when the database does not answer within a second.
     */
    public static HealthCheck deadLetters(InboxStatistics statistics, Clock clock, Duration window) {
        return new AbstractHealthCheck("hrb", "dead-letters") {
            private final BoundedRead<Long> count = new BoundedRead<>("hrb-health-dead-letters", Duration.ofSeconds(1));
            private long baseline = -1;
            private Instant baselineAt = Instant.MIN;

            @Override
            protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                long dead;
                try {
                    dead = count.get(() -> statistics.snapshot().count(InboxMessage.State.DEAD));
                } catch (Exception e) {
                    builder.detail("dead", "unknown").message("dead letters not counted: the database did not answer");
                    builder.up();
                    return;
                }
                Instant now = clock.instant();
                if (baseline < 0 || baselineAt.plus(window).isBefore(now) || dead < baseline) {
                    baseline = dead;
                    baselineAt = now;
                }
                builder.detail("dead", dead);
                if (dead > baseline) {
                    builder.detail("degraded", true)
                            .message((dead - baseline) + " new dead letter(s) since " + baselineAt);
                }
                builder.up();
            }
        };
    }
}

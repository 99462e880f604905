package dev.hrbridge.ops;

import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.inbox.InboxMessage;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Readiness checks that say "degraded" without taking HR Bridge out of service: webhooks are still stored
 * durably while Feishu refuses tokens or work piles up as dead letters, and answering 503 instead would only make
 * Feishu redeliver. They report UP, degraded ({@link #degraded}); only the database makes it DOWN.
 */
public final class DegradedChecks {

    private DegradedChecks() {
    }

    /**
     * Marks a check's result degraded: {@code degraded=true} among its details ({@code ?data=true}), and a message
     * starting {@code degraded: }, which {@code ?exposureLevel=full} shows (it leaves the details out).
     */
    static void degraded(HealthCheckResultBuilder builder, String why) {
        builder.detail("degraded", true).message("degraded: " + why);
    }

    /** Degraded while some (app, tenant)'s token cannot be fetched: no live token, and failures since the last good one. */
    public static HealthCheck tenantToken(TenantTokenCache tokens, Clock clock) {
        return new AbstractHealthCheck("hrb", "feishu-token") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.detail("failures", tokens.failureCount()).detail("refreshes", tokens.refreshCount());
                List<String> failing = new ArrayList<>();
                for (TenantTokenCache.TokenState token : tokens.tokens()) {
                    Instant expiresAt = token.expiresAt();
                    boolean noLiveToken = expiresAt == null || !expiresAt.isAfter(clock.instant());
                    if (noLiveToken && token.failingInARow() > 0) {
                        failing.add(token.key().kind() + " of " + token.key().app()
                                + (token.key().tenant().isEmpty() ? "" : " tenant " + token.key().tenant()));
                    }
                }
                if (!failing.isEmpty()) {
                    degraded(builder, "Feishu tokens cannot be fetched: " + String.join(", ", failing));
                }
                builder.up();
            }
        };
    }

    /** Degraded while a store app has no usable app_ticket (none, or none for two hours), so no token can be fetched. */
    public static HealthCheck appTickets(AppTickets tickets, FeishuApps apps) {
        return new AbstractHealthCheck("hrb", "feishu-app-ticket") {
            private final BoundedRead<List<String>> problems = new BoundedRead<>("hrb-health-app-tickets", Duration.ofSeconds(1));

            @Override
            protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                List<String> found;
                try {
                    found = problems.get(() -> {
                        List<String> each = new ArrayList<>();
                        for (FeishuApp app : apps.stores()) {
                            String problem = tickets.problem(app);
                            if (problem != null) {
                                each.add(app.name() + ": " + problem);
                            }
                        }
                        return each;
                    });
                } catch (Exception e) {
                    builder.detail("app_tickets", "unknown").message("app_tickets not read: the database did not answer");
                    builder.up();
                    return;
                }
                if (!found.isEmpty()) {
                    degraded(builder, "store apps without a usable app_ticket: " + String.join("; ", found));
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
                    degraded(builder, (dead - baseline) + " new dead letter(s) since " + baselineAt);
                }
                builder.up();
            }
        };
    }
}

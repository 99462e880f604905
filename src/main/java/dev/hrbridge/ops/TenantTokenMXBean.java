package dev.hrbridge.ops;

import java.util.List;

/**
 * JMX view of the Feishu access tokens, one per (app, tenant): {@code dev.hrbridge:type=TenantToken}. The single-value
 * attributes are the default app's own token (a self-built app's) and the counts over every token; {@code Tokens} is
 * the table of every (app, tenant), {@code AppTickets} that of the store apps' app_tickets. Never a token or ticket.
 */
public interface TenantTokenMXBean {

    /** ISO-8601 instant the default app's token expires, or empty when none is cached. */
    String getExpiresAt();

    /** Seconds until the default app's token expires; negative or 0 when none is cached. */
    long getSecondsToExpiry();

    /** Successful token fetches, every app and tenant. */
    long getRefreshes();

    /** Failed token fetches, every app and tenant. */
    long getFailures();

    /** One row per token: app, tenant, kind, expiry, refreshes, failures. */
    List<TokenRow> getTokens();

    /** One row per store app: when its newest app_ticket came, and why it is unusable if it is. */
    List<TicketRow> getAppTickets();

    /** Drops every cached token; the next call of each fetches a new one. */
    void invalidate();

    /**
     * Drops the token of {@code tenant} of {@code app} (tenant ignored for a self-built app); false when none is cached.
     * An app that is not configured fails (IllegalArgumentException).
     */
    boolean invalidateTenant(String app, String tenant);

    /** One cached token as {@link #getTokens()} lists it. */
    interface TokenRow {
        String getApp();

        /** The tenant_key; empty for a self-built app's own tenant and for an app_access_token. */
        String getTenant();

        /** tenant_access_token or app_access_token. */
        String getKind();

        String getExpiresAt();

        long getSecondsToExpiry();

        long getRefreshes();

        long getFailures();
    }

    /** One store app's app_ticket as {@link #getAppTickets()} lists it. */
    interface TicketRow {
        String getApp();

        /** ISO-8601 instant the stored ticket reached HR Bridge; empty when none is stored. */
        String getReceivedAt();

        /** Why the app has no usable ticket; empty when it has one. */
        String getProblem();
    }
}

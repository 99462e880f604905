package dev.hrbridge.ops;

/** JMX view of the Feishu tenant_access_token cache: {@code dev.hrbridge:type=TenantToken}. Never the token. */
public interface TenantTokenMXBean {

    /** ISO-8601 instant the cached token expires, or empty when none is cached. */
    String getExpiresAt();

    /** Seconds until the cached token expires; negative or 0 when none is cached. */
    long getSecondsToExpiry();

    long getRefreshes();

    long getFailures();

    /** Drops the cached token; the next call fetches a new one. */
    void invalidate();
}

package dev.hrbridge.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access tokens Feishu hands out to one kind of holder: a self-built app's tenant, a store app's ticket (its
 * app_access_token), a store app's tenant. Every token document says the same ("自建应用获取 tenant_access_token",
 * "商店应用获取 app_access_token", "商店应用获取 tenant_access_token"): a token lives 2 hours; asked again while it has
 * 30 minutes or more left, Feishu answers the same token, with less a new one, and the old one stays valid until
 * its own 2 hours are up ("这会同时存在两个有效的 ..._access_token").
 */
final class AccessTokens<H> {

    static final Duration LIFETIME = Duration.ofHours(2);
    static final Duration REUSE_MARGIN = Duration.ofMinutes(30);

    /** An answer of a token endpoint: the token and its {@code expire}, seconds it still lives. */
    record Issued(String token, long expireSeconds) {
    }

    private record Grant<H>(H holder, Instant expiry) {
    }

    private final String prefix;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Grant<H>> grants = new ConcurrentHashMap<>();
    private final Map<H, String> current = new HashMap<>();

    /** Tokens starting with {@code prefix} ({@code t-} for tenant tokens, {@code a-} for app tokens, as Feishu's). */
    AccessTokens(String prefix, Clock clock) {
        this.prefix = prefix;
        this.clock = clock;
    }

    /** The holder's token by the reuse rule above. */
    synchronized Issued issue(H holder) {
        Instant now = clock.instant();
        String token = current.get(holder);
        Grant<H> grant = token == null ? null : grants.get(token);
        if (grant == null || Duration.between(now, grant.expiry()).compareTo(REUSE_MARGIN) < 0) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            token = prefix + HexFormat.of().formatHex(raw);
            grant = new Grant<>(holder, now.plus(LIFETIME));
            grants.put(token, grant);
            current.put(holder, token);
        }
        return new Issued(token, Duration.between(now, grant.expiry()).toSeconds());
    }

    /** Whom {@code token} was issued to while it lives; null for a token never issued, revoked or expired. */
    H holder(String token) {
        Grant<H> grant = grants.get(token);
        return grant == null || !clock.instant().isBefore(grant.expiry()) ? null : grant.holder();
    }

    /** Forgets every token, as when Feishu revokes them. */
    synchronized void revokeAll() {
        grants.clear();
        current.clear();
    }
}

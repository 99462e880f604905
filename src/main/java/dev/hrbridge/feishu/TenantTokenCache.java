package dev.hrbridge.feishu;

import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.OutboundOutcome;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Feishu access tokens, one per (app, tenant). A self-built app has one tenant, its own: its token comes from
 * {@code /tenant_access_token/internal} with the app id and secret ("自建应用获取 tenant_access_token"), and the tenant a
 * caller names is ignored. A store app has a tenant token per {@code tenant_key}, from {@code /tenant_access_token} with
 * the app's app_access_token ("商店应用获取 tenant_access_token"), which in turn comes from {@code /app_access_token}
 * with the app id, secret and the stored app_ticket ("商店应用获取 app_access_token"); the app token is cached here too.
 * <p>
 * Each token is fetched on first need, reused until 3 minutes before it expires, then fetched anew. However many
 * callers need one token at once, one fetch runs; the others wait for its result (or, during an early refresh, keep
 * using the still valid token). A refused token is dropped with {@link #invalidate(String, String, String)}; a store
 * app's tenant-token fetch whose app token is refused drops that and tries once more. Neither secrets, tickets nor
 * tokens are ever logged, only a 6-character fingerprint.
 */
public class TenantTokenCache {

    public static final String API = "auth.tenant_access_token";
    public static final String APP_TOKEN_API = "auth.app_access_token";
    static final String PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    static final String STORE_TENANT_PATH = "/open-apis/auth/v3/tenant_access_token";
    static final String APP_TOKEN_PATH = "/open-apis/auth/v3/app_access_token";
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(3);
    /** Feishu's code for an app_ticket it does not take (expired, or of another app). */
    static final int APP_TICKET_INVALID = 10012;

    private static final Logger LOG = LoggerFactory.getLogger(TenantTokenCache.class);

    private final FeishuAuthApi auth;
    private final FeishuApps apps;
    private final AppTickets tickets;
    private final Clock clock;
    private final Map<TokenKey, Slot> slots = new ConcurrentHashMap<>();
    private final List<Consumer<TokenState>> listeners = new CopyOnWriteArrayList<>();

    /**
     * Which token: {@code app}'s tenant_access_token for {@code tenant} ("" for a self-built app's own tenant), or with
     * {@code appToken} a store app's app_access_token (tenant "").
     */
    public record TokenKey(String app, String tenant, boolean appToken) {

        /** The token's kind as metrics tag it. */
        public String kind() {
            return appToken ? "app_access_token" : "tenant_access_token";
        }
    }

    /** What operators see of one cached token: never its value. */
    public interface TokenState {
        TokenKey key();

        /** When the cached token expires, or null when none is cached. */
        Instant expiresAt();

        long refreshes();

        long failures();

        /** Fetches that failed since the last one that succeeded. */
        long failingInARow();
    }

    private record Token(String value, Instant refreshAt, Instant expiresAt) { }

    public TenantTokenCache(FeishuAuthApi auth, FeishuApps apps, AppTickets tickets, Clock clock) {
        this.auth = auth;
        this.apps = apps;
        this.tickets = tickets;
        this.clock = clock;
    }

    /**
     * A valid token for calls of {@code app} (null: the default app) in {@code tenantKey}'s tenant, fetched when there is
     * none or it is due for refresh. A store app needs the tenant: without one the call can never be made.
     */
    public String token(String app, String tenantKey) {
        FeishuApp feishuApp = apps.require(app);
        if (!feishuApp.store()) {
            return slot(new TokenKey(feishuApp.name(), "", false)).token();
        }
        if (tenantKey == null || tenantKey.isBlank()) {
            throw new PermanentFailure(API, null, null, null, "a call of store app " + feishuApp.name()
                    + " needs the tenant_key of the tenant it is for (header " + FeishuCall.TENANT_KEY + ")");
        }
        return slot(new TokenKey(feishuApp.name(), tenantKey, false)).token();
    }

    /** The default app's token (a self-built app's own tenant). */
    public String token() {
        return token(FeishuApp.DEFAULT, null);
    }

    /** Drops {@code token} when it is the one cached for ({@code app}, {@code tenantKey}), so the next call fetches anew. */
    public void invalidate(String app, String tenantKey, String token) {
        FeishuApp feishuApp = apps.require(app);
        Slot slot = slots.get(new TokenKey(feishuApp.name(), feishuApp.store() ? tenantKey : "", false));
        if (slot != null) {
            slot.invalidate(token);
        }
    }

    /** Drops {@code token} when it is the default app's cached one. */
    public void invalidate(String token) {
        invalidate(FeishuApp.DEFAULT, null, token);
    }

    /** Drops every cached token (an operator's "fetch fresh tokens now"). */
    public void invalidate() {
        slots.values().forEach(Slot::drop);
    }

    /** Drops the token of ({@code app}, {@code tenantKey}); false when none is known. */
    public boolean invalidateTenant(String app, String tenantKey) {
        FeishuApp feishuApp = apps.get(app == null ? FeishuApp.DEFAULT : app);
        Slot slot = feishuApp == null ? null
                : slots.get(new TokenKey(feishuApp.name(), feishuApp.store() ? String.valueOf(tenantKey) : "", false));
        if (slot == null) {
            return false;
        }
        slot.drop();
        return true;
    }

    /** When the default app's own token expires, or null when none is cached. */
    public Instant expiresAt() {
        Slot slot = slots.get(new TokenKey(FeishuApp.DEFAULT, "", false));
        return slot == null ? null : slot.expiresAt();
    }

    /** Successful fetches of every token. */
    public long refreshCount() {
        return slots.values().stream().mapToLong(Slot::refreshes).sum();
    }

    /** Failed fetches of every token. */
    public long failureCount() {
        return slots.values().stream().mapToLong(Slot::failures).sum();
    }

    /** Every token fetched or asked for so far, by app and tenant. */
    public List<TokenState> tokens() {
        return slots.values().stream().map(TokenState.class::cast)
                .sorted(Comparator.comparing((TokenState s) -> s.key().app()).thenComparing(s -> s.key().tenant())
                        .thenComparing(s -> s.key().appToken()))
                .toList();
    }

    /** {@code listener} learns of each token (app, tenant) the first time it is asked for. */
    public void onNewToken(Consumer<TokenState> listener) {
        listeners.add(listener);
    }

    private Slot slot(TokenKey key) {
        Slot slot = slots.get(key);
        if (slot != null) {
            return slot;
        }
        Slot created = new Slot(key);
        slot = slots.putIfAbsent(key, created);
        if (slot != null) {
            return slot;
        }
        listeners.forEach(listener -> listener.accept(created));
        return created;
    }

    /** Fetches the token {@code key} names, as Feishu's documents for its app kind say. */
    private Token fetch(TokenKey key) {
        FeishuApp app = apps.require(key.app());
        if (!app.store()) {
            return read(auth.post(API, PATH, Map.of("app_id", app.appId(), "app_secret", app.appSecret())),
                    "tenant_access_token", API);
        }
        if (key.appToken()) {
            return fetchAppToken(app);
        }
        Slot appToken = slot(new TokenKey(app.name(), "", true));
        for (int attempt = 1; ; attempt++) {
            String token = appToken.token();
            try {
                return read(auth.post(API, STORE_TENANT_PATH, Map.of("app_access_token", token, "tenant_key", key.tenant())),
                        "tenant_access_token", API);
            } catch (OutboundFailure e) {
                if (attempt > 1 || e.platformCode() == null
                        || !FeishuAnswerClassifier.TOKEN_REJECTED_CODES.contains(e.platformCode())) {
                    throw e;
                }
                // the app token was refused: a new one, once
                appToken.invalidate(token);
            }
        }
    }

    private Token fetchAppToken(FeishuApp app) {
        Optional<AppTickets.Ticket> ticket;
        try {
            ticket = tickets.current(app);
        } catch (SQLException e) {
            throw new RetryableFailure(APP_TOKEN_API, null, null, null, "the app_ticket of " + app.name()
                    + " could not be read: " + e, null, e);
        }
        if (ticket.isEmpty()) {
            tickets.requestResend(app, "a token is needed and no app_ticket is stored");
            throw new RetryableFailure(APP_TOKEN_API, null, null, null, "store app " + app.name()
                    + " has no app_ticket yet; Feishu was asked to push one", null, null);
        }
        try {
            return read(auth.post(APP_TOKEN_API, APP_TOKEN_PATH, Map.of("app_id", app.appId(), "app_secret", app.appSecret(),
                    "app_ticket", ticket.get().value())), "app_access_token", APP_TOKEN_API);
        } catch (OutboundFailure e) {
            if (Integer.valueOf(APP_TICKET_INVALID).equals(e.platformCode())) {
                tickets.refused(app, ticket.get().value());
                throw new RetryableFailure(APP_TOKEN_API, e.httpStatus(), e.platformCode(), e.platformMsg(),
                        "Feishu refused the app_ticket of " + app.name() + "; it was asked to push a new one", null, e);
            }
            throw e;
        }
    }

    private Token read(Map<String, Object> answer, String field, String api) {
        Object value = answer.get(field);
        Object expire = answer.get("expire");
        if (!(value instanceof String token) || token.isBlank() || !(expire instanceof Number seconds)
                || seconds.longValue() <= 0) {
            throw new RetryableFailure(api, null, answer.get("code") instanceof Number code ? code.intValue() : null,
                    String.valueOf(answer.get("msg")),
                    "token answer without " + field + " or expire", null, null);
        }
        Instant now = clock.instant();
        Duration lifetime = Duration.ofSeconds(seconds.longValue());
        // a lifetime shorter than twice the margin would be refreshed at once; use half of it instead
        Duration usable = lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) > 0
                ? lifetime.minus(REFRESH_MARGIN) : lifetime.dividedBy(2);
        return new Token(token, now.plus(usable), now.plus(lifetime));
    }

    /** One token: the value cached, the fetch in flight, and its counts. */
    private final class Slot implements TokenState {
        private final TokenKey key;
        private final AtomicLong refreshes = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong failingInARow = new AtomicLong();
        private Token current;
        private CompletableFuture<Token> inFlight;

        Slot(TokenKey key) {
            this.key = key;
        }

        String token() {
            CompletableFuture<Token> fetch;
            boolean mine = false;
            synchronized (this) {
                Instant now = clock.instant();
                if (current != null && now.isBefore(current.refreshAt())) {
                    return current.value();
                }
                if (inFlight != null && current != null && now.isBefore(current.expiresAt())) {
                    return current.value();
                }
                if (inFlight == null) {
                    inFlight = new CompletableFuture<>();
                    mine = true;
                }
                fetch = inFlight;
            }
            if (mine) {
                fetchInto(fetch);
            }
            try {
                return fetch.join().value();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException failure ? failure : e;
            }
        }

        private void fetchInto(CompletableFuture<Token> fetch) {
            try {
                Token token = fetch(key);
                synchronized (this) {
                    current = token;
                    inFlight = null;
                }
                refreshes.incrementAndGet();
                failingInARow.set(0);
                LOG.info("Fetched {} {} of Feishu app {}{} valid until {}", key.kind(), fingerprint(token.value()), key.app(),
                        key.tenant().isEmpty() ? "" : " tenant " + key.tenant(), token.expiresAt());
                fetch.complete(token);
            } catch (RuntimeException e) {
                synchronized (this) {
                    inFlight = null;
                }
                failures.incrementAndGet();
                failingInARow.incrementAndGet();
                LOG.warn("Fetching the {} of Feishu app {}{} failed ({}): {}", key.kind(), key.app(),
                        key.tenant().isEmpty() ? "" : " tenant " + key.tenant(), OutboundOutcome.of(e), e.getMessage());
                fetch.completeExceptionally(e);
            }
        }

        synchronized void invalidate(String token) {
            if (current != null && current.value().equals(token)) {
                LOG.info("{} {} of Feishu app {}{} was refused by Feishu; dropped, the next call fetches a new one",
                        key.kind(), fingerprint(token), key.app(), key.tenant().isEmpty() ? "" : " tenant " + key.tenant());
                current = null;
            }
        }

        synchronized void drop() {
            current = null;
        }

        @Override
        public TokenKey key() {
            return key;
        }

        @Override
        public synchronized Instant expiresAt() {
            return current == null ? null : current.expiresAt();
        }

        @Override
        public long refreshes() {
            return refreshes.get();
        }

        @Override
        public long failures() {
            return failures.get();
        }

        @Override
        public long failingInARow() {
            return failingInARow.get();
        }
    }

    /** A short, non-reversible name for a token in logs. */
    public static String fingerprint(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

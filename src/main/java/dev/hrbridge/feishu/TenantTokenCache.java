package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Kind;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Verdict;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.OutboundOutcome;
import dev.hrbridge.outbound.RetryableFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The app's Feishu tenant_access_token. Fetched on first need, reused until 3 minutes before it expires, then
 * fetched anew. However many callers need a token at once, one fetch runs; the others wait for its result (or,
 * during an early refresh, keep using the still valid token). A refused token is dropped with
 * {@link #invalidate(String)}. Neither the secret nor the token is ever logged, only a 6-character fingerprint.
 */
public class TenantTokenCache {

    public static final String API = "auth.tenant_access_token";
    static final String PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(3);

    private static final Logger LOG = LoggerFactory.getLogger(TenantTokenCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String appId;
    private final String appSecret;
    private final Duration responseTimeout;
    private final HttpClient http;
    private final FeishuAnswerClassifier classifier;
    private final OutboundMetrics metrics;
    private final Clock clock;
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private Token current;
    private CompletableFuture<Token> inFlight;

    private record Token(String value, Instant refreshAt, Instant expiresAt) { }

    public TenantTokenCache(String baseUrl, String appId, String appSecret, Duration connectTimeout,
                            Duration responseTimeout, FeishuAnswerClassifier classifier, OutboundMetrics metrics,
                            Clock clock) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + PATH);
        this.appId = appId;
        this.appSecret = appSecret;
        this.responseTimeout = responseTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.classifier = classifier;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A valid tenant token, fetched when there is none or it is due for refresh. */
    public String token() {
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

    /** Drops {@code token} when it is the cached one, so the next {@link #token()} fetches anew. */
    public synchronized void invalidate(String token) {
        if (current != null && current.value().equals(token)) {
            LOG.info("Tenant token {} was refused by Feishu; dropped, the next call fetches a new one", fingerprint(token));
            current = null;
        }
    }

    /** Drops whatever token is cached (an operator's "fetch a fresh token now"). */
    public synchronized void invalidate() {
        current = null;
    }

    /** When the cached token expires, or null when none is cached. */
    public synchronized Instant expiresAt() {
        return current == null ? null : current.expiresAt();
    }

    public long refreshCount() {
        return refreshes.get();
    }

    public long failureCount() {
        return failures.get();
    }

    private void fetchInto(CompletableFuture<Token> fetch) {
        long begin = System.nanoTime();
        try {
            Token token = fetch();
            synchronized (this) {
                current = token;
                inFlight = null;
            }
            refreshes.incrementAndGet();
            metrics.record(API, "success", Duration.ofNanos(System.nanoTime() - begin));
            LOG.info("Fetched tenant token {} valid until {}", fingerprint(token.value()), token.expiresAt());
            fetch.complete(token);
        } catch (RuntimeException e) {
            synchronized (this) {
                inFlight = null;
            }
            failures.incrementAndGet();
            String outcome = OutboundOutcome.of(e);
            metrics.record(API, outcome, Duration.ofNanos(System.nanoTime() - begin));
            LOG.warn("Fetching the tenant token failed ({}): {}", outcome, e.getMessage());
            fetch.completeExceptionally(e);
        }
    }

    private Token fetch() {
        HttpResponse<String> response;
        try {
            String body = JSON.writeValueAsString(Map.of("app_id", appId, "app_secret", appSecret));
            response = http.send(HttpRequest.newBuilder(endpoint)
                            .timeout(responseTimeout)
                            .header("Content-Type", "application/json; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new RetryableFailure(API, null, null, null, "token endpoint unreachable: " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableFailure(API, null, null, null, "interrupted while fetching the tenant token", null, e);
        }
        Verdict verdict = classifier.classify(response.statusCode(), response.body(),
                response.headers().firstValue("x-ogw-ratelimit-reset").orElse(null), Set.of(), Set.of());
        if (verdict.kind() != Kind.SUCCESS) {
            throw verdict.toFailure(API);
        }
        Object value = verdict.answer().get("tenant_access_token");
        Object expire = verdict.answer().get("expire");
        if (!(value instanceof String token) || token.isBlank() || !(expire instanceof Number seconds)
                || seconds.longValue() <= 0) {
            throw new RetryableFailure(API, response.statusCode(), verdict.code(), verdict.msg(),
                    "token answer without tenant_access_token or expire", null, null);
        }
        Instant now = clock.instant();
        Duration lifetime = Duration.ofSeconds(seconds.longValue());
        // a lifetime shorter than twice the margin would be refreshed at once; use half of it instead
        Duration usable = lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) > 0
                ? lifetime.minus(REFRESH_MARGIN) : lifetime.dividedBy(2);
        return new Token(token, now.plus(usable), now.plus(lifetime));
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

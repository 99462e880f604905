package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Feishu OpenAPI as the sandbox sees it: the internal tenant_access_token endpoint and, for every other
 * {@code /open-apis/} path, Feishu's bearer-token check with its error codes.
 */
public final class FeishuSandbox {

    static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    static final int TOKEN_LIFETIME_SECONDS = 7200;

    private final String appId;
    private final String appSecret;
    private final Clock clock;
    private final Map<String, Instant> tenantTokens = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger tokenRequests = new AtomicInteger();

    FeishuSandbox(String appId, String appSecret) {
        this(appId, appSecret, Clock.systemUTC());
    }

    FeishuSandbox(String appId, String appSecret, Clock clock) {
        this.appId = appId;
        this.appSecret = appSecret;
        this.clock = clock;
    }

    /** A business endpoint behind the tenant-token check, served by a later part of the simulator. */
    public interface Operation {
        Reply handle(Request request) throws Exception;
    }

    /** Serves {@code method path} (path without query) with {@code operation}, after the token check. */
    public void register(String method, String path, Operation operation) {
        operations.put(method + " " + path, operation);
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    Reply handle(Request request) throws Exception {
        if (request.path().equals(TOKEN_PATH)) {
            return issueTenantToken(request);
        }
        Reply rejected = checkTenantToken(request);
        if (rejected != null) {
            return rejected;
        }
        Operation operation = operations.get(request.method() + " " + request.path());
        if (operation == null) {
            return Reply.json(404, Map.of("code", 404, "msg", "404 page not found"));
        }
        return operation.handle(request);
    }

    private Reply issueTenantToken(Request request) {
        tokenRequests.incrementAndGet();
        if (!request.method().equals("POST")) {
            return Reply.json(405, Map.of("code", 405, "msg", "method not allowed"));
        }
        JsonNode body = request.json();
        if (body == null) {
            return error(400, 9499, "Bad Request: the body must be a JSON object");
        }
        String id = body.path("app_id").asText("");
        String secret = body.path("app_secret").asText("");
        if (id.isEmpty() || secret.isEmpty()) {
            return error(400, 10003, "invalid param: app_id and app_secret are required");
        }
        if (!id.equals(appId)) {
            return error(400, 10003, "invalid param: app_id not found");
        }
        if (!secret.equals(appSecret)) {
            return error(400, 10014, "app secret invalid");
        }
        byte[] raw = new byte[16];
        random.nextBytes(raw);
        String token = "t-" + HexFormat.of().formatHex(raw);
        tenantTokens.put(token, clock.instant().plusSeconds(TOKEN_LIFETIME_SECONDS));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", "ok");
        answer.put("tenant_access_token", token);
        answer.put("expire", TOKEN_LIFETIME_SECONDS);
        return Reply.json(200, answer);
    }

    /** Null when the call carries a live tenant token, else Feishu's rejection. */
    private Reply checkTenantToken(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.length() == 7) {
            return error(400, 99991661, "Missing access token for authorization. Please make a request with token attached.");
        }
        Instant expiry = tenantTokens.get(authorization.substring(7).trim());
        if (expiry == null) {
            return error(400, 99991663, "Invalid access token for authorization. Please make a request with token attached.");
        }
        if (!clock.instant().isBefore(expiry)) {
            tenantTokens.remove(authorization.substring(7).trim());
            return error(400, 99991663, "Invalid access token for authorization. Please make a request with token attached.");
        }
        return null;
    }

    /** Forgets every issued token, as when Feishu revokes them; the next call sees 99991663. */
    public void revokeAllTokens() {
        tenantTokens.clear();
    }

    static Reply error(int status, int code, String msg) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", code);
        answer.put("msg", msg);
        answer.put("error", Map.of("log_id", Long.toHexString(System.nanoTime())));
        return Reply.json(status, answer);
    }
}

package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.FrequencyLimit.Refusal;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Feishu OpenAPI of the sandbox: its own tenant with one self-built app, and a store app installed by two
 * customer tenants ({@link StoreAppSandbox}). Before an API sees a call, the call meets what Feishu's gateway checks,
 * in this order:
 * <ol>
 *   <li>method and path Feishu serves, else HTTP 404 with the plain text {@code 404 page not found} (what Feishu
 *       answers to an unknown path: larksuite/oapi-sdk-go issue 64);</li>
 *   <li>{@code Authorization: Bearer <tenant_access_token>}: none is {@code 99991661}, an unknown, revoked or expired
 *       one {@code 99991663} (server-side error codes page), HTTP 400. The token says who calls: the self-built app
 *       in the sandbox's own tenant, or the store app in one of its tenants ({@link Caller});</li>
 *   <li>the API's documented frequency limit, counted per caller: HTTP 429 {@code 99991400} with
 *       {@code x-ogw-ratelimit-limit} and {@code x-ogw-ratelimit-reset} ("频控策略");</li>
 *   <li>{@code Content-Type}, which every API document fixes as {@code application/json; charset=utf-8}: another
 *       media type or charset is HTTP 400 {@code 9499 Bad Request}. Feishu's own call samples (seed 002's curl,
 *       C# and PHP) send {@code application/json} without a charset and are served, so a missing charset passes;</li>
 *   <li>a body that is one JSON object, else HTTP 400 {@code 9499 Bad Request} (the generic code Feishu answers to
 *       a body it cannot read: larksuite/oapi-sdk-nodejs issue 24).</li>
 * </ol>
 * Every refusal has Feishu's shape {@code {"code", "msg", "error": {"log_id"}}} and an {@code X-Tt-Logid} header.
 * The credential endpoints (tokens, the store app's ticket resend) are outside these checks: they take no bearer.
 */
public final class FeishuSandbox {

    static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
    /** The tenant the self-built app is installed in; the store app's tenants are {@link StoreAppSandbox#tenants()}. */
    static final String OWN_TENANT_KEY = "sandbox-tenant";
    static final int BAD_REQUEST = 9499;
    static final int INVALID_PARAM = 10003;
    static final int APP_SECRET_INVALID = 10014;
    static final int TOKEN_MISSING = 99991661;
    static final int TOKEN_INVALID = 99991663;
    static final int RATE_LIMITED = 99991400;

    private static final Logger LOG = LoggerFactory.getLogger(FeishuSandbox.class);
    private static final DateTimeFormatter LOG_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.ofHours(8));

    private final String appSecret;
    private final Clock clock;
    private final Caller own;
    private final AccessTokens<Caller> tenantTokens;
    private final Map<String, Api> apis = new ConcurrentHashMap<>();
    private final Map<String, PlatformSimulator.Handler> credentialEndpoints = new ConcurrentHashMap<>();
    private final OnboardingQrCodeSandbox qrCodes;
    private final OffboardingSandbox offboardings;
    private final HireEcoSandbox hire;
    private final StoreAppSandbox storeApp;
    private int tokenRequests;
    private volatile boolean frequencyLimits = true;

    /** Who a tenant_access_token speaks for: an app, in one tenant that installed it. */
    public record Caller(String appId, String tenantKey) {
    }

    /** A business API behind the gateway's checks; {@code body} is the request's JSON object, {@code caller} its token's. */
    interface Operation {
        Reply handle(JsonNode body, Request request, Caller caller) throws Exception;
    }

    /** Feishu counts an API's frequency limit per app and tenant, so each caller has its own count. */
    private record Api(Operation operation, List<FrequencyLimit.Window> windows, Map<Caller, FrequencyLimit> limits) {
    }

    FeishuSandbox(String baseUrl, String appId, String appSecret, Clock clock) {
        this.appSecret = appSecret;
        this.clock = clock;
        this.own = new Caller(appId, OWN_TENANT_KEY);
        this.tenantTokens = new AccessTokens<>("t-", clock);
        this.qrCodes = new OnboardingQrCodeSandbox(baseUrl, clock);
        this.offboardings = new OffboardingSandbox();
        this.hire = new HireEcoSandbox(own);
        this.storeApp = new StoreAppSandbox(clock, hire);
        credentialEndpoints.put(TOKEN_PATH, this::issueTenantToken);
        qrCodes.serveOn(this);
        offboardings.serveOn(this);
        hire.serveOn(this);
        storeApp.serveOn(this);
    }

    /** Serves {@code method path} (path without query) with {@code operation}, within the documented limits. */
    void register(String method, String path, Operation operation, FrequencyLimit.Window... limits) {
        apis.put(method + " " + path, new Api(operation, List.of(limits), new ConcurrentHashMap<>()));
    }

    /** Serves {@code POST path}, an endpoint that hands out credentials, without the gateway's bearer check. */
    void registerCredentials(String path, PlatformSimulator.Handler endpoint) {
        credentialEndpoints.put(path, endpoint);
    }

    /** Whether calls beyond an API's documented frequency limit are refused (on unless a load test turns it off). */
    public void frequencyLimits(boolean enforced) {
        frequencyLimits = enforced;
    }

    public HireEcoSandbox hire() {
        return hire;
    }

    /** The store app, its tenants, its app_ticket pushes and tokens. */
    public StoreAppSandbox storeApp() {
        return storeApp;
    }

    public synchronized int tokenRequests() {
        return tokenRequests;
    }

    /** Forgets every issued tenant token, the store app's too, as when Feishu revokes them; the next call with one is 99991663. */
    public void revokeAllTokens() {
        tenantTokens.revokeAll();
        storeApp.revokeTenantTokens();
    }

    Reply handle(Request request) throws Exception {
        PlatformSimulator.Handler credentials = request.method().equals("POST") ? credentialEndpoints.get(request.path()) : null;
        if (credentials != null) {
            return credentials.handle(request);
        }
        Api api = apis.get(request.method() + " " + request.path());
        if (api == null) {
            return pageNotFound();
        }
        String token = bearer(request);
        if (token.isEmpty()) {
            LOG.info("Sandbox Feishu refused {} {}: no tenant token", request.method(), request.path());
            return error(400, TOKEN_MISSING, "Missing access token for authorization. Please make a request with token attached.");
        }
        Caller caller = tenantTokens.holder(token);
        if (caller == null) {
            caller = storeApp.callerOf(token);
        }
        if (caller == null) {
            LOG.info("Sandbox Feishu refused {} {}: an unknown, revoked or expired tenant token", request.method(), request.path());
            return error(400, TOKEN_INVALID, "Invalid access token for authorization. Please make a request with token attached.");
        }
        Refusal limited = frequencyLimits
                ? api.limits().computeIfAbsent(caller, c -> new FrequencyLimit(clock, api.windows())).admit() : null;
        if (limited != null) {
            LOG.info("Sandbox Feishu rate-limited {} {}: more than {} calls, reset in {} s", request.method(),
                    request.path(), limited.limit(), limited.resetSeconds());
            return rateLimited(limited);
        }
        JsonNode body = jsonBody(request);
        if (body == null) {
            return badRequest(request);
        }
        return api.operation().handle(body, request, caller);
    }

    private synchronized Reply issueTenantToken(Request request) {
        tokenRequests++;
        JsonNode body = jsonBody(request);
        if (body == null) {
            return badRequest(request);
        }
        JsonNode id = body.get("app_id");
        JsonNode secret = body.get("app_secret");
        if (id == null || !id.isTextual() || secret == null || !secret.isTextual() || !id.asText().equals(own.appId())) {
            return error(400, INVALID_PARAM, "invalid param");
        }
        if (!secret.asText().equals(appSecret)) {
            return error(400, APP_SECRET_INVALID, "app secret invalid");
        }
        return tokenAnswer("ok", "tenant_access_token", tenantTokens.issue(own));
    }

    /** A token endpoint's success: {@code {"code": 0, "msg", "<name>": token, "expire": seconds}}, no data object. */
    static Reply tokenAnswer(String msg, String name, AccessTokens.Issued issued) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", msg);
        answer.put(name, issued.token());
        answer.put("expire", issued.expireSeconds());
        return Reply.json(200, answer);
    }

    /** The token of the call's one {@code Authorization: Bearer} header, or empty. */
    private static String bearer(Request request) {
        List<String> authorization = request.headers("Authorization");
        String value = authorization.size() == 1 ? authorization.get(0).trim() : "";
        return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : "";
    }

    /** The body as a JSON object when it is declared JSON in UTF-8 (or without a charset), else null. */
    static JsonNode jsonBody(Request request) {
        List<String> contentTypes = request.headers("Content-Type");
        if (contentTypes.size() != 1 || !declaresJson(contentTypes.get(0))) {
            return null;
        }
        return request.json();
    }

    static boolean declaresJson(String contentType) {
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].trim().equalsIgnoreCase("charset")) {
                String charset = parameter.length < 2 ? "" : parameter[1].trim().replace("\"", "");
                if (!charset.toLowerCase(Locale.ROOT).equals("utf-8")) {
                    return false;
                }
            }
        }
        return true;
    }

    static Reply badRequest(Request request) {
        LOG.info("Sandbox Feishu refused {} {}: Content-Type {} with a body that is {}one JSON object", request.method(),
                request.path(), request.headers("Content-Type"), request.json() == null ? "not " : "");
        return error(400, BAD_REQUEST, "Bad Request");
    }

    /** Feishu's refusal: {@code {"code", "msg", "error": {"log_id"}}} and the same log id in {@code X-Tt-Logid}. */
    static Reply error(int status, int code, String msg) {
        String logId = logId();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", code);
        answer.put("msg", msg);
        answer.put("error", Map.of("log_id", logId));
        return Reply.json(status, Map.of("X-Tt-Logid", logId), answer);
    }

    /** Feishu's success: {@code {"code": 0, "msg": "success", "data": ...}}. */
    static Reply success(Object data) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", "success");
        answer.put("data", data);
        return Reply.json(200, Map.of("X-Tt-Logid", logId()), answer);
    }

    /** Exactly the answer of "频控策略": no error object, the limit and the seconds to wait in headers. */
    private static Reply rateLimited(Refusal refusal) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", RATE_LIMITED);
        answer.put("msg", "request trigger frequency limit");
        return Reply.json(429, Map.of("x-ogw-ratelimit-limit", String.valueOf(refusal.limit()),
                "x-ogw-ratelimit-reset", String.valueOf(refusal.resetSeconds()), "X-Tt-Logid", logId()), answer);
    }

    static Reply pageNotFound() {
        return new Reply(404, Map.of("Content-Type", "text/plain; charset=utf-8"),
                "404 page not found".getBytes(StandardCharsets.UTF_8));
    }

    /** A log id in Feishu's form: the time in Beijing, then random hex. */
    static String logId() {
        byte[] raw = new byte[9];
        ThreadLocalRandom.current().nextBytes(raw);
        return LOG_ID_TIME.format(Instant.now()) + HexFormat.of().withUpperCase().formatHex(raw);
    }
}

package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.hrbridge.sandbox.FeishuSandbox.Caller;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's store app (商店应用), installed by two customer tenants, written from Feishu's documents:
 * <ul>
 *   <li>"app_ticket 事件": Feishu pushes the store app an {@code app_ticket} event about once an hour, a v1 envelope
 *       {@code {"ts", "uuid", "token", "type": "event_callback", "event": {"app_id", "app_ticket", "type": "app_ticket"}}}.
 *       Store apps receive events only at their request URL ("使用长连接接收事件": 长连接模式仅支持企业自建应用), so every
 *       push here is an HTTP POST to the webhook HR Bridge serves for the app, {@link #deliverTo}.</li>
 *   <li>"重新获取 app_ticket": {@code POST /open-apis/auth/v3/app_ticket/resend} {@code {app_id, app_secret}} answers
 *       {@code {"code": 0, "msg": "success"}} and makes Feishu push a fresh ticket at once.</li>
 *   <li>"商店应用获取 app_access_token": {@code POST /open-apis/auth/v3/app_access_token}
 *       {@code {app_id, app_secret, app_ticket}} answers {@code {"code": 0, "msg": "success", "app_access_token": "a-…",
 *       "expire"}}. A ticket that is not one of the app's last two (the latest, and the one before it, which a push can
 *       overtake) is {@code 10012}, the code the official SDKs (oapi-sdk-java {@code Body.ErrCodeAppTicketInvalid},
 *       oapi-sdk-go {@code errCodeAppTicketInvalid}) answer by calling the resend. Feishu publishes no ticket lifetime.</li>
 *   <li>"商店应用获取 tenant_access_token": {@code POST /open-apis/auth/v3/tenant_access_token}
 *       {@code {app_access_token, tenant_key}} answers {@code {"code": 0, "msg": "success", "tenant_access_token": "t-…",
 *       "expire"}}. An unknown or expired app_access_token is {@code 99991664} (the SDKs'
 *       {@code ErrCodeAppAccessTokenInvalid}); a tenant that has not installed the app is {@code 10003 invalid param}
 *       (a sandbox choice: Feishu documents no code for it).</li>
 * </ul>
 * Both tokens follow {@link AccessTokens}' rule: an app_access_token is bound to the app and the ticket it was asked
 * with, a tenant_access_token to the app and its tenant. A wrong or missing {@code app_id} is {@code 10003}, a wrong
 * secret {@code 10014}, as at the self-built app's endpoint.
 * <p>
 * With the encrypt key set, every push is encrypted and signed as "将事件发送至开发者服务器" and "步骤三：接收事件"
 * describe: the body {@code {"encrypt": base64(iv + AES-256-CBC(PKCS7, key = SHA-256(encrypt key), event))}}, and
 * {@code X-Lark-Signature} = hex SHA-256({@code X-Lark-Request-Timestamp} + {@code X-Lark-Request-Nonce} + encrypt key +
 * body). The event carries the verification token ({@code token}, or {@code header.token} in a v2 event). Feishu waits
 * 3 s for a {@code 200}; anything else is pushed again after 15 s, 5 min, 1 h and 6 h, then given up. While the port
 * does not answer at all (HR Bridge still starting) the push is tried again within seconds, for two minutes.
 * <p>
 * Each tenant's Hire accounts are announced by {@code hire.eco_account.created_v1} (seed 003) with
 * {@code header.app_id} the store app and {@code header.tenant_key} the tenant; {@link HireEcoSandbox} then accepts
 * pushes for the account only with that tenant's token.
 */
public final class StoreAppSandbox implements AutoCloseable {

    public static final String APP_ID = "cli_hrbridge_store";
    static final String APP_SECRET = "hrbridge-store-secret";
    static final String VERIFICATION_TOKEN = "hrbridge-store-verification-token";
    static final String ENCRYPT_KEY = "hrbridge-store-encrypt-key";
    static final String RESEND_PATH = "/open-apis/auth/v3/app_ticket/resend";
    static final String APP_TOKEN_PATH = "/open-apis/auth/v3/app_access_token";
    static final String TENANT_TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token";
    static final String ADMIN_PATH = "/sandbox/store-app";
    static final int APP_TICKET_INVALID = 10012;
    static final int APP_ACCESS_TOKEN_INVALID = 99991664;
    /** The custom field HR Bridge reads the customer from (its default {@code hrb.eco.customer-field}). */
    static final String CUSTOMER_FIELD = "ord_id";
    static final Duration PUSH_TIMEOUT = Duration.ofSeconds(3);
    static final List<Duration> FEISHU_REDELIVERIES = List.of(Duration.ofSeconds(15), Duration.ofMinutes(5),
            Duration.ofHours(1), Duration.ofHours(6));
    private static final Duration CONNECT_RETRY_MAX = Duration.ofSeconds(5);
    private static final Duration CONNECT_PATIENCE = Duration.ofMinutes(2);
    private static final int PUSHES_KEPT = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(StoreAppSandbox.class);

    /** A customer that installed the store app: its tenant key, and what its accounts carry by default. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Tenant(String tenantKey, String customer, int scope) {
    }

    /**
     * The two tenants, each one of the customers of HR Bridge's shipped catalogue (eco-catalogue.json): Example Trading
     * offers background checks, Example Campus Hiring exam papers only, so its accounts default to scope 2.
     */
    static final List<Tenant> TENANTS = List.of(new Tenant("tenant-acme", "7233333", 1),
            new Tenant("tenant-globex", "7244444", 2));

    /** One push as the simulator sees it: state {@code queued} (no webhook yet), {@code pending}, {@code delivered} or {@code failed}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Push(String eventId, String type, String tenantKey, String state, int attempts, Integer lastStatus,
                       String lastError) {
    }

    private final Clock clock;
    private final HireEcoSandbox hire;
    private final SecureRandom random = new SecureRandom();
    private final AccessTokens<String> appTokens;
    private final AccessTokens<String> tenantTokens;
    private final Deque<String> tickets = new ArrayDeque<>();
    private final Deque<Delivery> pushes = new ArrayDeque<>();
    private final ScheduledExecutorService pusher;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PUSH_TIMEOUT).build();
    private URI webhook;
    private volatile List<Duration> redeliveries = FEISHU_REDELIVERIES;
    private ScheduledFuture<?> periodic;
    private Duration ticketInterval;

    StoreAppSandbox(Clock clock, HireEcoSandbox hire) {
        this.clock = clock;
        this.hire = hire;
        this.appTokens = new AccessTokens<>("a-", clock);
        this.tenantTokens = new AccessTokens<>("t-", clock);
        this.pusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hrb-sandbox-store-app");
            thread.setDaemon(true);
            return thread;
        });
    }

    void serveOn(FeishuSandbox feishu) {
        feishu.registerCredentials(RESEND_PATH, this::resendAppTicket);
        feishu.registerCredentials(APP_TOKEN_PATH, this::issueAppToken);
        feishu.registerCredentials(TENANT_TOKEN_PATH, this::issueTenantToken);
    }

    public String appId() {
        return APP_ID;
    }

    public List<Tenant> tenants() {
        return TENANTS;
    }

    /**
     * Where Feishu pushes the app's events (HR Bridge's {@code /webhooks/feishu/<name>/events}); pushes made before
     * go out now.
     */
    public void deliverTo(URI webhookUrl) {
        List<Delivery> queued;
        synchronized (this) {
            webhook = webhookUrl;
            queued = pushes.stream().filter(Delivery::queued).toList();
        }
        queued.forEach(delivery -> pusher.execute(() -> attempt(delivery)));
    }

    /** Pushes a fresh app_ticket every {@code interval} from now on, as Feishu does hourly; null stops it. */
    public synchronized void pushAppTicketsEvery(Duration interval) {
        if (periodic != null) {
            periodic.cancel(false);
            periodic = null;
        }
        ticketInterval = interval;
        if (interval != null) {
            long millis = interval.toMillis();
            periodic = pusher.scheduleAtFixedRate(this::pushAppTicket, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Issues a fresh app_ticket and pushes its event; the ticket before it stays valid until the next one comes. */
    public Push pushAppTicket() {
        String ticket = "st-" + hex(16);
        synchronized (this) {
            tickets.addFirst(ticket);
            while (tickets.size() > 2) {
                tickets.removeLast();
            }
        }
        Instant now = clock.instant();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("app_id", APP_ID);
        event.put("app_ticket", ticket);
        event.put("type", "app_ticket");
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("ts", now.getEpochSecond() + "." + String.format("%07d", now.getNano() / 100));
        envelope.put("uuid", hex(16));
        envelope.put("token", VERIFICATION_TOKEN);
        envelope.put("type", "event_callback");
        envelope.put("event", event);
        return push((String) envelope.get("uuid"), "app_ticket", null, envelope);
    }

    /** As {@link #pushEcoAccount(String, String, String, int)} with the tenant's default scope. */
    public Push pushEcoAccount(String tenantKey, String accountId, String customer) {
        return pushEcoAccount(tenantKey, accountId, customer, tenant(tenantKey).scope());
    }

    /**
     * Pushes seed 003's {@code hire.eco_account.created_v1} for {@code tenantKey}: account {@code accountId} of
     * {@code scope} (1 background check, 2 exam) whose {@code ord_id} custom field is {@code customer}; from now on
     * the account belongs to that tenant.
     *
     * @throws IllegalArgumentException for a tenant that has not installed the app, or an account another tenant has
     */
    public Push pushEcoAccount(String tenantKey, String accountId, String customer, int scope) {
        tenant(tenantKey);
        if (!hire.announced(accountId, new Caller(APP_ID, tenantKey))) {
            throw new IllegalArgumentException("account " + accountId + " belongs to another tenant");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("event_id", hex(16));
        header.put("event_type", "hire.eco_account.created_v1");
        header.put("create_time", String.valueOf(clock.millis()));
        header.put("token", VERIFICATION_TOKEN);
        header.put("app_id", APP_ID);
        header.put("tenant_key", tenantKey);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("scope", scope);
        event.put("account_id", accountId);
        event.put("account_name", (scope == 2 ? "笔试账号 " : "背调账号 ") + accountId.substring(Math.max(0, accountId.length() - 4)));
        // usage_list: 1 社招, 2 校招 (seed 003); the campus-hiring customer hires graduates
        event.put("usage_list", List.of(scope == 2 ? 2 : 1));
        event.put("custom_field_list", List.of(Map.of("key", CUSTOMER_FIELD, "value", customer)));
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema", "2.0");
        envelope.put("header", header);
        envelope.put("event", event);
        return push((String) header.get("event_id"), "hire.eco_account.created_v1", tenantKey, envelope);
    }

    /** Every push still remembered (the last 1000), oldest first. */
    public synchronized List<Push> pushes() {
        return pushes.stream().map(Delivery::view).toList();
    }

    /** The app and tenant a live tenant_access_token of this app speaks for, or null. */
    Caller callerOf(String tenantToken) {
        String tenantKey = tenantTokens.holder(tenantToken);
        return tenantKey == null ? null : new Caller(APP_ID, tenantKey);
    }

    void revokeTenantTokens() {
        tenantTokens.revokeAll();
    }

    /** How long Feishu waits before each new push of an event that was not answered 200 (tests shorten it). */
    void redeliveries(List<Duration> waits) {
        redeliveries = List.copyOf(waits);
    }

    @Override
    public void close() {
        pusher.shutdownNow();
    }

    // ---- the credential endpoints ----

    private Reply resendAppTicket(Request request) {
        JsonNode body = FeishuSandbox.jsonBody(request);
        Reply refused = refusedCredentials(request, body);
        if (refused != null) {
            return refused;
        }
        pusher.execute(this::pushAppTicket);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", "success");
        return Reply.json(200, answer);
    }

    private Reply issueAppToken(Request request) {
        JsonNode body = FeishuSandbox.jsonBody(request);
        Reply refused = refusedCredentials(request, body);
        if (refused != null) {
            return refused;
        }
        String ticket = text(body, "app_ticket");
        boolean known;
        synchronized (this) {
            known = ticket != null && tickets.contains(ticket);
        }
        if (!known) {
            LOG.info("Sandbox Feishu refused an app_access_token for {}: {} app_ticket", APP_ID, ticket == null ? "no" : "an unknown or superseded");
            return FeishuSandbox.error(400, APP_TICKET_INVALID, "app ticket is invalid");
        }
        return FeishuSandbox.tokenAnswer("success", "app_access_token", appTokens.issue(ticket));
    }

    private Reply issueTenantToken(Request request) {
        JsonNode body = FeishuSandbox.jsonBody(request);
        if (body == null) {
            return FeishuSandbox.badRequest(request);
        }
        String appToken = text(body, "app_access_token");
        String tenantKey = text(body, "tenant_key");
        if (appToken == null || tenantKey == null) {
            return FeishuSandbox.error(400, FeishuSandbox.INVALID_PARAM, "invalid param");
        }
        if (appTokens.holder(appToken) == null) {
            LOG.info("Sandbox Feishu refused a tenant_access_token for {}: an unknown or expired app_access_token", tenantKey);
            return FeishuSandbox.error(400, APP_ACCESS_TOKEN_INVALID, "app access token is invalid");
        }
        if (TENANTS.stream().noneMatch(tenant -> tenant.tenantKey().equals(tenantKey))) {
            LOG.info("Sandbox Feishu refused a tenant_access_token for {}: no such tenant installed {}", tenantKey, APP_ID);
            return FeishuSandbox.error(400, FeishuSandbox.INVALID_PARAM, "invalid param");
        }
        return FeishuSandbox.tokenAnswer("success", "tenant_access_token", tenantTokens.issue(tenantKey));
    }

    /** Null when the body is JSON with the store app's {@code app_id} and {@code app_secret}, else Feishu's 9499, 10003 or 10014. */
    private static Reply refusedCredentials(Request request, JsonNode body) {
        if (body == null) {
            return FeishuSandbox.badRequest(request);
        }
        String appId = text(body, "app_id");
        String secret = text(body, "app_secret");
        if (appId == null || secret == null || !appId.equals(APP_ID)) {
            return FeishuSandbox.error(400, FeishuSandbox.INVALID_PARAM, "invalid param");
        }
        if (!secret.equals(APP_SECRET)) {
            return FeishuSandbox.error(400, FeishuSandbox.APP_SECRET_INVALID, "app secret invalid");
        }
        return null;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    // ---- the simulator's controls: /sandbox/store-app ----

    /**
     * {@code GET /sandbox/store-app}: the app, its tenants and its pushes (no secret, ticket or token);
     * {@code POST /sandbox/store-app/app-ticket}: push a fresh app_ticket now;
     * {@code POST /sandbox/store-app/tenants/<tenant_key>/eco-accounts} {@code {"account_id"?, "customer"?, "scope"?}}:
     * push that tenant's {@code hire.eco_account.created_v1} (a new 19-digit account id, the tenant's customer and scope
     * by default).
     */
    Reply administer(Request request) {
        String rest = request.path().substring(ADMIN_PATH.length());
        if (rest.isEmpty() || rest.equals("/")) {
            return request.method().equals("GET") ? Reply.json(200, overview()) : methodNotAllowed("GET");
        }
        if (rest.equals("/app-ticket")) {
            return request.method().equals("POST") ? Reply.json(202, pushAppTicket()) : methodNotAllowed("POST");
        }
        String[] parts = rest.split("/");
        if (parts.length == 4 && parts[1].equals("tenants") && parts[3].equals("eco-accounts")) {
            return request.method().equals("POST") ? administerEcoAccount(parts[2], request) : methodNotAllowed("POST");
        }
        return Reply.json(404, Map.of("error", "not_found", "message", "GET " + ADMIN_PATH + ", POST " + ADMIN_PATH
                + "/app-ticket or POST " + ADMIN_PATH + "/tenants/<tenant_key>/eco-accounts"));
    }

    private Reply administerEcoAccount(String tenantKey, Request request) {
        if (TENANTS.stream().noneMatch(tenant -> tenant.tenantKey().equals(tenantKey))) {
            return Reply.json(404, Map.of("error", "unknown_tenant", "message", "tenants: "
                    + TENANTS.stream().map(Tenant::tenantKey).toList()));
        }
        JsonNode body = request.body().length == 0 ? PlatformSimulator.JSON.createObjectNode() : request.json();
        JsonNode scope = body == null ? null : body.path("scope");
        if (body == null || (body.has("account_id") && text(body, "account_id") == null)
                || (body.has("customer") && text(body, "customer") == null)
                || (body.has("scope") && !(scope.isInt() && (scope.asInt() == 1 || scope.asInt() == 2)))) {
            return Reply.json(400, Map.of("error", "invalid_eco_account", "message",
                    "a JSON object with optional \"account_id\" and \"customer\" (non-empty strings) and \"scope\" (1 or 2)"));
        }
        Tenant tenant = tenant(tenantKey);
        String accountId = body.has("account_id") ? text(body, "account_id")
                : "7" + String.format("%018d", ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L));
        String customer = body.has("customer") ? text(body, "customer") : tenant.customer();
        int accountScope = body.has("scope") ? scope.asInt() : tenant.scope();
        Push push;
        try {
            push = pushEcoAccount(tenantKey, accountId, customer, accountScope);
        } catch (IllegalArgumentException e) {
            return Reply.json(409, Map.of("error", "account_of_another_tenant", "message", e.getMessage()));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("event_id", push.eventId());
        answer.put("tenant_key", tenantKey);
        answer.put("account_id", accountId);
        answer.put("customer", customer);
        answer.put("scope", accountScope);
        answer.put("state", push.state());
        return Reply.json(202, answer);
    }

    private synchronized Map<String, Object> overview() {
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("app_id", APP_ID);
        overview.put("webhook", webhook == null ? null : webhook.toString());
        overview.put("encrypted", true);
        overview.put("app_ticket_interval", ticketInterval == null ? null : ticketInterval.toString());
        overview.put("tenants", TENANTS);
        overview.put("pushes", pushes());
        return overview;
    }

    private static Reply methodNotAllowed(String allowed) {
        return Reply.json(405, Map.of("error", "method_not_allowed", "message", allowed));
    }

    private static Tenant tenant(String tenantKey) {
        return TENANTS.stream().filter(tenant -> tenant.tenantKey().equals(tenantKey)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("tenant " + tenantKey + " has not installed " + APP_ID));
    }

    // ---- pushing to the webhook ----

    private Push push(String eventId, String type, String tenantKey, Map<String, Object> event) {
        Delivery delivery;
        try {
            delivery = new Delivery(eventId, type, tenantKey, sealed(PlatformSimulator.JSON.writeValueAsBytes(event)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the " + type + " event", e);
        }
        synchronized (this) {
            pushes.addLast(delivery);
            while (pushes.size() > PUSHES_KEPT) {
                pushes.removeFirst();
            }
        }
        pusher.execute(() -> attempt(delivery));
        return delivery.view();
    }

    private void attempt(Delivery delivery) {
        URI target;
        synchronized (this) {
            // under the lock deliverTo takes, so a push is either queued before it looks or sees its webhook
            target = webhook;
            if (target == null) {
                delivery.queue();
                return;
            }
        }
        delivery.attempting();
        try {
            HttpResponse<Void> answer = http.send(signed(target, delivery.body), HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() == 200) {
                delivery.delivered(answer.statusCode());
                LOG.info("Sandbox Feishu pushed {} event {} to {}: HTTP 200", delivery.type, delivery.eventId, target);
                return;
            }
            redeliver(delivery, target, answer.statusCode(), "HTTP " + answer.statusCode());
        } catch (ConnectException e) {
            Duration wait = delivery.refused();
            if (wait != null) {
                LOG.debug("Sandbox Feishu could not connect to {} for {} event {}; again in {} ms", target, delivery.type,
                        delivery.eventId, wait.toMillis());
                schedule(delivery, wait);
            } else {
                redeliver(delivery, target, null, e.toString());
            }
        } catch (IOException | GeneralSecurityException e) {
            redeliver(delivery, target, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void redeliver(Delivery delivery, URI target, Integer status, String error) {
        Duration wait = delivery.failed(status, error, redeliveries);
        if (wait == null) {
            LOG.warn("Sandbox Feishu gave up pushing {} event {} to {} after {} attempts: {}", delivery.type,
                    delivery.eventId, target, delivery.view().attempts(), error);
            return;
        }
        LOG.info("Sandbox Feishu push of {} event {} to {} failed ({}); pushing it again in {}", delivery.type,
                delivery.eventId, target, error, wait);
        schedule(delivery, wait);
    }

    private void schedule(Delivery delivery, Duration wait) {
        if (!pusher.isShutdown()) {
            pusher.schedule(() -> attempt(delivery), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The POST Feishu makes, signed with a fresh timestamp and nonce on every attempt. */
    private HttpRequest signed(URI target, byte[] body) throws GeneralSecurityException {
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        String nonce = hex(8);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update((timestamp + nonce + ENCRYPT_KEY).getBytes(StandardCharsets.UTF_8));
        sha256.update(body);
        return HttpRequest.newBuilder(target).timeout(PUSH_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-Lark-Request-Timestamp", timestamp)
                .header("X-Lark-Request-Nonce", nonce)
                .header("X-Lark-Signature", HexFormat.of().formatHex(sha256.digest()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** {@code {"encrypt": base64(iv + AES-256-CBC(event))}} with key SHA-256(encrypt key) and a random iv. */
    private byte[] sealed(byte[] event) throws GeneralSecurityException, IOException {
        byte[] key = MessageDigest.getInstance("SHA-256").digest(ENCRYPT_KEY.getBytes(StandardCharsets.UTF_8));
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] encrypted = cipher.doFinal(event);
        byte[] sealed = new byte[iv.length + encrypted.length];
        System.arraycopy(iv, 0, sealed, 0, iv.length);
        System.arraycopy(encrypted, 0, sealed, iv.length, encrypted.length);
        return PlatformSimulator.JSON.writeValueAsBytes(Map.of("encrypt", Base64.getEncoder().encodeToString(sealed)));
    }

    private String hex(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    /** One event on its way to the webhook, with what its attempts met. */
    private static final class Delivery {
        private final String eventId;
        private final String type;
        private final String tenantKey;
        private final byte[] body;
        private String state = "pending";
        private int attempts;
        private Integer lastStatus;
        private String lastError;
        private int redelivered;
        private long firstRefusedNanos = -1;
        private Duration connectRetry = Duration.ofMillis(100);

        private Delivery(String eventId, String type, String tenantKey, byte[] body) {
            this.eventId = eventId;
            this.type = type;
            this.tenantKey = tenantKey;
            this.body = body;
        }

        synchronized void queue() {
            state = "queued";
        }

        synchronized boolean queued() {
            return state.equals("queued");
        }

        synchronized void attempting() {
            attempts++;
        }

        synchronized void delivered(int status) {
            state = "delivered";
            lastStatus = status;
            lastError = null;
        }

        /** The wait before trying a port that did not answer again, or null once two minutes have passed so. */
        synchronized Duration refused() {
            lastError = "connection refused";
            long now = System.nanoTime();
            if (firstRefusedNanos < 0) {
                firstRefusedNanos = now;
            }
            if (Duration.ofNanos(now - firstRefusedNanos).compareTo(CONNECT_PATIENCE) > 0) {
                return null;
            }
            Duration wait = connectRetry;
            Duration doubled = connectRetry.multipliedBy(2);
            connectRetry = doubled.compareTo(CONNECT_RETRY_MAX) > 0 ? CONNECT_RETRY_MAX : doubled;
            return wait;
        }

        /** The wait before Feishu's next push of the event, or null when it gives up. */
        synchronized Duration failed(Integer status, String error, List<Duration> waits) {
            lastStatus = status;
            lastError = error;
            if (redelivered >= waits.size()) {
                state = "failed";
                return null;
            }
            state = "pending";
            return waits.get(redelivered++);
        }

        synchronized Push view() {
            return new Push(eventId, type, tenantKey, state, attempts, lastStatus, lastError);
        }
    }
}

package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Alibaba Cloud IoT platform behind its API gateway, written from seed 004 and Alibaba's API Gateway documents
 * only: it shares no code with HR Bridge's IoT client, so a mistake made on both sides cannot pass unnoticed.
 *
 * <p><b>The gateway</b> finds the API ({@code POST /user/account/employee/createbyauthcode}, else 400 "Invalid Url"),
 * then checks the digest signature ("AppKey and AppSecret" authentication): 401 "Empty Signature", 400 "Invalid
 * AppKey" (absent or unknown), "Invalid Timestamp", "Timestamp Expired" (more than 15 minutes off), "Nonce Used",
 * "Invalid Content-MD5", "Invalid Signature, Server StringToSign:…". A refusal is the status, {@code X-Ca-Request-Id}
 * and the reason in {@code X-Ca-Error-Message}; the refusals that seed 004 lists with their own HTTP code (400, 401,
 * 403, 500, 503) also carry the IoT answer with that code. Every answer carries {@code X-Ca-Request-Id}.
 *
 * <p><b>The platform</b> answers HTTP 200 {@code {"id", "code", "message", "localizedMsg", "data"}}. An envelope that
 * is not {@code {"id", "version": "1.0", "request": {"apiVer"}, "params": {…}}} is 400 "Request Format Error"; an
 * apiVer other than 1.0.0, an empty authCode or another codeType is 460. The auth code's prefix picks the scenario,
 * so every code of seed 004 can be produced on demand ({@link #SCENARIOS}); any other auth code is an expired one
 * (2401 for AUTH_CODE, 2459 for SESSION_ID). The platform remembers the employees it created: creating the same
 * one again is 2441, as a retry of a create that did succeed would be.
 *
 * <p>Faults injected with {@code POST /sandbox/faults} on {@code /user/} answer in this platform's shape
 * ({@link #faultReply}).
 */
public final class IotGatewaySandbox implements PlatformSimulator.Handler {

    static final String CREATE_BY_AUTH_CODE = "/user/account/employee/createbyauthcode";
    static final Duration SIGNATURE_VALIDITY = Duration.ofMinutes(15);
    /** Seed 004: the API's timeout; the gateway gives up on its backend after it. */
    static final Duration BACKEND_TIMEOUT = Duration.ofMillis(3000);

    /** Never among the signed headers: they have a line of their own, or are the signature. */
    private static final Set<String> OWN_LINE_HEADERS = Set.of("x-ca-signature", "x-ca-signature-headers", "accept",
            "content-md5", "content-type", "date");
    private static final Set<String> SIGNATURE_METHODS = Set.of("HmacSHA256", "HmacSHA1");

    /** What the platform does with an auth code starting with {@code prefix}. */
    enum Kind { CREATE, ANSWER, REFUSE, GATEWAY_TIMEOUT, CONNECTION_CUT }

    /**
     * One sandbox scenario. {@code creates}: the employee is created even though the answer does not say so, as when
     * the backend finished after the gateway stopped waiting. {@code status} is the HTTP status of a refusal.
     */
    record Scenario(String prefix, Kind kind, boolean creates, int status, int code, String message, String localizedMsg) {

        static Scenario answer(String prefix, int code, String message, String localizedMsg) {
            return new Scenario(prefix, Kind.ANSWER, false, 200, code, message, localizedMsg);
        }

        /** A refusal by the gateway; with {@code code} 0 only the headers tell why. */
        static Scenario refusal(String prefix, int status, int code, String message) {
            return new Scenario(prefix, Kind.REFUSE, false, status, code, message, message);
        }
    }

    /** Seed 004's error table, one scenario per code and message, plus the API Gateway's flow control. */
    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("ok-", Kind.CREATE, true, 200, 200, null, null),
            Scenario.answer("exists-", 2441, "employee is already existed", "该手机号对应的员工已经存在"),
            Scenario.answer("notbound-", 2442, "employee is not exist", "未找到绑定的员工信息"),
            Scenario.answer("nodingbind-", 460, "dingdingbind employee not exist", "请求参数错误"),
            Scenario.answer("identityids-", 460, "identityIds need between 1-50", "入参错误"),
            Scenario.answer("badparam-", 460, "request parameter error.", "入参不正确"),
            Scenario.answer("expired-", 2401, "refreshToken invalid", "refreshToken已经失效"),
            Scenario.answer("nosession-", 2459, "oa error message", "会话Id不存在"),
            Scenario.answer("notoken-", 2402, "iotToken not exist", "iotToken not exist"),
            Scenario.answer("noaccount-", 2402, "registerAccount failed", "账号注册失败"),
            Scenario.answer("badphone-", 2404, "oa error message", "手机号格式不正确"),
            Scenario.answer("uninit-", 2405, "identity is not existed", "公司未初始化"),
            Scenario.answer("unauthorized-", 401, "Request Authorized Error", "Request Authorized Error"),
            Scenario.answer("forbidden-", 403, "request forbidden.", "请求被禁止"),
            Scenario.answer("servererror-", 500, "Server Error", "Server Error"),
            Scenario.answer("nobackend-", 20003, "Find Backend Error", "Find Backend Error"),
            Scenario.answer("backenderror-", 20004, "Backend Service Error", "Backend Service Error"),
            Scenario.answer("badformat-", 20055, "Backend Service Invalid Request Format Error",
                    "Backend Service Invalid Request Format Error"),
            new Scenario("busy-", Kind.ANSWER, true, 200, 20056, "Hsf Invoke Timeout", "Hsf Invoke Timeout"),
            new Scenario("slow-", Kind.GATEWAY_TIMEOUT, true, 504, 0, "Async Service", null),
            new Scenario("cut-", Kind.CONNECTION_CUT, true, 0, 0, null, null),
            Scenario.refusal("limited-", 403, 403, "Request Limited"),
            Scenario.refusal("throttled-", 403, 0, "Throttled by API Flow Control"),
            Scenario.refusal("reqformat-", 400, 400, "Request Format Error"),
            Scenario.refusal("nosignature-", 401, 401, "Empty Signature"),
            Scenario.refusal("gatewayerror-", 500, 500, "Internal Error"),
            Scenario.refusal("unavailable-", 503, 503, "Service Unavailable"));

    private final String appKey;
    private final String appSecret;
    private final Clock clock;
    private final Map<String, Long> usedNonces = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> employees = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> createCalls = new ConcurrentHashMap<>();

    public IotGatewaySandbox(String appKey, String appSecret) {
        this(appKey, appSecret, Clock.systemUTC());
    }

    IotGatewaySandbox(String appKey, String appSecret, Clock clock) {
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.clock = clock;
    }

    /** How many create calls for {@code authCode} got past the gateway to the platform. */
    public int createCalls(String authCode) {
        AtomicInteger calls = createCalls.get(authCode);
        return calls == null ? 0 : calls.get();
    }

    /** Whether the platform holds an employee it created from {@code authCode}. */
    public boolean employeeCreated(String authCode) {
        return employees.containsKey(authCode);
    }

    @Override
    public Reply handle(Request request) throws InterruptedException {
        if (!request.method().equals("POST") || !request.path().equals(CREATE_BY_AUTH_CODE)) {
            return refusal(400, 0, "Invalid Url", null);
        }
        Reply refused = checkSignature(request);
        if (refused != null) {
            return refused;
        }
        return createByAuthCode(request);
    }

    /**
     * An injected fault in this platform's shape: status 200 is a platform answer with the fault's {@code code} and
     * {@code msg} for the envelope received; any other status is a gateway refusal with {@code msg} as
     * {@code X-Ca-Error-Message} (and the IoT answer when the fault has a {@code code}).
     */
    @Override
    public Reply faultReply(SandboxFault fault, Request request) {
        String message = fault.msg() == null ? "injected fault" : fault.msg();
        if (fault.status() == 200) {
            return answer(envelopeId(request.json()), fault.code(), message, message, null);
        }
        return refusal(fault.status(), fault.code(), message, envelopeId(request.json()));
    }

    /** Null when the request is signed by our app, else the gateway's refusal. */
    private Reply checkSignature(Request request) {
        String signature = request.header("X-Ca-Signature");
        if (signature == null || signature.isBlank()) {
            return refusal(401, 401, "Empty Signature", null);
        }
        if (!appKey.equals(request.header("X-Ca-Key"))) {
            return refusal(400, 0, "Invalid AppKey", null);
        }
        String method = request.header("X-Ca-Signature-Method");
        if (method == null) {
            method = "HmacSHA256";
        } else if (!SIGNATURE_METHODS.contains(method)) {
            return refusal(400, 0, "Invalid Signature Method", null);
        }
        String timestamp = request.header("X-Ca-Timestamp");
        if (timestamp != null) {
            long millis;
            try {
                millis = Long.parseLong(timestamp.trim());
            } catch (NumberFormatException e) {
                return refusal(400, 0, "Invalid Timestamp", null);
            }
            if (Math.abs(clock.millis() - millis) > SIGNATURE_VALIDITY.toMillis()) {
                return refusal(400, 0, "Timestamp Expired", null);
            }
        }
        boolean form = isForm(request.header("Content-Type"));
        String contentMd5 = request.header("Content-MD5");
        if (contentMd5 != null && !form && !contentMd5.equals(base64Md5(request.body()))) {
            return refusal(400, 0, "Invalid Content-MD5", null);
        }
        String stringToSign = stringToSign(request, form);
        byte[] expected = hmac(method, stringToSign).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
            // the gateway shows its string to sign; a header cannot hold the line breaks, they become '#'
            return refusal(400, 0, "Invalid Signature, Server StringToSign:" + stringToSign.replace('\n', '#'), null);
        }
        String nonce = request.header("X-Ca-Nonce");
        forgetOldNonces();
        if (nonce != null && usedNonces.putIfAbsent(nonce, clock.millis()) != null) {
            return refusal(400, 0, "Nonce Used", null);
        }
        return null;
    }

    /**
     * METHOD, Accept, Content-MD5, Content-Type, Date, one line each (empty when absent); one {@code name:value} line
     * per header named in {@code X-Ca-Signature-Headers} (lower case, sorted); the path with the query and form
     * parameters sorted by name ({@code ?a=1&b}: a parameter without value is its name alone).
     */
    private static String stringToSign(Request request, boolean form) {
        StringBuilder text = new StringBuilder(request.method()).append('\n');
        for (String header : List.of("Accept", "Content-MD5", "Content-Type", "Date")) {
            text.append(orEmpty(request.header(header))).append('\n');
        }
        TreeMap<String, String> signed = new TreeMap<>();
        String names = request.header("X-Ca-Signature-Headers");
        if (names != null) {
            for (String name : names.split(",")) {
                String key = name.trim().toLowerCase(Locale.ROOT);
                if (!key.isEmpty() && !OWN_LINE_HEADERS.contains(key)) {
                    signed.put(key, orEmpty(request.header(key)));
                }
            }
        }
        signed.forEach((name, value) -> text.append(name).append(':').append(value).append('\n'));
        TreeMap<String, String> params = new TreeMap<>();
        addParams(params, request.query());
        if (form) {
            addParams(params, new String(request.body(), StandardCharsets.UTF_8));
        }
        text.append(request.path());
        String separator = "?";
        for (Map.Entry<String, String> param : params.entrySet()) {
            text.append(separator).append(param.getKey());
            if (!param.getValue().isEmpty()) {
                text.append('=').append(param.getValue());
            }
            separator = "&";
        }
        return text.toString();
    }

    private Reply createByAuthCode(Request request) throws InterruptedException {
        JsonNode envelope = request.json();
        if (envelope == null || !envelope.path("params").isObject() || !envelope.path("request").isObject()
                || !envelope.path("version").asText("").equals("1.0")) {
            return refusal(400, 400, "Request Format Error", null);
        }
        String id = envelopeId(envelope);
        JsonNode params = envelope.path("params");
        String authCode = params.path("authCode").isTextual() ? params.path("authCode").asText() : "";
        String codeType = params.path("codeType").asText("");
        createCalls.computeIfAbsent(authCode, code -> new AtomicInteger()).incrementAndGet();
        if (!envelope.path("request").path("apiVer").asText("").equals("1.0.0") || authCode.isEmpty()
                || !(codeType.equals("AUTH_CODE") || codeType.equals("SESSION_ID"))) {
            return answer(id, 460, "request parameter error.", "入参不正确", null);
        }
        Scenario scenario = SCENARIOS.stream().filter(s -> authCode.startsWith(s.prefix())).findFirst().orElse(null);
        if (scenario == null) {
            return codeType.equals("SESSION_ID") ? answer(id, 2459, "oa error message", "会话Id不存在", null)
                    : answer(id, 2401, "refreshToken invalid", "refreshToken已经失效", null);
        }
        if (scenario.creates() && employees.putIfAbsent(authCode, employee(authCode)) != null) {
            return answer(id, 2441, "employee is already existed", "该手机号对应的员工已经存在", null);
        }
        switch (scenario.kind()) {
            case CREATE:
                return answer(id, 200, null, null, employees.get(authCode));
            case REFUSE:
                return refusal(scenario.status(), scenario.code(), scenario.message(), id);
            case GATEWAY_TIMEOUT:
                // the employee is created, but too late: the gateway has stopped waiting and says so
                Thread.sleep(BACKEND_TIMEOUT.toMillis());
                return refusal(504, 0, scenario.message(), null);
            case CONNECTION_CUT:
                return null;
            default:
                return answer(id, scenario.code(), scenario.message(), scenario.localizedMsg(), null);
        }
    }

    /** The same employee for the same auth code, shaped like seed 004's example answer. */
    private static Map<String, Object> employee(String authCode) {
        String hash = sha256Hex(authCode);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", "50f4op" + hash.substring(0, 34));
        data.put("mainPk", "1547227215737730");
        data.put("mainIdentityId", "5008al" + hash.substring(34, 64));
        data.put("phone", "1880000****");
        data.put("email", "sandbox@example.com");
        data.put("employeeId", "50f4op" + hash.substring(20, 54));
        data.put("companyId", "694D76676F5C4E0E9900BBFAC9SANDBOX");
        data.put("companyName", "HR Bridge Sandbox");
        data.put("nickName", "sandbox-" + hash.substring(0, 6));
        data.put("avatarUrl", "http://sandbox.invalid/avatar.jpg");
        return data;
    }

    private static Reply answer(String id, int code, String message, String localizedMsg, Object data) {
        return withRequestId(Reply.json(200, body(id, code, message, localizedMsg, data)), null);
    }

    /** A gateway refusal: the reason in X-Ca-Error-Message; with a {@code code}, the IoT answer as well. */
    private static Reply refusal(int status, int code, String errorMessage, String id) {
        Reply reply = code == 0 ? new Reply(status, Map.of(), new byte[0])
                : Reply.json(status, body(id == null ? UUID.randomUUID().toString() : id, code, errorMessage, errorMessage, null));
        return withRequestId(reply, errorMessage);
    }

    private static Reply withRequestId(Reply reply, String errorMessage) {
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.put("X-Ca-Request-Id", UUID.randomUUID().toString().toUpperCase(Locale.ROOT));
        if (errorMessage != null) {
            headers.put("X-Ca-Error-Message", headerSafe(errorMessage));
        }
        return new Reply(reply.status(), headers, reply.body());
    }

    private static Map<String, Object> body(String id, int code, String message, String localizedMsg, Object data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("code", code);
        body.put("message", message);
        body.put("localizedMsg", localizedMsg);
        body.put("data", data);
        return body;
    }

    private static String envelopeId(JsonNode envelope) {
        JsonNode id = envelope == null ? null : envelope.get("id");
        return id != null && id.isValueNode() && !id.isNull() ? id.asText() : UUID.randomUUID().toString();
    }

    /** A value echoed into a response header: printable ASCII only, whatever the request carried. */
    private static String headerSafe(String text) {
        StringBuilder safe = new StringBuilder(Math.min(text.length(), 4096));
        text.chars().limit(4096).forEach(c -> safe.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return safe.toString();
    }

    private static void addParams(Map<String, String> params, String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!key.isEmpty()) {
                params.putIfAbsent(key, value);
            }
        }
    }

    private static boolean isForm(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private String hmac(String method, String stringToSign) {
        try {
            Mac mac = Mac.getInstance(method);
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), method));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Md5(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void forgetOldNonces() {
        long oldest = clock.millis() - SIGNATURE_VALIDITY.toMillis();
        usedNonces.values().removeIf(seen -> seen < oldest);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

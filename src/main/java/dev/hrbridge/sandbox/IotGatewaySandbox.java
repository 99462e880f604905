package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.iot.ApiGatewaySigner;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Alibaba Cloud IoT API gateway as the sandbox sees it. It checks the digest signature as the gateway does and
 * answers with its error headers ({@code X-Ca-Error-Message}): no signature → 401 "Empty Signature"; unknown app key,
 * timestamp older than 15 minutes, reused nonce, wrong Content-MD5 or signature → 400. Behind it,
 * {@code /user/account/employee/createbyauthcode} answers by the auth code's prefix, so examples are repeatable:
 * <pre>
 * ok-…         200 with an employee derived from the code     exists-…     2441 employee is already existed
 * badphone-…   2404 phone format                               noaccount-…  2402 registerAccount failed
 * uninit-…     2405 company not initialised                   limited-…    HTTP 403 Request Limited
 * busy-…       20056 Hsf Invoke Timeout                        other codes  2401 (AUTH_CODE) / 2459 (SESSION_ID)
 * </pre>
 * An unknown codeType or apiVer is 460.
 */
public final class IotGatewaySandbox implements PlatformSimulator.Handler {

    static final String CREATE_BY_AUTH_CODE = "/user/account/employee/createbyauthcode";
    static final Duration SIGNATURE_VALIDITY = Duration.ofMinutes(15);
    private final String appKey;
    private final String appSecret;
    private final Clock clock;
    private final Map<String, Long> usedNonces = new ConcurrentHashMap<>();

    public IotGatewaySandbox(String appKey, String appSecret) {
        this(appKey, appSecret, Clock.systemUTC());
    }

    IotGatewaySandbox(String appKey, String appSecret, Clock clock) {
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.clock = clock;
    }

    @Override
    public Reply handle(Request request) {
        Reply rejected = checkSignature(request);
        if (rejected != null) {
            return rejected;
        }
        if (!request.method().equals("POST") || !request.path().equals(CREATE_BY_AUTH_CODE)) {
            return gatewayError(404, "API Not Found");
        }
        return createByAuthCode(request);
    }

    /** Null when the request is signed by our app within the last 15 minutes, else the gateway's refusal. */
    private Reply checkSignature(Request request) {
        String signature = request.header("X-Ca-Signature");
        if (signature == null || signature.isBlank()) {
            return gatewayError(401, "Empty Signature");
        }
        if (!appKey.equals(request.header("X-Ca-Key"))) {
            return gatewayError(400, "Invalid AppKey");
        }
        String method = request.header("X-Ca-Signature-Method");
        if (method != null && !method.equals(ApiGatewaySigner.SIGNATURE_METHOD)) {
            return gatewayError(400, "Invalid Signature Method");
        }
        String timestamp = request.header("X-Ca-Timestamp");
        if (timestamp != null) {
            long millis;
            try {
                millis = Long.parseLong(timestamp);
            } catch (NumberFormatException e) {
                return gatewayError(400, "Invalid Timestamp");
            }
            if (Math.abs(clock.millis() - millis) > SIGNATURE_VALIDITY.toMillis()) {
                return gatewayError(400, "Timestamp Expired");
            }
        }
        String nonce = request.header("X-Ca-Nonce");
        forgetOldNonces();
        if (nonce != null && usedNonces.containsKey(nonce)) {
            return gatewayError(400, "Nonce Used");
        }
        String contentMd5 = request.header("Content-MD5");
        if (contentMd5 != null && !contentMd5.equals(ApiGatewaySigner.contentMd5(request.body()))) {
            return gatewayError(400, "Invalid Content-MD5");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (request.query() != null) {
            for (String pair : request.query().split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                params.put(java.net.URLDecoder.decode(key, StandardCharsets.UTF_8), request.queryParam(key));
            }
        }
        String stringToSign = ApiGatewaySigner.stringToSignOf(request.method(), request.path(), params, request::header);
        byte[] expected = ApiGatewaySigner.signature(appSecret, stringToSign).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
            // like the gateway: the server's string to sign, line breaks shown as '#' (headers cannot hold them)
            return gatewayError(400, "Invalid Signature, Server StringToSign:" + stringToSign.replace('\n', '#'));
        }
        if (nonce != null) {
            usedNonces.put(nonce, clock.millis());
        }
        return null;
    }

    private Reply createByAuthCode(Request request) {
        JsonNode envelope = request.json();
        if (envelope == null || !envelope.path("params").isObject()) {
            return gatewayError(400, "Request Format Error");
        }
        String id = envelope.path("id").asText(UUID.randomUUID().toString());
        JsonNode params = envelope.path("params");
        String authCode = params.path("authCode").asText("");
        String codeType = params.path("codeType").asText("");
        if (!envelope.path("request").path("apiVer").asText("").equals("1.0.0") || authCode.isEmpty()
                || !(codeType.equals("AUTH_CODE") || codeType.equals("SESSION_ID"))) {
            return answer(id, 460, "request parameter error.", "入参不正确", null);
        }
        if (authCode.startsWith("ok-")) {
            return answer(id, 200, null, null, employee(authCode));
        }
        if (authCode.startsWith("exists-")) {
            return answer(id, 2441, "employee is already existed", "该手机号对应的员工已经存在", null);
        }
        if (authCode.startsWith("badphone-")) {
            return answer(id, 2404, "oa error message", "手机号格式不正确", null);
        }
        if (authCode.startsWith("noaccount-")) {
            return answer(id, 2402, "registerAccount failed", "账号注册失败", null);
        }
        if (authCode.startsWith("uninit-")) {
            return answer(id, 2405, "identity is not existed", "公司未初始化", null);
        }
        if (authCode.startsWith("limited-")) {
            return Reply.json(403, body(id, 403, "Request Limited", "Request Limited", null));
        }
        if (authCode.startsWith("busy-")) {
            return answer(id, 20056, "Hsf Invoke Timeout", "Hsf Invoke Timeout", null);
        }
        if (codeType.equals("SESSION_ID")) {
            return answer(id, 2459, "oa error message", "会话Id不存在", null);
        }
        return answer(id, 2401, "refreshToken invalid", "refreshToken已经失效", null);
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
        return Reply.json(200, body(id, code, message, localizedMsg, data));
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

    /** The gateway's own refusals carry no body; the reason is in X-Ca-Error-Message. */
    private static Reply gatewayError(int status, String message) {
        return new Reply(status, Map.of("X-Ca-Error-Message", message, "X-Ca-Request-Id", UUID.randomUUID().toString()),
                new byte[0]);
    }

    private void forgetOldNonces() {
        long oldest = clock.millis() - SIGNATURE_VALIDITY.toMillis();
        usedNonces.values().removeIf(seen -> seen < oldest);
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

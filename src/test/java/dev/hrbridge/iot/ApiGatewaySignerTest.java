package dev.hrbridge.iot;

import com.alibaba.cloudapi.sdk.enums.HttpMethod;
import com.alibaba.cloudapi.sdk.model.ApiRequest;
import com.alibaba.cloudapi.sdk.util.SignUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's digest signature, checked against worked examples derived by hand from the Alibaba Cloud API
 * Gateway documentation ("Use digest authentication to call an API" / 使用摘要签名认证方式调用API):
 * <ul>
 *   <li>string to sign = METHOD, Accept, Content-MD5, Content-Type, Date, each followed by "\n" even when empty;
 *       then one "name:value\n" per header named in X-Ca-Signature-Headers, names sorted (the documentation's
 *       example writes them lower case: x-ca-key, x-ca-nonce, x-ca-signature-method, x-ca-timestamp); then the
 *       path, with query/form parameters sorted by key after "?", a parameter without value written as its key.</li>
 *   <li>Content-MD5 = Base64(MD5(body bytes)); signature = Base64(HmacSHA256(app secret, string to sign)).</li>
 * </ul>
 * The expected Content-MD5 and signatures were computed outside Java, from the literal strings below:
 * {@code printf '%s' "$STRING_TO_SIGN" | openssl dgst -sha256 -hmac 'hrb-example-secret' -binary | base64}
 * and {@code printf '%s' "$BODY" | openssl dgst -md5 -binary | base64}; and every signature is checked against
 * Alibaba's own signer ({@code com.aliyun.api.gateway:sdk-core-java}, test scope only).
 */
class ApiGatewaySignerTest {

    private static final String SECRET = "hrb-example-secret";
    private static final String PATH = "/user/account/employee/createbyauthcode";
    private static final String NONCE = "c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44";
    private static final Instant NOW = Instant.ofEpochMilli(1525872629832L); // Wed, 9 May 2018 13:30:29 GMT
    /** Seed 004's request example, compact. */
    private static final String SEED_BODY = "{\"id\":\"1509086454180\",\"version\":\"1.0\",\"request\":{\"apiVer\":\"1.0.0\"},"
            + "\"params\":{\"authCode\":\"value0\",\"codeType\":\"value1\"}}";

    private final ApiGatewaySigner signer = new ApiGatewaySigner("203753385", SECRET, Clock.fixed(NOW, ZoneOffset.UTC), () -> NONCE);

    @Test
    void contentMd5IsBase64OfTheMd5OfTheBodyBytes() {
        assertThat(ApiGatewaySigner.contentMd5(SEED_BODY.getBytes(StandardCharsets.UTF_8))).isEqualTo("yhZH8PSobqp+uRx4BfEdhw==");
        assertThat(ApiGatewaySigner.contentMd5(new byte[0])).as("no body, no Content-MD5 line content").isNull();
    }

    @Test
    void aJsonPostIsSignedOverTheDocumentedLinesWithSortedLowerCaseCaHeaders() {
        String expectedStringToSign = """
                POST
                application/json
                yhZH8PSobqp+uRx4BfEdhw==
                application/json; charset=UTF-8
                Wed, 9 May 2018 13:30:29 GMT
                x-ca-key:203753385
                x-ca-nonce:c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44
                x-ca-signature-method:HmacSHA256
                x-ca-timestamp:1525872629832
                /user/account/employee/createbyauthcode""";

        Map<String, String> headers = signer.signJsonPost("/user/account/employee/createbyauthcode",
                SEED_BODY.getBytes(StandardCharsets.UTF_8));

        assertThat(ApiGatewaySigner.stringToSignOf("POST", "/user/account/employee/createbyauthcode", Map.of(),
                name -> header(headers, name))).isEqualTo(expectedStringToSign);
        assertThat(headers).containsEntry("X-Ca-Signature", "Nk+HcWKK2lbHspmvBGJKvaNy3NFKMmuXfzJKGKys0QA=")
                .containsEntry("X-Ca-Key", "203753385")
                .containsEntry("X-Ca-Nonce", NONCE)
                .containsEntry("X-Ca-Timestamp", "1525872629832")
                .containsEntry("X-Ca-Signature-Method", "HmacSHA256")
                .containsEntry("X-Ca-Signature-Headers", "x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp")
                .containsEntry("Content-MD5", "yhZH8PSobqp+uRx4BfEdhw==")
                .containsEntry("Date", "Wed, 9 May 2018 13:30:29 GMT");
    }

    @Test
    void absentStandardHeadersStillTakeTheirLineAndParametersAreSortedWithBareKeysForEmptyValues() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("username", "xiaoming");
        params.put("password", "123456");
        params.put("param1", "test");
        params.put("empty", "");

        String stringToSign = ApiGatewaySigner.stringToSign("get", "application/json", null, null, null,
                Map.of("X-Ca-Timestamp", "1525872629832", "X-Ca-Key", "203753385", "X-Ca-Nonce", NONCE,
                        "X-Ca-Signature-Method", "HmacSHA256"),
                "/http2test/test", params);

        assertThat(stringToSign).isEqualTo("GET\napplication/json\n\n\n\n"
                + "x-ca-key:203753385\nx-ca-nonce:" + NONCE + "\nx-ca-signature-method:HmacSHA256\nx-ca-timestamp:1525872629832\n"
                + "/http2test/test?empty&param1=test&password=123456&username=xiaoming");
        assertThat(ApiGatewaySigner.signature(SECRET, stringToSign)).isEqualTo("kwdGFyUVsVp4YMSPaiuV4Y+KQge2KjUpmo+sHIAgm7o=");
    }

    @Test
    void withoutSignedHeadersOrParametersThePathFollowsTheDateLineDirectly() {
        assertThat(ApiGatewaySigner.stringToSign("POST", null, null, null, null, Map.of(), "/a", Map.of()))
                .isEqualTo("POST\n\n\n\n\n/a");
    }

    @Test
    void headerOrderInTheRequestDoesNotChangeTheSignature() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("X-Ca-Key", "k");
        forward.put("X-Ca-Timestamp", "1");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("x-ca-timestamp", "1");
        backward.put("x-ca-key", "k");
        assertThat(ApiGatewaySigner.stringToSign("POST", null, null, null, null, forward, "/p", Map.of()))
                .isEqualTo(ApiGatewaySigner.stringToSign("POST", null, null, null, null, backward, "/p", Map.of()))
                .endsWith("x-ca-key:k\nx-ca-timestamp:1\n/p");
    }

    @Test
    void everySignatureHasAFreshNonceAndTheCurrentTimestamp() {
        ApiGatewaySigner live = new ApiGatewaySigner("key", SECRET);
        long before = System.currentTimeMillis();
        Map<String, String> first = live.signJsonPost("/p", new byte[]{1});
        Map<String, String> second = live.signJsonPost("/p", new byte[]{1});
        assertThat(first.get("X-Ca-Nonce")).isNotEqualTo(second.get("X-Ca-Nonce"));
        assertThat(Long.parseLong(first.get("X-Ca-Timestamp"))).isBetween(before, System.currentTimeMillis());
        assertThat(first.get("X-Ca-Signature")).isNotEqualTo(second.get("X-Ca-Signature"));
    }

    @ParameterizedTest(name = "body [{0}]")
    @ValueSource(strings = {SEED_BODY, "{\"params\":{\"authCode\":\"认证码-ü\",\"codeType\":\"AUTH_CODE\"}}", " "})
    void ourSignatureIsByteForByteTheOneAlibabasOwnSignerComputes(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> ours = signer.signJsonPost(PATH, bytes);

        // Alibaba's signer adds X-Ca-Signature-Headers to the request it signs: one fresh request for each question
        String theirStringToSign = SignUtil.buildStringToSign(alibabaRequest(ours, bytes));
        ApiRequest signed = alibabaRequest(ours, bytes);
        String theirSignature = SignUtil.sign(signed, SECRET);

        assertThat(ours.get("Content-MD5")).isEqualTo(SignUtil.base64AndMD5(bytes));
        assertThat(ApiGatewaySigner.stringToSignOf("POST", PATH, Map.of(), name -> header(ours, name)))
                .isEqualTo(theirStringToSign);
        assertThat(ours.get("X-Ca-Signature")).isEqualTo(theirSignature);
        assertThat(ours.get("X-Ca-Signature-Headers").split(","))
                .containsExactlyInAnyOrder(signed.getFirstHeaderValue("x-ca-signature-headers").split(","));
    }

    /** The request as Alibaba's SDK models it, with every header we send but the signature's own two. */
    private static ApiRequest alibabaRequest(Map<String, String> ours, byte[] body) {
        ApiRequest request = new ApiRequest(HttpMethod.POST_BODY, PATH, body);
        request.setSignatureMethod(ApiGatewaySigner.SIGNATURE_METHOD);
        ours.forEach((name, value) -> {
            if (!name.equals("X-Ca-Signature") && !name.equals("X-Ca-Signature-Headers")) {
                request.addHeader(name, value);
            }
        });
        return request;
    }

    /** Case-insensitive, as HTTP header names are. */
    static String header(Map<String, String> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }
}

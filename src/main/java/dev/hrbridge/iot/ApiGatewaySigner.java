package dev.hrbridge.iot;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Alibaba Cloud API Gateway digest signature ("AppKey and AppSecret" authentication), as the gateway recomputes it:
 * <pre>
 * HTTPMethod \n Accept \n Content-MD5 \n Content-Type \n Date \n
 * signed-header-name:value \n ...   (names lower case, sorted; nothing when no header is signed)
 * Path[?key=value&amp;key...]          (query and form parameters sorted by key; a key without value stands alone)
 * </pre>
 * signed with HmacSHA256 keyed by the app secret, Base64. An absent Accept, Content-MD5, Content-Type or Date still
 * contributes its line break, so the gateway and we agree on the line positions.
 */
public final class ApiGatewaySigner {

    public static final String SIGNATURE_METHOD = "HmacSHA256";
    public static final String ACCEPT = "application/json";
    public static final String CONTENT_TYPE = "application/json; charset=UTF-8";

    /** Never in the header part of the string to sign: they have their own line, or are the signature. */
    private static final Set<String> NOT_SIGNED_AS_HEADERS = Set.of("x-ca-signature", "x-ca-signature-headers", "accept",
            "content-md5", "content-type", "date");

    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).withLocale(Locale.US);

    private final String appKey;
    private final String appSecret;
    private final Clock clock;
    private final Supplier<String> nonces;

    public ApiGatewaySigner(String appKey, String appSecret) {
        this(appKey, appSecret, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    ApiGatewaySigner(String appKey, String appSecret, Clock clock, Supplier<String> nonces) {
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.clock = clock;
        this.nonces = nonces;
    }

    /**
     * The headers that make a JSON POST of {@code body} to {@code path} a signed gateway request, in the order a
     * reader expects them: the standard ones, then the {@code X-Ca-*} ones.
     */
    public Map<String, String> signJsonPost(String path, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", ACCEPT);
        headers.put("Content-MD5", contentMd5(body));
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("Date", HTTP_DATE.format(clock.instant()));
        SortedMap<String, String> signed = new TreeMap<>();
        signed.put("x-ca-key", appKey);
        signed.put("x-ca-nonce", nonces.get());
        signed.put("x-ca-signature-method", SIGNATURE_METHOD);
        signed.put("x-ca-timestamp", String.valueOf(clock.millis()));
        String stringToSign = stringToSign("POST", headers.get("Accept"), headers.get("Content-MD5"),
                headers.get("Content-Type"), headers.get("Date"), signed, path, Map.of());
        headers.put("X-Ca-Key", signed.get("x-ca-key"));
        headers.put("X-Ca-Nonce", signed.get("x-ca-nonce"));
        headers.put("X-Ca-Timestamp", signed.get("x-ca-timestamp"));
        headers.put("X-Ca-Signature-Method", SIGNATURE_METHOD);
        headers.put("X-Ca-Signature-Headers", String.join(",", signed.keySet()));
        headers.put("X-Ca-Signature", signature(appSecret, stringToSign));
        return headers;
    }

    /**
     * The string the gateway signs. {@code signedHeaders} holds the headers named in {@code X-Ca-Signature-Headers}
     * (any case; they are written lower case and sorted); {@code params} the query and form parameters.
     */
    public static String stringToSign(String method, String accept, String contentMd5, String contentType, String date,
                                      Map<String, String> signedHeaders, String path, Map<String, String> params) {
        StringBuilder text = new StringBuilder()
                .append(method.toUpperCase(Locale.ROOT)).append('\n')
                .append(orEmpty(accept)).append('\n')
                .append(orEmpty(contentMd5)).append('\n')
                .append(orEmpty(contentType)).append('\n')
                .append(orEmpty(date)).append('\n');
        SortedMap<String, String> headers = new TreeMap<>();
        signedHeaders.forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        headers.forEach((name, value) -> text.append(name).append(':').append(orEmpty(value)).append('\n'));
        text.append(path);
        if (!params.isEmpty()) {
            StringBuilder query = new StringBuilder();
            new TreeMap<>(params).forEach((key, value) -> {
                query.append(query.length() == 0 ? "?" : "&").append(key);
                if (value != null && !value.isEmpty()) {
                    query.append('=').append(value);
                }
            });
            text.append(query);
        }
        return text.toString();
    }

    /**
     * The string to sign as the gateway reads it off a received request: {@code header} looks up a request header by
     * name (case-insensitive); the signed headers are the ones {@code X-Ca-Signature-Headers} names, minus those that
     * have their own line or are the signature itself.
     */
    public static String stringToSignOf(String method, String path, Map<String, String> params,
                                        Function<String, String> header) {
        Map<String, String> signed = new LinkedHashMap<>();
        String names = header.apply("X-Ca-Signature-Headers");
        if (names != null) {
            for (String name : names.split(",")) {
                String key = name.trim().toLowerCase(Locale.ROOT);
                if (!key.isEmpty() && !NOT_SIGNED_AS_HEADERS.contains(key)) {
                    signed.put(key, header.apply(key));
                }
            }
        }
        return stringToSign(method, header.apply("Accept"), header.apply("Content-MD5"), header.apply("Content-Type"),
                header.apply("Date"), signed, path, params);
    }

    /** Base64 of HmacSHA256({@code stringToSign}) keyed with the app secret. */
    public static String signature(String appSecret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance(SIGNATURE_METHOD);
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), SIGNATURE_METHOD));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Base64 of the MD5 of the body bytes; null for an empty body (the gateway then expects an empty line). */
    public static String contentMd5(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available in this JVM", e);
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}

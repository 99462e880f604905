package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Decides what one Feishu answer means, in this order:
 * <ol>
 *   <li>HTTP 429 or code {@code 99991400}: rate limited, retryable after {@code x-ogw-ratelimit-reset} seconds;</li>
 *   <li>codes 99991661/99991663/99991664/99991671: the tenant token was refused (fetch a new one, repeat once);</li>
 *   <li>a code the caller accepts: success, whatever the HTTP status (Feishu sends some business codes with 400);</li>
 *   <li>a code the caller lists as retryable, HTTP 5xx or 408: retryable;</li>
 *   <li>HTTP 2xx with code 0: success;</li>
 *   <li>HTTP 2xx whose body is not a JSON object with a numeric code: retryable. Such a body comes from a proxy or
 *       a cut connection, not from Feishu deciding; the retry is bounded and ends as a visible dead letter;</li>
 *   <li>everything else (other codes, other 4xx): permanent, with HTTP status, code and msg.</li>
 * </ol>
 */
public class FeishuAnswerClassifier {

    public static final Set<Integer> TOKEN_REJECTED_CODES = Set.of(99991661, 99991663, 99991664, 99991671);
    public static final int RATE_LIMITED_CODE = 99991400;

    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Kind { SUCCESS, TOKEN_REJECTED, RETRYABLE, PERMANENT }

    /** The meaning of one answer; {@code answer} is the parsed JSON object, or null when the body was none. */
    public record Verdict(Kind kind, int httpStatus, Integer code, String msg, Map<String, Object> answer,
                          Duration retryAfter, String reason) {

        /** The failure to throw for anything but success. */
        public OutboundFailure toFailure(String api) {
            String message = api + " answered HTTP " + httpStatus + (code == null ? "" : ", code " + code)
                    + (msg == null ? "" : " (" + msg + ")") + ": " + reason;
            return kind == Kind.PERMANENT
                    ? new PermanentFailure(api, httpStatus, code, msg, message)
                    : new RetryableFailure(api, httpStatus, code, msg, message, retryAfter, null);
        }
    }

    public Verdict classify(int httpStatus, String body, String rateLimitReset, Set<Integer> acceptedCodes,
                            Set<Integer> retryableCodes) {
        Map<String, Object> answer = parse(body);
        Integer code = answer != null && answer.get("code") instanceof Number n ? n.intValue() : null;
        String msg = answer != null && answer.get("msg") != null ? String.valueOf(answer.get("msg")) : null;
        boolean ok = httpStatus >= 200 && httpStatus < 300;

        if (httpStatus == 429 || Integer.valueOf(RATE_LIMITED_CODE).equals(code)) {
            return new Verdict(Kind.RETRYABLE, httpStatus, code, msg, answer, seconds(rateLimitReset), "rate limited");
        }
        if (code != null && TOKEN_REJECTED_CODES.contains(code)) {
            return new Verdict(Kind.TOKEN_REJECTED, httpStatus, code, msg, answer, null, "tenant token refused");
        }
        if (code != null && acceptedCodes.contains(code)) {
            return new Verdict(Kind.SUCCESS, httpStatus, code, msg, answer, null, "accepted code");
        }
        if (code != null && retryableCodes.contains(code)) {
            return new Verdict(Kind.RETRYABLE, httpStatus, code, msg, answer, null, "retryable code");
        }
        if (httpStatus >= 500 || httpStatus == 408) {
            return new Verdict(Kind.RETRYABLE, httpStatus, code, msg, answer, null, "server error");
        }
        if (ok && code == null) {
            return new Verdict(Kind.RETRYABLE, httpStatus, null, null, answer, null, "malformed answer");
        }
        if (ok && code == 0) {
            return new Verdict(Kind.SUCCESS, httpStatus, code, msg, answer, null, "success");
        }
        return new Verdict(Kind.PERMANENT, httpStatus, code, msg, answer, null, "refused");
    }

    /** A comma list of codes ("1160204, 1160101") as a set; blank or null is empty. */
    public static Set<Integer> codes(String commaList) {
        if (commaList == null || commaList.isBlank()) {
            return Set.of();
        }
        return java.util.Arrays.stream(commaList.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(Integer::valueOf)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private static Map<String, Object> parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            return null;
        }
    }

    private static Duration seconds(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds > 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

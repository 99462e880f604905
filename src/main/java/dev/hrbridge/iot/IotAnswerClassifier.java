package dev.hrbridge.iot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides what an IoT gateway answer means (seed 004's error table): {@code code} 200 is success;
 * HTTP 403 "Request Limited", HTTP 500/502/503/504, codes 20003, 20004, 20056, a 2xx that is not a JSON envelope
 * with a code, network errors and timeouts may pass
 * when tried again ({@link RetryableFailure}); every other answer will not ({@link PermanentFailure}). Each call is
 * logged once with api, request id, status, code, outcome and duration; never params, auth codes or secrets.
 */
public class IotAnswerClassifier {

    /** Exchange property holding the answer's {@code localizedMsg} when the call failed. */
    public static final String LOCALIZED_MSG = "iotLocalizedMsg";

    private static final Logger LOG = LoggerFactory.getLogger(IotAnswerClassifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> RETRYABLE_HTTP = Set.of(500, 502, 503, 504);
    /** 20003 Find Backend Error, 20004 Backend Service Error, 20056 Hsf Invoke Timeout. */
    private static final Set<Integer> RETRYABLE_CODES = Set.of(20003, 20004, 20056);
    private static final int HSF_INVOKE_TIMEOUT = 20056;
    /** Kept when the gateway's answer headers are dropped: the caller's error handler counts attempts in them. */
    private static final String REDELIVERY_HEADERS = "CamelRedelivery*";

    /** The gateway answered: body becomes the answer's {@code data}, or the failure is thrown. */
    public void answered(Exchange exchange) {
        String api = exchange.getProperty(IotGatewayCall.API, String.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String gatewayError = exchange.getMessage().getHeader("X-Ca-Error-Message", String.class);
        JsonNode answer = parse(exchange.getMessage().getBody(byte[].class));
        exchange.getMessage().removeHeaders("*", REDELIVERY_HEADERS);

        Integer code = answer != null && answer.path("code").canConvertToInt() ? answer.path("code").asInt() : null;
        String message = text(answer, "message");
        if (message == null) {
            message = gatewayError;
        }
        String localizedMsg = text(answer, "localizedMsg");

        if (status == 200 && code != null && code == 200) {
            log(exchange, status, code, "success", null);
            JsonNode data = answer.path("data");
            exchange.getMessage().setBody(data.isObject() ? JSON.convertValue(data, new TypeReference<Map<String, Object>>() { })
                    : Map.of());
            return;
        }
        exchange.setProperty(LOCALIZED_MSG, localizedMsg);
        // a 2xx without the gateway's JSON envelope (a proxy's page, a body cut in transit) is not the platform's
        // decision: tried again like a cut connection, never taken as created or as a refusal
        boolean malformed = status >= 200 && status < 300 && code == null;
        String description = api + " answered HTTP " + status + (code == null ? "" : " code " + code)
                + (message == null ? "" : ": " + message) + (malformed ? ": not a JSON envelope with a code" : "");
        if (RETRYABLE_HTTP.contains(status) || (status == 403 && (isRequestLimited(message) || isRequestLimited(gatewayError)))
                || (status == 200 && code != null && RETRYABLE_CODES.contains(code)) || malformed) {
            log(exchange, status, code, "retryable", null);
            throw new RetryableFailure(api, status, code, message, description, null, null);
        }
        log(exchange, status, code, "permanent", null);
        throw new PermanentFailure(api, status, code, message, description);
    }

    /** The gateway did not answer (refused connection, reset, timeout): worth another try. */
    public void unanswered(Exchange exchange) {
        String api = exchange.getProperty(IotGatewayCall.API, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getMessage().removeHeaders("*", REDELIVERY_HEADERS);
        RetryableFailure failure = new RetryableFailure(api, null, null, null,
                api + " got no answer: " + (cause == null ? "unknown network error" : cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : " " + cause.getMessage())), null, cause);
        log(exchange, null, null, failure.causedByTimeout() ? "timeout" : "network_error", cause);
        throw failure;
    }

    /** The gateway throttled us: the only retryable answer with HTTP 403 is "Request Limited" / flow control. */
    public static boolean isRateLimited(OutboundFailure failure) {
        return failure instanceof RetryableFailure && failure.httpStatus() != null && failure.httpStatus() == 403;
    }

    /** No answer in time: our timeout, the gateway's 504, or the backend's HSF invoke timeout. */
    public static boolean isTimeout(OutboundFailure failure) {
        return failure.causedByTimeout()
                || (failure.httpStatus() != null && failure.httpStatus() == 504)
                || (failure.platformCode() != null && failure.platformCode() == HSF_INVOKE_TIMEOUT);
    }

    private static boolean isRequestLimited(String message) {
        return message != null && (message.contains("Request Limited") || message.startsWith("Throttled"));
    }

    private static void log(Exchange exchange, Integer status, Integer code, String outcome, Throwable cause) {
        Long started = exchange.getProperty(IotGatewayCall.STARTED, Long.class);
        long durationMs = started == null ? -1 : (System.nanoTime() - started) / 1_000_000;
        String line = "IoT call api={} request_id={} status={} code={} outcome={} duration_ms={}";
        Object[] args = {exchange.getProperty(IotGatewayCall.API), exchange.getProperty(IotGatewayCall.REQUEST_ID),
                status, code, outcome, durationMs};
        if ("success".equals(outcome)) {
            LOG.info(line, args);
        } else {
            LOG.warn(line + (cause == null ? "" : " error=" + cause.getClass().getSimpleName()), args);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode answer, String field) {
        if (answer == null || !answer.hasNonNull(field)) {
            return null;
        }
        return answer.get(field).asText();
    }
}

package dev.hrbridge.iot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one place that decides what an IoT gateway answer means (seed 004's error table). A create is not idempotent
 * (a second try of one that did create the employee is answered 2441), so a call is tried again only when the answer
 * proves the platform never ran it:
 * <ul>
 *   <li>success: HTTP 2xx with {@code code} 200;</li>
 *   <li>{@link RetryableFailure}, not run: no connection made (refused, connect or pool timeout, unknown host, TLS
 *       handshake), throttling (HTTP 429, or 403 whose {@code X-Ca-Error-Message} is "Request Limited" or
 *       "Throttled by … Flow Control"), HTTP 503 Service Unavailable, code 20003 Find Backend Error;</li>
 *   <li>{@link IotOutcomeUnknown}, may have run: no answer in time, the connection lost once the request was sent,
 *       HTTP 500, 502, 504, codes 500, 20004, 20056, a 2xx that is not a JSON envelope with a code;</li>
 *   <li>{@link PermanentFailure}: every other answer, a decision of the platform (2441, 460, …) or a refusal of the
 *       gateway (signature, permission).</li>
 * </ul>
 * Each call is logged once with api, request ids, status, code, outcome and duration; never params, auth codes or
 * secrets.
 */
public class IotAnswerClassifier {

    /** Exchange property holding the answer's {@code localizedMsg} when the call failed. */
    public static final String LOCALIZED_MSG = "iotLocalizedMsg";
    /** Exchange property holding the gateway's {@code X-Ca-Request-Id}, the id Alibaba support looks a call up by. */
    public static final String GATEWAY_REQUEST_ID = "iotGatewayRequestId";

    private static final Logger LOG = LoggerFactory.getLogger(IotAnswerClassifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 20003 Find Backend Error: the gateway found no backend to run the call. */
    private static final int FIND_BACKEND_ERROR = 20003;
    /** 500 Server Error, 20004 Backend Service Error, 20056 Hsf Invoke Timeout: the backend was reached. */
    private static final Set<Integer> BACKEND_REACHED_CODES = Set.of(500, 20004, 20056);
    private static final Set<Integer> BACKEND_REACHED_HTTP = Set.of(500, 502, 504);
    /** Kept when the gateway's answer headers are dropped: the caller's error handler counts attempts in them. */
    private static final String REDELIVERY_HEADERS = "CamelRedelivery*";

    private final OutboundMetrics metrics;

    /** {@code metrics} counts every call by API and outcome; null counts nothing. */
    public IotAnswerClassifier(OutboundMetrics metrics) {
        this.metrics = metrics;
    }

    /** The gateway answered: body becomes the answer's {@code data}, or the failure is thrown. */
    public void answered(Exchange exchange) {
        String api = exchange.getProperty(IotGatewayCall.API, String.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String gatewayError = exchange.getMessage().getHeader("X-Ca-Error-Message", String.class);
        exchange.setProperty(GATEWAY_REQUEST_ID, exchange.getMessage().getHeader("X-Ca-Request-Id", String.class));
        JsonNode answer = parse(exchange.getMessage().getBody(byte[].class));
        exchange.getMessage().removeHeaders("*", REDELIVERY_HEADERS);

        Integer code = answer != null && answer.path("code").canConvertToInt() ? answer.path("code").asInt() : null;
        String message = gatewayError != null ? gatewayError : text(answer, "message");
        boolean twoHundred = status >= 200 && status < 300;
        Integer platformCode = twoHundred ? code : null;

        if (Objects.equals(platformCode, 200)) {
            log(exchange, status, code, "success", null);
            JsonNode data = answer.path("data");
            exchange.getMessage().setBody(data.isObject() ? JSON.convertValue(data, new TypeReference<Map<String, Object>>() { })
                    : Map.of());
            return;
        }
        exchange.setProperty(LOCALIZED_MSG, text(answer, "localizedMsg"));
        // a 2xx without the gateway's JSON envelope (a proxy's page, a body cut in transit) is not the platform's
        // decision: the employee may have been created, or not
        boolean malformed = twoHundred && code == null;
        String description = api + " answered HTTP " + status + (code == null ? "" : " code " + code)
                + (message == null ? "" : ": " + message) + (malformed ? ": not a JSON envelope with a code" : "");
        if (isThrottled(status, gatewayError) || status == 503 || Objects.equals(platformCode, FIND_BACKEND_ERROR)) {
            log(exchange, status, code, "retryable", null);
            throw new RetryableFailure(api, status, code, message, description, null, null);
        }
        if (malformed || BACKEND_REACHED_HTTP.contains(status)
                || (platformCode != null && BACKEND_REACHED_CODES.contains(platformCode))) {
            log(exchange, status, code, "outcome_unknown", null);
            throw new IotOutcomeUnknown(api, status, code, message, description);
        }
        log(exchange, status, code, "permanent", null);
        throw new PermanentFailure(api, status, code, message, description);
    }

    /**
     * The gateway did not answer. Worth another try only when no connection was made: then the request never left.
     * Once it was sent, a timeout or a lost connection leaves the outcome unknown.
     */
    public void unanswered(Exchange exchange) {
        String api = exchange.getProperty(IotGatewayCall.API, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getMessage().removeHeaders("*", REDELIVERY_HEADERS);
        String error = cause == null ? "unknown network error"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
        if (neverSent(cause)) {
            log(exchange, null, null, "not_connected", cause);
            throw new RetryableFailure(api, null, null, null, api + " could not connect: " + error, null, cause);
        }
        log(exchange, null, null, isResponseTimeout(cause) ? "timeout" : "connection_lost", cause);
        throw new IotOutcomeUnknown(api, null, null, null, api + " sent the request but got no answer: " + error);
    }

    /** The gateway throttled us: the only retryable answers with HTTP 403 or 429. */
    public static boolean isRateLimited(OutboundFailure failure) {
        return failure instanceof RetryableFailure && failure.httpStatus() != null
                && (failure.httpStatus() == 403 || failure.httpStatus() == 429);
    }

    /** Throttling is told by the status and the gateway's own error header, never by a body's words. */
    private static boolean isThrottled(int status, String gatewayError) {
        return status == 429 || (status == 403 && gatewayError != null
                && (gatewayError.startsWith("Request Limited") || gatewayError.startsWith("Throttled by")));
    }

    /** No connection was made, so the platform cannot have received the request. */
    static boolean neverSent(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
                    || cause instanceof ConnectionRequestTimeoutException || cause instanceof UnknownHostException
                    || cause instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isResponseTimeout(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void log(Exchange exchange, Integer status, Integer code, String outcome, Throwable cause) {
        Long started = exchange.getProperty(IotGatewayCall.STARTED, Long.class);
        long durationNanos = started == null ? 0 : System.nanoTime() - started;
        long durationMs = started == null ? -1 : durationNanos / 1_000_000;
        if (metrics != null) {
            // beside Feishu's calls in hrb_outbound_calls_total: the gateway path as a dotted API name
            String api = String.valueOf(exchange.getProperty(IotGatewayCall.API));
            metrics.record("iot" + api.replace('/', '.'), outcome, Duration.ofNanos(durationNanos));
        }
        String line = "IoT call api={} request_id={} gateway_request_id={} status={} code={} outcome={} duration_ms={}";
        Object[] args = {exchange.getProperty(IotGatewayCall.API), exchange.getProperty(IotGatewayCall.REQUEST_ID),
                exchange.getProperty(GATEWAY_REQUEST_ID), status, code, outcome, durationMs};
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

package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Kind;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Verdict;
import dev.hrbridge.outbound.DeferredFailure;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.OutboundOutcome;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java steps of the {@code feishu-openapi-action} Kamelet ({@code kamelets/feishu-openapi-action.kamelet.yaml}):
 * reads the Kamelet's parameters and the message's own headers ({@code HrbPath}, {@code HrbFeishuApp},
 * {@code HrbTenantKey}, {@code HrbTraceId}), authorizes the request with the token of the (app, tenant) they name,
 * classifies each answer, and writes the one log line and the metrics of the call.
 * The caller gets its own headers back plus {@code HrbHttpStatus}, {@code HrbPlatformCode}, {@code HrbPlatformMsg}.
 */
public class FeishuCall {

    /** Header: the path and query of a call whose path varies per message, read when the Kamelet names no path. */
    public static final String PATH = "HrbPath";
    /** Header: event id or request id, on the log line of the call. */
    public static final String TRACE_ID = "HrbTraceId";
    /** Header: the configured Feishu app the call is made as, unless the Kamelet names one; the inbox sets it to the app an event came in through. */
    public static final String FEISHU_APP = "HrbFeishuApp";
    /** Header: the tenant of a store app the call is for; the inbox sets it to the event's tenant_key. */
    public static final String TENANT_KEY = "HrbTenantKey";
    public static final String HTTP_STATUS = "HrbHttpStatus";
    public static final String PLATFORM_CODE = "HrbPlatformCode";
    public static final String PLATFORM_MSG = "HrbPlatformMsg";

    /** Exchange properties the Kamelet sets from its parameters ({@code api}, {@code method}, ...); empty when not given. */
    static final String PARAMETER_API = "feishuApi";
    static final String PARAMETER_METHOD = "feishuMethod";
    static final String PARAMETER_PATH = "feishuPath";
    static final String PARAMETER_ACCEPTED_CODES = "feishuAcceptedCodes";
    static final String PARAMETER_RETRYABLE_CODES = "feishuRetryableCodes";
    static final String PARAMETER_APP = "feishuApp";

    static final String STATE = "HrbFeishuCall";
    /** True while a request is to be sent: at first, and once more after Feishu refused the token. */
    static final String SEND = "HrbSendToFeishu";

    private static final Logger LOG = LoggerFactory.getLogger(FeishuCall.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = new java.util.LinkedHashSet<>(List.of("GET", "POST", "PATCH", "PUT", "DELETE"));

    private final TenantTokenCache tokens;
    private final FeishuApps apps;
    private final FeishuAnswerClassifier classifier;
    private final OutboundMetrics metrics;

    public FeishuCall(TenantTokenCache tokens, FeishuApps apps, FeishuAnswerClassifier classifier, OutboundMetrics metrics) {
        this.tokens = tokens;
        this.apps = apps;
        this.classifier = classifier;
        this.metrics = metrics;
    }

    /** What one call carries from step to step; the tenant token stays here, never in a header the caller sees. */
    static final class State {
        final String api;
        final String traceId;
        final String app;
        final String tenant;
        final Set<Integer> accepted;
        final Set<Integer> retryable;
        final Map<String, Object> callerHeaders;
        final long begin = System.nanoTime();
        String token;
        boolean repeated;
        Verdict verdict;

        State(String api, String traceId, String app, String tenant, Set<Integer> accepted, Set<Integer> retryable,
              Map<String, Object> callerHeaders) {
            this.api = api;
            this.traceId = traceId;
            this.app = app;
            this.tenant = tenant;
            this.accepted = accepted;
            this.retryable = retryable;
            this.callerHeaders = callerHeaders;
        }
    }

    /** Reads the call's parameters, headers and body; sets the properties the Kamelet sends from. */
    public void begin(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getMessage();
        String api = parameter(exchange, PARAMETER_API, "api");
        String method = parameter(exchange, PARAMETER_METHOD, "method").toUpperCase(java.util.Locale.ROOT);
        String pathAndQuery = optional(exchange.getProperty(PARAMETER_PATH, String.class));
        if (pathAndQuery == null) {
            pathAndQuery = optional(in.getHeader(PATH, String.class));
            if (pathAndQuery == null) {
                throw new IllegalArgumentException("feishu-openapi-action for " + api + " needs the parameter path or the header " + PATH);
            }
        }
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("the path of " + api + " must start with '/', got '" + pathAndQuery + "'");
        }
        int question = pathAndQuery.indexOf('?');
        exchange.setProperty("HrbApi", api);
        // the http component wants its enum: handing it a String costs a type-converter search on every call
        exchange.setProperty("HrbHttpMethod", httpMethod(api, method));
        exchange.setProperty("HrbHttpPath", question < 0 ? pathAndQuery : pathAndQuery.substring(0, question));
        exchange.setProperty("HrbHttpQuery", question < 0 ? null : pathAndQuery.substring(question + 1));
        Object body = in.getBody();
        exchange.setProperty("HrbRequestJson", body == null || body instanceof String ? body
                : JSON.writeValueAsString(body));
        exchange.setProperty(SEND, true);
        String app = optional(exchange.getProperty(PARAMETER_APP, String.class));
        if (app == null) {
            app = in.getHeader(FEISHU_APP, FeishuApp.DEFAULT, String.class).trim();
        }
        if (apps.get(app) == null) {
            throw new IllegalArgumentException("feishu-openapi-action names no configured Feishu app: '" + app + "'");
        }
        exchange.setProperty(STATE, new State(api, in.getHeader(TRACE_ID, String.class), app, in.getHeader(TENANT_KEY, String.class),
                FeishuAnswerClassifier.codes(exchange.getProperty(PARAMETER_ACCEPTED_CODES, String.class)),
                FeishuAnswerClassifier.codes(exchange.getProperty(PARAMETER_RETRYABLE_CODES, String.class)),
                new LinkedHashMap<>(in.getHeaders())));
    }

    /** Sets {@code Authorization: Bearer <the (app, tenant)'s token>}. */
    public void authorize(Exchange exchange) {
        State state = state(exchange);
        state.token = tokens.token(state.app, state.tenant);
        exchange.getMessage().setHeader("Authorization", "Bearer " + state.token);
    }

    /** Classifies the answer; a refused token is dropped and, the first time, the route asked to repeat the call. */
    public void readAnswer(Exchange exchange) {
        State state = state(exchange);
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        state.verdict = classifier.classify(status, answer.getBody(String.class),
                answer.getHeader("x-ogw-ratelimit-reset", String.class), state.accepted, state.retryable);
        boolean repeat = state.verdict.kind() == Kind.TOKEN_REJECTED && !state.repeated;
        if (state.verdict.kind() == Kind.TOKEN_REJECTED) {
            tokens.invalidate(state.app, state.tenant, state.token);
        }
        state.repeated |= repeat;
        exchange.setProperty(SEND, repeat);
    }

    /** Success: the parsed answer as body, the caller's headers plus the answer's status, code and msg. */
    public void finish(Exchange exchange) {
        State state = state(exchange);
        Verdict verdict = state.verdict;
        if (verdict.kind() != Kind.SUCCESS) {
            throw verdict.toFailure(state.api);
        }
        Message out = restoreCallerHeaders(exchange, state);
        out.setHeader(HTTP_STATUS, verdict.httpStatus());
        out.setHeader(PLATFORM_CODE, verdict.code());
        out.setHeader(PLATFORM_MSG, verdict.msg());
        out.setBody(verdict.answer());
        record(state, OutboundOutcome.SUCCESS, verdict.httpStatus(), verdict.code(), null);
    }

    /** Any failure of the call: network errors and timeouts become {@link RetryableFailure}; logged, counted, thrown. */
    public void fail(Exchange exchange) throws Exception {
        State state = state(exchange);
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Exception failure = classify(state.api, caught);
        Message out = restoreCallerHeaders(exchange, state);
        if (failure instanceof OutboundFailure outbound) {
            out.setHeader(HTTP_STATUS, outbound.httpStatus());
            out.setHeader(PLATFORM_CODE, outbound.platformCode());
            out.setHeader(PLATFORM_MSG, outbound.platformMsg());
            record(state, OutboundOutcome.of(outbound), outbound.httpStatus(), outbound.platformCode(),
                    failure instanceof DeferredFailure ? null : failure.getMessage());
        } else {
            record(state, OutboundOutcome.of(failure), null, null, String.valueOf(failure));
        }
        throw failure;
    }

    private static Exception classify(String api, Exception caught) {
        for (Throwable cause = caught; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutboundFailure failure) {
                return failure;
            }
            if (cause instanceof IOException io) {
                return new RetryableFailure(api, null, null, null,
                        api + " not answered: " + io.getClass().getSimpleName() + ": " + io.getMessage(), null, io);
            }
        }
        return caught;
    }

    private static Message restoreCallerHeaders(Exchange exchange, State state) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.getHeaders().putAll(state.callerHeaders);
        return out;
    }

    private void record(State state, String outcome, Integer status, Integer code, String detail) {
        Duration took = Duration.ofNanos(System.nanoTime() - state.begin);
        metrics.record(state.api, outcome, took);
        if ("deferred".equals(outcome)) {
            LOG.debug("feishu call api={} trace={} outcome=deferred", state.api, state.traceId);
            return;
        }
        String line = "feishu call api={} trace={} app={} tenant={} http={} code={} outcome={} ms={}"
                + (state.repeated ? " token_refreshed=true" : "") + (detail == null ? "" : " detail=\"{}\"");
        Object[] args = {state.api, state.traceId, state.app, state.tenant, status, code, outcome, took.toMillis(), detail};
        if (OutboundOutcome.SUCCESS.equals(outcome)) {
            LOG.info(line, args);
        } else {
            LOG.warn(line, args);
        }
    }

    private static State state(Exchange exchange) {
        return exchange.getProperty(STATE, State.class);
    }

    private static String parameter(Exchange exchange, String property, String name) {
        String value = optional(exchange.getProperty(property, String.class));
        if (value == null) {
            throw new IllegalArgumentException("feishu-openapi-action needs the parameter " + name);
        }
        return value;
    }

    private static HttpMethods httpMethod(String api, String method) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("the method of " + api + " must be one of " + METHODS + ", got '" + method + "'");
        }
        return HttpMethods.valueOf(method);
    }

    private static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}

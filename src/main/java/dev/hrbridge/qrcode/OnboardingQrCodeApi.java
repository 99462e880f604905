package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiErrorResponder;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ListPosition;
import dev.hrbridge.outbound.DeferredFailure;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.qrcode.ManagedQrCode.Status;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code /api/v1/onboarding-qr-codes} accepts and answers. The create call is synchronous and not retried in
 * the request: a create that timed out may have succeeded in Feishu, and a second try would make a second code.
 * <pre>
 * Feishu code 0                 201 with Feishu's qr_code; stored as managed, active
 * 1161001 invalid parameters    422 invalid_qr_code_parameters      (with platform_code, platform_msg)
 * 1161002 dimensions not set up 422 qr_code_dimensions_not_initialised
 * our throttle / Feishu 429     429 rate_limited (Retry-After)
 * timeout                       504 upstream_timeout
 * anything else                 502 upstream_error
 * </pre>
 */
public class OnboardingQrCodeApi {

    static final String DIMENSIONS = "qrDimensionValueList";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QrCodeRepository codes;
    private final QrCodeSweep sweep;
    private final ListPages pages;
    private final Clock clock;

    public OnboardingQrCodeApi(QrCodeRepository codes, QrCodeSweep sweep, ListPages pages, Clock clock) {
        this.codes = codes;
        this.sweep = sweep;
        this.pages = pages;
        this.clock = clock;
    }

    /** Validates seed 001's body; the body becomes the request Feishu gets. */
    public void readRequest(Exchange exchange) {
        String dimensions = DimensionValueList.read(JsonRequestBody.readObject(exchange));
        exchange.setProperty(DIMENSIONS, dimensions);
        Message message = exchange.getMessage();
        message.setHeader("HrbTraceId", "api-" + exchange.getExchangeId());
        message.setBody("{\"dimension_value_list\":" + dimensions + "}");
    }

    /** Stores the created code as managed and answers 201 with Feishu's qr_code. */
    public void created(Exchange exchange) throws Exception {
        FeishuQrCode created = FeishuQrCode.of(exchange.getMessage().getBody(), clock.instant());
        codes.insert(new ManagedQrCode(created.id(), created.url(), created.png(),
                exchange.getProperty(DIMENSIONS, String.class), Status.ACTIVE, null, null, created.createdAt()));
        answer(exchange, 201, created.raw());
    }

    /** {@code GET [?status=&limit=&cursor=]}: managed codes, newest first, with their rotation chain. */
    public void list(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        ListPages.Page page = pages.page("onboarding-qr-codes", query, "status");
        List<ManagedQrCode> listed = codes.list(parseStatus(query.get("status")), page.after(), page.fetch());
        answer(exchange, 200, pages.answer(page, listed, code -> new ListPosition(code.createdAt(), code.id()),
                OnboardingQrCodeApi::view));
    }

    /** {@code POST .../sweep}: 202 with how many rotations the sweep scheduled. */
    public void sweepNow(Exchange exchange) throws Exception {
        answer(exchange, 202, Map.of("scheduled", sweep.runNow()));
    }

    /** Answers a failed create call. */
    public void failed(Exchange exchange) throws Exception {
        OutboundFailure failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, OutboundFailure.class);
        ApiException error = toApiError(failure);
        if (failure.platformCode() != null) {
            error.with("platform_code", failure.platformCode()).with("platform_msg", failure.platformMsg());
        }
        ApiErrorResponder.respond(exchange, error);
        Duration retryAfter = failure.retryAfter();
        if (error.status() == 429) {
            long seconds = retryAfter == null ? 60 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            exchange.getMessage().setHeader("Retry-After", String.valueOf(seconds));
        }
    }

    static ApiException toApiError(OutboundFailure failure) {
        Integer code = failure.platformCode();
        if (failure instanceof PermanentFailure && code != null && code == 1161001) {
            return new ApiException(422, "invalid_qr_code_parameters", "Feishu refused the QR code's parameters");
        }
        if (failure instanceof PermanentFailure && code != null && code == 1161002) {
            return new ApiException(422, "qr_code_dimensions_not_initialised",
                    "the tenant has not initialised the QR code dimensions in Feishu CoreHR");
        }
        if (failure instanceof DeferredFailure || Integer.valueOf(429).equals(failure.httpStatus())
                || Integer.valueOf(99991400).equals(code)) {
            return new ApiException(429, "rate_limited", "QR code creation is at its rate limit (100 per minute); try again later");
        }
        if (timedOut(failure)) {
            return new ApiException(504, "upstream_timeout", "Feishu did not answer in time; the code may or may not exist");
        }
        return new ApiException(502, "upstream_error", "Feishu refused or failed the request");
    }

    private static boolean timedOut(OutboundFailure failure) {
        return Integer.valueOf(504).equals(failure.httpStatus()) || Integer.valueOf(408).equals(failure.httpStatus())
                || failure.causedByTimeout();
    }

    private static Status parseStatus(String status) {
        if (status == null) {
            return null;
        }
        try {
            return Status.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("status", "status must be one of active, inactive, replaced");
        }
    }

    private static Map<String, Object> view(ManagedQrCode code) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", code.id());
        view.put("url", code.url());
        view.put("png", code.png());
        view.put("status", code.status().column());
        if (code.replacedBy() != null) {
            view.put("replaced_by", code.replacedBy());
        }
        if (code.replaces() != null) {
            view.put("replaces", code.replaces());
        }
        try {
            view.put("dimension_value_list", JSON.readTree(code.dimensionValueList()));
        } catch (Exception e) {
            throw new IllegalStateException("stored dimension_value_list of " + code.id() + " is not JSON", e);
        }
        view.put("created_at", code.createdAt().toString());
        return view;
    }

    private static void answer(Exchange exchange, int status, Object body) throws Exception {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(body));
    }
}

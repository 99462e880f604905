package dev.hrbridge.iot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiErrorResponder;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.RetryableFailure;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@code POST /api/v1/iot/employees} accepts and answers (SPEC §3, seed 004). The IoT code mapping lives here
 * and nowhere else; which failures are tried again is {@link IotAnswerClassifier}'s decision:
 * <pre>
 * 200                               201 with the IoT data
 * 2441 employee exists              409 employee_exists
 * 2442 employee not found           422 employee_not_found     (the OA account has no employee to bind)
 * 460  dingdingbind employee ...    422 employee_not_bound     (the OA user is not bound to an employee)
 * 460  other parameter errors       400 iot_invalid_parameters (the platform calls the forwarded code malformed)
 * 2459 session id unknown           422 invalid_auth_code      (the code is well-formed but the platform does not know it)
 * 2401 refreshToken invalid         422 invalid_auth_code      (expired)
 * 2402 iotToken / account           422 iot_account_unavailable
 * 2404 phone format                 422 invalid_phone          (the OA account's phone, not our request's syntax)
 * 2405 company not init             422 company_not_initialised
 * throttled (retried)               429 rate_limited
 * not run (retried)                 502 upstream_unavailable   (nothing created: safe to try again later)
 * may have run (not retried)        504 outcome_unknown        (the employee may exist: see README)
 * other refusal                     502 upstream_error         (signature, permissions: nothing the caller can fix)
 * </pre>
 */
public class IotEmployeeAnswers {

    static final Set<String> CODE_TYPES = Set.of("AUTH_CODE", "SESSION_ID");
    static final int MAX_AUTH_CODE_LENGTH = 1024;
    /** Seed 004's 460 that is not about our parameters: the OA (DingTalk) user has no employee binding. */
    private static final String DINGTALK_BINDING_MISSING = "dingdingbind employee not exist";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates {@code {authCode, codeType}} and leaves exactly those as the body (the IoT params). */
    public void readRequest(Exchange exchange) {
        JsonNode request = JsonRequestBody.readObject(exchange);
        String authCode = requiredText(request, "authCode");
        if (authCode.length() > MAX_AUTH_CODE_LENGTH) {
            throw ApiException.invalidField("authCode", "authCode must be at most " + MAX_AUTH_CODE_LENGTH + " characters");
        }
        String codeType = requiredText(request, "codeType");
        if (!CODE_TYPES.contains(codeType)) {
            throw ApiException.invalidField("codeType", "codeType must be AUTH_CODE (PC login) or SESSION_ID (app login)");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("authCode", authCode);
        params.put("codeType", codeType);
        exchange.getIn().setBody(params);
    }

    /** 201 with the IoT {@code data} of the created employee. */
    public void created(Exchange exchange) throws Exception {
        Message out = exchange.getMessage();
        Object data = out.getBody();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(data));
    }

    /** Answers a failed IoT call (permanent, or retryable with retries exhausted) with its mapped status. */
    public void failed(Exchange exchange) throws Exception {
        OutboundFailure failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, OutboundFailure.class);
        ApiException error = toApiError(failure)
                .with("platform_code", failure.platformCode())
                .with("platform_message", failure.platformMsg())
                .with("platform_localized_msg", exchange.getProperty(IotAnswerClassifier.LOCALIZED_MSG, String.class))
                .with("platform_request_id", exchange.getProperty(IotGatewayCall.REQUEST_ID, String.class))
                .with("gateway_request_id", exchange.getProperty(IotAnswerClassifier.GATEWAY_REQUEST_ID, String.class));
        ApiErrorResponder.respond(exchange, error);
    }

    static ApiException toApiError(OutboundFailure failure) {
        if (failure instanceof IotOutcomeUnknown) {
            return new ApiException(504, "outcome_unknown", "the IoT platform may or may not have created the employee; "
                    + "send the same request again: 201 or 409 employee_exists both mean the employee now exists");
        }
        if (IotAnswerClassifier.isRateLimited(failure)) {
            return new ApiException(429, "rate_limited", "the IoT gateway is limiting our requests; try again shortly");
        }
        if (failure instanceof RetryableFailure) {
            return new ApiException(502, "upstream_unavailable",
                    "the IoT platform could not be reached or was unavailable; no employee was created; try again later");
        }
        Integer code = failure.platformCode();
        if (failure.httpStatus() != null && failure.httpStatus() == 200 && code != null) {
            switch (code) {
                case 2441:
                    return new ApiException(409, "employee_exists", "an IoT employee with this account's phone number already exists");
                case 2442:
                    return new ApiException(422, "employee_not_found",
                            "the IoT platform found no employee to bind to the account of this auth code");
                case 460:
                    return DINGTALK_BINDING_MISSING.equals(failure.platformMsg())
                            ? new ApiException(422, "employee_not_bound",
                                    "the OA user of this auth code is not bound to an employee on the IoT platform")
                            : new ApiException(400, "iot_invalid_parameters", "the IoT platform rejected authCode/codeType as malformed");
                case 2459:
                case 2401:
                    return new ApiException(422, "invalid_auth_code", "the auth code or session id is unknown or expired; log in again")
                            .with("field", "authCode");
                case 2402:
                    return new ApiException(422, "iot_account_unavailable", "the IoT platform could not find or register the account");
                case 2404:
                    return new ApiException(422, "invalid_phone", "the OA account's phone number has a format the IoT platform refuses");
                case 2405:
                    return new ApiException(422, "company_not_initialised", "the company is not initialised on the IoT platform");
                default:
                    break;
            }
        }
        return new ApiException(502, "upstream_error", "the IoT platform refused the request");
    }

    private static String requiredText(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalidField(field, field + " is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw ApiException.invalidField(field, field + " must be a non-empty string");
        }
        return value.asText();
    }
}

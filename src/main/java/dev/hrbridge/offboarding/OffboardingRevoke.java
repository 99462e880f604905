package dev.hrbridge.offboarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.JsonRequestBody;
import dev.hrbridge.api.RequestHeaders;
import dev.hrbridge.feishu.FeishuCall;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxMessage.Kind;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Withdrawing an offboarding (SPEC §3, seed 002): the request {@code POST /api/v1/offboardings/revoke} accepts,
 * stores durably and answers 202, and the Feishu call the {@code offboarding-revoke} route makes from it.
 * The stored payload is the request in one normal form (fields in a fixed order, the user id type filled in), so an
 * {@code Idempotency-Key} sent again is recognised by comparing payloads.
 */
public class OffboardingRevoke {

    public static final String FLOW = "offboarding-revoke";
    public static final Set<String> USER_ID_TYPES = Set.of("open_id", "union_id", "user_id", "people_corehr_id");
    static final String PATH = "/open-apis/corehr/v2/offboardings/revoke";
    static final int MAX_ID_LENGTH = 64;
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Inbox inbox;
    private final String defaultUserIdType;

    public OffboardingRevoke(Inbox inbox, String defaultUserIdType) {
        this.inbox = inbox;
        this.defaultUserIdType = defaultUserIdType;
    }

    /**
     * Validates the request, stores it once per {@code Idempotency-Key} and answers {@code 202 {request_id, status_url}}.
     * A key seen before answers with the first request; the same key with another body is a 409.
     */
    public void accept(Exchange exchange) throws Exception {
        String idempotencyKey = idempotencyKey(RequestHeaders.all(exchange, "Idempotency-Key"));
        String payload = JSON.writeValueAsString(normalForm(JsonRequestBody.readObject(exchange)));
        String requestId = UUID.randomUUID().toString();
        String dedupKey = "request:" + FLOW + ":" + (idempotencyKey != null ? idempotencyKey : requestId);
        if (!inbox.store(new InboxMessage.New(requestId, Kind.REQUEST, dedupKey, FLOW, null, requestId, payload))) {
            InboxMessage first = inbox.repository().findByDedupKey(dedupKey)
                    .orElseThrow(() -> new IllegalStateException("dedup key " + dedupKey + " reported stored but not found"));
            if (!first.payload().equals(payload)) {
                throw new ApiException(409, "idempotency_key_reused",
                        "this Idempotency-Key was used for another request body; use a new key for a new request")
                        .with("request_id", first.id());
            }
            requestId = first.id();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("request_id", requestId);
        answer.put("status_url", "/api/v1/requests/" + requestId);
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        out.setHeader("Location", answer.get("status_url"));
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(answer));
    }

    /** Turns the stored request into Feishu's: the user id type in the query, {offboarding_id, operator_id?} as body. */
    public void feishuRequest(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        JsonNode request = JSON.readTree(in.getBody(String.class));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("offboarding_id", request.path("offboarding_id").asText());
        if (request.hasNonNull("operator_id")) {
            body.put("operator_id", request.path("operator_id").asText());
        }
        in.setHeader(FeishuCall.PATH, PATH + "?user_id_type="
                + URLEncoder.encode(request.path("user_id_type").asText(defaultUserIdType), StandardCharsets.UTF_8));
        in.setBody(JSON.writeValueAsString(body));
    }

    private Map<String, Object> normalForm(JsonNode request) {
        Map<String, Object> normal = new LinkedHashMap<>();
        JsonNode offboardingId = request.get("offboarding_id");
        if (offboardingId == null || !offboardingId.isTextual() || !DIGITS.matcher(offboardingId.asText()).matches()) {
            throw ApiException.invalidField("offboarding_id",
                    "offboarding_id is required: the offboarding record id as a string of digits, e.g. \"7095671727698478604\"");
        }
        normal.put("offboarding_id", ApiException.checkLength("offboarding_id", offboardingId.asText(), MAX_ID_LENGTH));
        JsonNode operatorId = request.get("operator_id");
        if (operatorId != null && !operatorId.isNull()) {
            if (!operatorId.isTextual()) {
                throw ApiException.invalidField("operator_id",
                        "operator_id must be the operator's employment id as a string of at most " + MAX_ID_LENGTH + " characters");
            }
            ApiException.checkLength("operator_id", operatorId.asText(), MAX_ID_LENGTH);
            // Feishu reads an empty operator as "the system"; so do we
            if (!operatorId.asText().isBlank()) {
                normal.put("operator_id", operatorId.asText().trim());
            }
        }
        JsonNode userIdType = request.get("user_id_type");
        if (userIdType != null && !userIdType.isNull()
                && (!userIdType.isTextual() || !USER_ID_TYPES.contains(userIdType.asText()))) {
            throw ApiException.invalidField("user_id_type",
                    "user_id_type must be one of open_id, union_id, user_id, people_corehr_id");
        }
        normal.put("user_id_type", userIdType == null || userIdType.isNull() ? defaultUserIdType : userIdType.asText());
        return normal;
    }

    /** The request's one Idempotency-Key header; a query parameter of that name is not one, two headers are refused. */
    private static String idempotencyKey(List<String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        if (headers.size() > 1) {
            throw ApiException.badRequest("invalid_header", "the Idempotency-Key header is given more than once")
                    .with("field", "Idempotency-Key");
        }
        String key = ApiException.checkLength("Idempotency-Key", headers.get(0).trim(), MAX_IDEMPOTENCY_KEY_LENGTH);
        if (key.isEmpty() || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.invalidField("Idempotency-Key",
                    "the Idempotency-Key header must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " visible ASCII characters");
        }
        return key;
    }
}

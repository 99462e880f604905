package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Seed 002, {@code POST /open-apis/corehr/v2/offboardings/revoke} (撤销离职), written from its document (the repaired
 * copy): query {@code user_id_type} optional, one of the four id types {@code operator_id} may be given in;
 * {@code offboarding_id} a required, non-empty string ("不允许为空", an id like the seed's 7095671727698478604);
 * {@code operator_id} an optional string. Breaking these is {@code 1160102 parameter is illegal}. The seed names no
 * frequency limit. Every refusal is HTTP 400 with the seed's code and msg.
 * <p>
 * The sandbox's offboarding records are every 19-digit id starting with 7 (Feishu's id shape); any other id does
 * not exist ({@code 1160201}). A record can be withdrawn once, the second time is {@code 1160202}. The last four
 * digits pick a documented failure:
 * <pre>
 * ...0203  always 1160203 the department has been disable when withdrawn
 * ...0204  1160204 can not been withrawn in the same time, on the first call, then success
 * ...0101  1160101 unknown error, on the first call, then success
 * ...0103  1160103 general internal server error code, on the first call, then success
 * </pre>
 */
final class OffboardingSandbox implements FeishuSandbox.Operation {

    static final String PATH = "/open-apis/corehr/v2/offboardings/revoke";
    static final Set<String> USER_ID_TYPES = Set.of("open_id", "union_id", "user_id", "people_corehr_id");
    private static final Pattern ID = Pattern.compile("[0-9]+");
    private static final Pattern EXISTING = Pattern.compile("7[0-9]{18}");
    private static final Map<String, Integer> FIRST_CALL_FAILURES = Map.of("0204", 1160204, "0101", 1160101, "0103", 1160103);
    private static final Map<Integer, String> MESSAGES = Map.of(
            1160101, "unknown error",
            1160102, "parameter is illegal",
            1160103, "general internal server error code",
            1160201, "offboarding is not exist",
            1160202, "offboarding has been withdrawn",
            1160203, "the department has been disable when withdrawn",
            1160204, "can not been withrawn in the same time");

    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    void serveOn(FeishuSandbox feishu) {
        feishu.register("POST", PATH, this);
    }

    @Override
    public Reply handle(JsonNode body, Request request, FeishuSandbox.Caller caller) {
        String userIdType = request.queryParam("user_id_type");
        JsonNode offboardingId = body.get("offboarding_id");
        JsonNode operatorId = body.get("operator_id");
        if ((userIdType != null && !USER_ID_TYPES.contains(userIdType))
                || offboardingId == null || !offboardingId.isTextual() || !ID.matcher(offboardingId.asText()).matches()
                || (operatorId != null && !operatorId.isNull() && !operatorId.isTextual())) {
            return refused(1160102);
        }
        String id = offboardingId.asText();
        if (!EXISTING.matcher(id).matches()) {
            return refused(1160201);
        }
        String suffix = id.substring(id.length() - 4);
        if (suffix.equals("0203")) {
            return refused(1160203);
        }
        Integer firstCallFailure = FIRST_CALL_FAILURES.get(suffix);
        if (firstCallFailure != null && failedOnce.add(id)) {
            return refused(firstCallFailure);
        }
        if (!revoked.add(id)) {
            return refused(1160202);
        }
        return FeishuSandbox.success(Map.of());
    }

    private static Reply refused(int code) {
        return FeishuSandbox.error(400, code, MESSAGES.get(code));
    }
}

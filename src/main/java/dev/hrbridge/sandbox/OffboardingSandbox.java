package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Feishu CoreHR's {@code POST /open-apis/corehr/v2/offboardings/revoke} (seed 002) in the sandbox, with its error
 * codes. The sandbox's offboarding records are every 19-digit id starting with 7 (Feishu's id shape, e.g. the seed's
 * 7095671727698478604); any other well-formed id does not exist (1160201). Each record can be withdrawn once, the
 * second time is 1160202. The last four digits pick a demo failure:
 * <pre>
 * ...0203  always 1160203 (the employee's department is disabled)          FAILED, not retried
 * ...0204  1160204 (concurrent withdrawal) on the first call, then success  retried
 * ...0101  1160101 (unknown error) on the first call, then success          retried
 * ...0103  1160103 (internal error) on the first call, then success         retried
 * </pre>
 */
public final class OffboardingSandbox implements FeishuSandbox.Operation {

    public static final String PATH = "/open-apis/corehr/v2/offboardings/revoke";
    static final Set<String> USER_ID_TYPES = Set.of("open_id", "union_id", "user_id", "people_corehr_id");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern EXISTING = Pattern.compile("7[0-9]{18}");
    private static final Map<String, Integer> FIRST_CALL_FAILURES = Map.of("0204", 1160204, "0101", 1160101, "0103", 1160103);

    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    /** Serves the endpoint on {@code feishu}. */
    public static void register(FeishuSandbox feishu) {
        feishu.register("POST", PATH, new OffboardingSandbox());
    }

    @Override
    public Reply handle(Request request) {
        String userIdType = request.queryParam("user_id_type");
        if (userIdType != null && !USER_ID_TYPES.contains(userIdType)) {
            return FeishuSandbox.error(400, 1160102, "parameter is illegal: user_id_type");
        }
        JsonNode body = request.json();
        JsonNode offboardingId = body == null ? null : body.get("offboarding_id");
        if (offboardingId == null || !offboardingId.isTextual() || !DIGITS.matcher(offboardingId.asText()).matches()) {
            return FeishuSandbox.error(400, 1160102, "parameter is illegal: offboarding_id");
        }
        JsonNode operatorId = body.get("operator_id");
        if (operatorId != null && !operatorId.isNull() && !operatorId.isTextual()) {
            return FeishuSandbox.error(400, 1160102, "parameter is illegal: operator_id");
        }
        String id = offboardingId.asText();
        if (!EXISTING.matcher(id).matches()) {
            return FeishuSandbox.error(400, 1160201, "offboarding is not exist");
        }
        String suffix = id.substring(id.length() - 4);
        if (suffix.equals("0203")) {
            return FeishuSandbox.error(400, 1160203, "the department has been disable when withdrawn");
        }
        Integer firstCallFailure = FIRST_CALL_FAILURES.get(suffix);
        if (firstCallFailure != null && failedOnce.add(id)) {
            return FeishuSandbox.error(400, firstCallFailure, switch (firstCallFailure) {
                case 1160204 -> "can not been withrawn in the same time";
                case 1160101 -> "unknown error";
                default -> "general internal server error code";
            });
        }
        if (!revoked.add(id)) {
            return FeishuSandbox.error(400, 1160202, "offboarding has been withdrawn");
        }
        return Reply.json(200, Map.of("code", 0, "msg", "success", "data", Map.of()));
    }
}

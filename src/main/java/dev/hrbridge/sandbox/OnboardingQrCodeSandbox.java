package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.qrcode.DimensionValueList;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 001, {@code POST /open-apis/corehr/v2/onboarding_qr_codes}: validates the body as Feishu documents it
 * ({@code 1161001} invalid params, HTTP 400) and answers the seed's {@code qr_code} shape. The dimension api_name
 * {@value #UNINITIALISED_DIMENSION} plays a tenant that has not initialised its QR code dimensions
 * ({@code 1161002}).
 */
public final class OnboardingQrCodeSandbox implements FeishuSandbox.Operation {

    public static final String PATH = "/open-apis/corehr/v2/onboarding_qr_codes";
    public static final String UNINITIALISED_DIMENSION = "uninitialised_dimension__c";
    private static final String CREATOR = "7032210902531327521";

    private final String baseUrl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public OnboardingQrCodeSandbox(String baseUrl, Clock clock) {
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    @Override
    public Reply handle(Request request) {
        JsonNode body = request.json();
        DimensionValueList.Problem problem = DimensionValueList.problemIn(body);
        if (problem != null) {
            return FeishuSandbox.error(400, 1161001, "invalid params: " + problem.message());
        }
        JsonNode list = body.get("dimension_value_list");
        if (DimensionValueList.apiNames(list).contains(UNINITIALISED_DIMENSION)) {
            return FeishuSandbox.error(400, 1161002, "tenant has not initialised the onboarding QR code dimensions");
        }
        String scanCode = HexFormat.of().formatHex(randomBytes(24));
        long now = clock.instant().getEpochSecond();
        Map<String, Object> code = new LinkedHashMap<>();
        code.put("id", String.valueOf(6_800_000_000_000_000_000L + (random.nextLong() & 0xFFFF_FFFF_FFFFL)));
        code.put("png", baseUrl + "/people/api/onboarding/scan_code/png?scan_code=" + scanCode);
        code.put("url", baseUrl + "/people/welcome/scan?signKey=" + scanCode);
        code.put("active", true);
        code.put("created_by", CREATOR);
        code.put("updated_by", CREATOR);
        code.put("created_at", now);
        code.put("updated_at", now);
        code.put("dimension_value_list", described(list));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", "success");
        answer.put("data", Map.of("qr_code", code));
        return Reply.json(200, answer);
    }

    /** The request's values with each dimension's display name and type (1 single, 2 multi, 3 boolean). */
    private static List<Map<String, Object>> described(JsonNode list) {
        List<Map<String, Object>> described = new ArrayList<>();
        for (JsonNode entry : list) {
            String apiName = entry.path("dimension").path("api_name").asText();
            JsonNode value = entry.path("value");
            int type = value.hasNonNull("multi_select_value") ? 2 : value.hasNonNull("bool_value") ? 3 : 1;
            Map<String, Object> dimension = new LinkedHashMap<>();
            dimension.put("api_name", apiName);
            dimension.put("display_name", Map.of("zh_cn", apiName, "en_us", apiName));
            dimension.put("type", type);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("dimension", dimension);
            item.put("value", PlatformSimulator.JSON.convertValue(value, Map.class));
            described.add(item);
        }
        return described;
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}

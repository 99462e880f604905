package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.FrequencyLimit.Window;
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
 * Seed 001, {@code POST /open-apis/corehr/v2/onboarding_qr_codes} (创建入职二维码), written from its document:
 * 100 calls a minute; {@code dimension_value_list} required, 1 to 1000 entries, each with {@code dimension.api_name}
 * (string) and {@code value} holding {@code select_value} (string), {@code multi_select_value} (1 to 1000 strings)
 * or {@code bool_value} (boolean). The api_names and values "可从二维码维度列表接口获取": the sandbox tenant has the
 * seed's own dimensions, {@code company} (type 1, single select), {@code multi_select_field__c} (type 2, multi
 * select) and {@code bool_field__c} (type 3, boolean), and a value must be of its dimension's type. Any other
 * break of these rules is HTTP 400 {@code 1161001} 参数无效 with the detail in {@code msg} ("详见返回结果").
 * The api_name {@value #UNINITIALISED_TENANT} plays a tenant that has not initialised its QR code dimensions:
 * HTTP 400 {@code 1161002}. The answer is the seed's {@code qr_code}.
 */
final class OnboardingQrCodeSandbox implements FeishuSandbox.Operation {

    static final String PATH = "/open-apis/corehr/v2/onboarding_qr_codes";
    static final int PER_MINUTE = 100;
    static final int INVALID_PARAMS = 1161001;
    static final int DIMENSIONS_NOT_INITIALISED = 1161002;
    static final String UNINITIALISED_TENANT = "uninitialised_dimension__c";
    private static final int MAX_LIST = 1000;
    private static final String CREATOR = "7032210902531327521";

    private record Dimension(String zhCn, String enUs, int type, String valueField) {
    }

    private static final Map<String, Dimension> TENANT_DIMENSIONS = Map.of(
            "company", new Dimension("公司", "Company", 1, "select_value"),
            "multi_select_field__c", new Dimension("多选字段", "multi_select_field", 2, "multi_select_value"),
            "bool_field__c", new Dimension("布尔字段", "bool_field", 3, "bool_value"));
    private static final List<String> VALUE_FIELDS = List.of("select_value", "multi_select_value", "bool_value");

    private final String baseUrl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    OnboardingQrCodeSandbox(String baseUrl, Clock clock) {
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    void serveOn(FeishuSandbox feishu) {
        feishu.register("POST", PATH, this, Window.perMinute(PER_MINUTE));
    }

    @Override
    public Reply handle(JsonNode body, Request request, FeishuSandbox.Caller caller) {
        JsonNode list = body.get("dimension_value_list");
        String problem = problemIn(list);
        if (problem != null) {
            return FeishuSandbox.error(400, INVALID_PARAMS, "参数无效: " + problem);
        }
        List<String> apiNames = new ArrayList<>();
        list.forEach(entry -> apiNames.add(entry.get("dimension").get("api_name").asText()));
        if (apiNames.contains(UNINITIALISED_TENANT)) {
            return FeishuSandbox.error(400, DIMENSIONS_NOT_INITIALISED, "租户未初始化二维码维度");
        }
        for (int i = 0; i < list.size(); i++) {
            problem = problemWithDimension(list.get(i), "dimension_value_list[" + i + "]");
            if (problem != null) {
                return FeishuSandbox.error(400, INVALID_PARAMS, "参数无效: " + problem);
            }
        }
        return FeishuSandbox.success(Map.of("qr_code", qrCode(list)));
    }

    /** The first way {@code list} breaks the document's types and lengths, or null. */
    private static String problemIn(JsonNode list) {
        if (list == null || list.isNull()) {
            return "dimension_value_list is required";
        }
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_LIST) {
            return "dimension_value_list must be an array of 1 to " + MAX_LIST + " items";
        }
        for (int i = 0; i < list.size(); i++) {
            String where = "dimension_value_list[" + i + "]";
            JsonNode entry = list.get(i);
            JsonNode apiName = entry.path("dimension").path("api_name");
            if (!entry.path("dimension").isObject() || !apiName.isTextual() || apiName.asText().isEmpty()) {
                return where + ".dimension.api_name is required";
            }
            JsonNode value = entry.path("value");
            if (!value.isObject()) {
                return where + ".value is required";
            }
            JsonNode select = value.get("select_value");
            if (select != null && !select.isNull() && !select.isTextual()) {
                return where + ".value.select_value must be a string";
            }
            JsonNode multi = value.get("multi_select_value");
            if (multi != null && !multi.isNull()) {
                if (!multi.isArray() || multi.isEmpty() || multi.size() > MAX_LIST) {
                    return where + ".value.multi_select_value must be an array of 1 to " + MAX_LIST + " strings";
                }
                for (JsonNode option : multi) {
                    if (!option.isTextual()) {
                        return where + ".value.multi_select_value must hold strings";
                    }
                }
            }
            JsonNode bool = value.get("bool_value");
            if (bool != null && !bool.isNull() && !bool.isBoolean()) {
                return where + ".value.bool_value must be a boolean";
            }
        }
        return null;
    }

    /** Null when the entry names a dimension of the tenant and gives a value of its type, and only that. */
    private static String problemWithDimension(JsonNode entry, String where) {
        String apiName = entry.get("dimension").get("api_name").asText();
        Dimension dimension = TENANT_DIMENSIONS.get(apiName);
        if (dimension == null) {
            return where + ".dimension.api_name " + apiName + " is not a QR code dimension of the tenant";
        }
        JsonNode value = entry.get("value");
        for (String field : VALUE_FIELDS) {
            boolean given = value.hasNonNull(field);
            if (field.equals(dimension.valueField()) != given) {
                return where + ".value must hold " + dimension.valueField() + ", the type of dimension " + apiName;
            }
        }
        // options come from the dimension list: an empty string names none
        JsonNode given = value.get(dimension.valueField());
        List<JsonNode> options = new ArrayList<>();
        if (given.isArray()) {
            given.forEach(options::add);
        } else if (given.isTextual()) {
            options.add(given);
        }
        if (options.stream().anyMatch(option -> option.asText().isEmpty())) {
            return where + ".value." + dimension.valueField() + " names an empty option";
        }
        return null;
    }

    /** The seed's {@code qr_code}: the request's values with each dimension's display name and type. */
    private Map<String, Object> qrCode(JsonNode list) {
        String scanCode = HexFormat.of().formatHex(randomBytes(24));
        long now = clock.instant().getEpochSecond();
        List<Map<String, Object>> values = new ArrayList<>();
        for (JsonNode entry : list) {
            String apiName = entry.get("dimension").get("api_name").asText();
            Dimension dimension = TENANT_DIMENSIONS.get(apiName);
            Map<String, Object> described = new LinkedHashMap<>();
            described.put("api_name", apiName);
            described.put("display_name", Map.of("zh_cn", dimension.zhCn(), "en_us", dimension.enUs()));
            described.put("type", dimension.type());
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("dimension", described);
            item.put("value", Map.of(dimension.valueField(), entry.get("value").get(dimension.valueField())));
            values.add(item);
        }
        Map<String, Object> code = new LinkedHashMap<>();
        code.put("id", String.valueOf(6_800_000_000_000_000_000L + (random.nextLong() & 0xFFFF_FFFF_FFFFL)));
        code.put("png", baseUrl + "/people/api/onboarding/scan_code/png?scan_code=" + scanCode);
        code.put("url", baseUrl + "/people/welcome/scan?signKey=" + scanCode);
        code.put("active", true);
        code.put("created_by", CREATOR);
        code.put("updated_by", CREATOR);
        code.put("created_at", now);
        code.put("updated_at", now);
        code.put("dimension_value_list", values);
        return code;
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}

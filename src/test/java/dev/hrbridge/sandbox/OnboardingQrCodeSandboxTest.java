package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.Collections;

import static dev.hrbridge.sandbox.FeishuCalls.json;
import static dev.hrbridge.sandbox.FeishuCalls.refusalCode;
import static org.assertj.core.api.Assertions.assertThat;

/** The simulated seed 001 judges a create by the seed's own rules and the sandbox tenant's dimensions, not by ours. */
class OnboardingQrCodeSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The seed's request example. */
    private static final String SEED_REQUEST = """
            {"dimension_value_list": [
              {"dimension": {"api_name": "company"}, "value": {"select_value": "7147562782945478177"}},
              {"dimension": {"api_name": "multi_select_field__c"},
               "value": {"multi_select_value": ["7147562782945478177","7147562782945478190"]}},
              {"dimension": {"api_name": "bool_field__c"}, "value": {"bool_value": true}}]}""";

    static PlatformSimulator simulator;
    static FeishuCalls feishu;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        simulator = PlatformSimulator.start("cli_test", "secret");
        feishu = new FeishuCalls(simulator, "cli_test", "secret");
        token = feishu.tenantToken();
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @Test
    void theSeedsRequestGetsTheSeedsAnswerShape() throws Exception {
        HttpResponse<String> answer = create(SEED_REQUEST);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.path("code").asInt()).isZero();
        assertThat(body.path("msg").asText()).isEqualTo("success");
        JsonNode code = body.path("data").path("qr_code");
        assertThat(code.path("id").asText()).matches("[0-9]{19}");
        assertThat(code.path("png").asText()).startsWith(simulator.baseUrl() + "/people/api/onboarding/scan_code/png?scan_code=");
        assertThat(code.path("url").asText()).startsWith(simulator.baseUrl() + "/people/welcome/scan?signKey=");
        assertThat(code.path("active").asBoolean()).isTrue();
        assertThat(code.path("created_at").isIntegralNumber()).isTrue();
        assertThat(code.path("created_by").asText()).isNotBlank();
        assertThat(code.path("dimension_value_list")).isEqualTo(JSON.readTree("""
                [{"dimension": {"api_name": "company", "display_name": {"zh_cn": "公司", "en_us": "Company"}, "type": 1},
                  "value": {"select_value": "7147562782945478177"}},
                 {"dimension": {"api_name": "multi_select_field__c", "display_name": {"zh_cn": "多选字段", "en_us": "multi_select_field"},
                  "type": 2}, "value": {"multi_select_value": ["7147562782945478177","7147562782945478190"]}},
                 {"dimension": {"api_name": "bool_field__c", "display_name": {"zh_cn": "布尔字段", "en_us": "bool_field"}, "type": 3},
                  "value": {"bool_value": true}}]"""));
    }

    @ParameterizedTest(name = "{0}: 1161001 naming {2}")
    @CsvSource(delimiter = '|', value = {
            "no list|{}|dimension_value_list is required",
            "list null|{\"dimension_value_list\":null}|dimension_value_list is required",
            "empty list|{\"dimension_value_list\":[]}|1 to 1000 items",
            "list an object|{\"dimension_value_list\":{}}|1 to 1000 items",
            "no dimension|{\"dimension_value_list\":[{\"value\":{\"bool_value\":true}}]}|dimension_value_list[0].dimension.api_name is required",
            "api_name a number|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":7},\"value\":{\"bool_value\":true}}]}|api_name is required",
            "no value|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"bool_field__c\"}}]}|dimension_value_list[0].value is required",
            "select_value a number|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":7}}]}|select_value must be a string",
            "multi_select_value empty|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"multi_select_field__c\"},\"value\":{\"multi_select_value\":[]}}]}|1 to 1000 strings",
            "multi_select_value a number in it|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"multi_select_field__c\"},\"value\":{\"multi_select_value\":[\"1\",2]}}]}|must hold strings",
            "bool_value a string|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"bool_field__c\"},\"value\":{\"bool_value\":\"true\"}}]}|bool_value must be a boolean",
            "unknown dimension|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"no_such_dimension\"},\"value\":{\"bool_value\":true}}]}|no_such_dimension is not a QR code dimension",
            "a boolean for a single select|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"bool_value\":true}}]}|must hold select_value",
            "two kinds of value|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\",\"bool_value\":true}}]}|must hold select_value",
            "an empty option|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"\"}}]}|names an empty option",
            "second entry broken|{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}},{\"dimension\":{\"api_name\":\"bool_field__c\"},\"value\":{}}]}|dimension_value_list[1].value must hold bool_value"})
    void aBodyBreakingTheSeedsRulesIs400With1161001AndTheDetailInMsg(String name, String body, String detail) throws Exception {
        HttpResponse<String> answer = create(body);

        assertThat(refusalCode(answer, 400)).isEqualTo(1161001);
        assertThat(json(answer).path("msg").asText()).startsWith("参数无效").contains(detail);
    }

    @Test
    void moreThan1000EntriesOrOptionsAre1161001() throws Exception {
        String entry = "{\"dimension\":{\"api_name\":\"bool_field__c\"},\"value\":{\"bool_value\":true}}";
        assertThat(refusalCode(create("{\"dimension_value_list\":[" + String.join(",", Collections.nCopies(1001, entry)) + "]}"), 400))
                .isEqualTo(1161001);
        assertThat(create("{\"dimension_value_list\":[" + String.join(",", Collections.nCopies(1000, entry)) + "]}").statusCode())
                .isEqualTo(200);
        String options = String.join(",", Collections.nCopies(1001, "\"1\""));
        assertThat(refusalCode(create("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"multi_select_field__c\"},"
                + "\"value\":{\"multi_select_value\":[" + options + "]}}]}"), 400)).isEqualTo(1161001);
    }

    @Test
    void theUninitialisedTenantScenarioIs1161002() throws Exception {
        HttpResponse<String> answer = create("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},"
                + "\"value\":{\"select_value\":\"1\"}},{\"dimension\":{\"api_name\":\"uninitialised_dimension__c\"},\"value\":{\"bool_value\":true}}]}");

        assertThat(refusalCode(answer, 400)).isEqualTo(1161002);
        assertThat(json(answer).path("msg").asText()).isEqualTo("租户未初始化二维码维度");
    }

    @Test
    void nullValueFieldsBesideTheDimensionsOwnAreIgnored() throws Exception {
        assertThat(create("{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},"
                + "\"value\":{\"select_value\":\"1\",\"bool_value\":null,\"multi_select_value\":null}}]}").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> create(String body) throws Exception {
        return feishu.call(OnboardingQrCodeSandbox.PATH, token, body);
    }
}

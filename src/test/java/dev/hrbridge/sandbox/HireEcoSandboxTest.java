package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulated Hire eco endpoints check bodies as Feishu documents them and answer in Feishu's shapes. */
class HireEcoSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private PlatformSimulator simulator;
    private HireEcoSandbox hire;
    private String token;

    @BeforeEach
    void start() throws Exception {
        simulator = PlatformSimulator.start("cli_test", "secret");
        hire = simulator.feishu().hire();
        token = new FeishuCalls(simulator, "cli_test", "secret").tenantToken();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void wellFormedPackagesAreCreatedWithFeishusSuccessAnswer() throws Exception {
        HttpResponse<String> answer = call(HireEcoSandbox.PACKAGES_PATH, """
                {"account_id": "acc-1", "package_list": [{"id": "pkg-1", "name": "Basic", "description": "d"}],
                 "additional_item_list": [{"id": "item-1", "name": "Reference"}]}""", token);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body())).isEqualTo(JSON.readTree("{\"code\":0,\"msg\":\"success\",\"data\":{}}"));
        assertThat(hire.packagesOf("acc-1")).containsExactly("pkg-1");
        assertThat(hire.additionalItemsOf("acc-1")).containsExactly("item-1");
    }

    @Test
    void packagesWithoutAccountIdOrWithMalformedItemsGetParameterIllegal() throws Exception {
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, "{\"package_list\": [{\"id\": \"p\", \"name\": \"n\"}]}", token), "account_id");
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, "{\"account_id\": \"a\"}", token), "package_list is required");
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, "{\"account_id\": \"a\", \"package_list\": {}}", token), "must be an array");
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, "{\"account_id\": \"a\", \"package_list\": [{\"id\": \"p\"}]}", token),
                "package_list[0].name");
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH,
                "{\"account_id\": \"a\", \"package_list\": [{\"id\": \"0123456789012345678901234567890123456\", \"name\": \"n\"}]}", token),
                "longer than 36");
        assertThat(hire.packagesOf("a")).isEmpty();
    }

    @Test
    void aPackageIdCreatedBeforeForTheAccountIsRefusedBecauseCreationIsIncremental() throws Exception {
        String body = "{\"account_id\": \"acc-2\", \"package_list\": [{\"id\": \"pkg-1\", \"name\": \"Basic\"}]}";
        assertThat(call(HireEcoSandbox.PACKAGES_PATH, body, token).statusCode()).isEqualTo(200);

        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, body, token), "pkg-1 was created before");
        assertIllegal(call(HireEcoSandbox.PACKAGES_PATH, "{\"account_id\": \"acc-2\", \"package_list\": [{\"id\": \"pkg-2\", "
                + "\"name\": \"A\"}, {\"id\": \"pkg-2\", \"name\": \"B\"}]}", token), "pkg-2 is given twice");
        assertThat(hire.packagesOf("acc-2")).containsExactly("pkg-1");
    }

    @Test
    void examPapersReplaceTheAccountsListAndMalformedOnesGetParameterIllegal() throws Exception {
        assertThat(call(HireEcoSandbox.PAPERS_PATH, """
                {"account_id": "acc-3", "paper_list": [{"id": "p1", "name": "Java", "duration": 60, "question_count": 20,
                 "start_time": "1000", "end_time": "2000"}]}""", token).statusCode()).isEqualTo(200);
        assertThat(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"acc-3\", \"paper_list\": [{\"id\": \"p2\", \"name\": \"Go\"}]}",
                token).statusCode()).isEqualTo(200);
        assertThat(hire.papersOf("acc-3")).containsExactly("p2");

        assertIllegal(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"acc-3\"}", token), "paper_list is required");
        assertIllegal(call(HireEcoSandbox.PAPERS_PATH,
                "{\"account_id\": \"acc-3\", \"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"start_time\": \"2000\", \"end_time\": \"1000\"}]}",
                token), "start_time must be less than end_time");
        assertIllegal(call(HireEcoSandbox.PAPERS_PATH,
                "{\"account_id\": \"acc-3\", \"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"duration\": \"long\"}]}", token),
                "duration must be an int");
    }

    @Test
    void paperIdsLongerThan255AreCutNotRefusedAndAnEmptyTimeMeansNoLimit() throws Exception {
        String id = "p".repeat(300);
        assertThat(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"acc-4\", \"paper_list\": [{\"id\": \"" + id
                + "\", \"name\": \"" + "n".repeat(300) + "\", \"start_time\": \"\", \"end_time\": \"1000\"}]}", token).statusCode())
                .isEqualTo(200);
        assertThat(hire.papersOf("acc-4")).containsExactly("p".repeat(255));
        assertIllegal(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"acc-4\", \"paper_list\": [{\"id\": \"\", \"name\": \"n\"}]}",
                token), "paper_list[0].id is required");
        assertIllegal(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"acc-4\", \"paper_list\": [{\"id\": \"p\", \"name\": \"n\", "
                + "\"end_time\": 1000}]}", token), "end_time must be a millisecond timestamp string");
    }

    @Test
    void accountsEndingInMinus1002001FailTheirFirstPushWithSystemErrorAndThoseEndingInMinus1002002AreRefusedEveryTime() throws Exception {
        String packages = "{\"account_id\": \"sandbox-6931286400470354183-1002001\", \"package_list\": [{\"id\": \"pkg-1\", \"name\": \"Basic\"}]}";
        HttpResponse<String> first = call(HireEcoSandbox.PACKAGES_PATH, packages, token);
        assertThat(FeishuCalls.refusalCode(first, 500)).isEqualTo(1002001);
        assertThat(JSON.readTree(first.body()).path("msg").asText()).isEqualTo("System error");
        assertThat(hire.packagesOf("sandbox-6931286400470354183-1002001")).isEmpty();
        assertThat(call(HireEcoSandbox.PACKAGES_PATH, packages, token).statusCode()).isEqualTo(200);
        assertThat(hire.packagesOf("sandbox-6931286400470354183-1002001")).containsExactly("pkg-1");

        for (int i = 0; i < 2; i++) {
            assertIllegal(call(HireEcoSandbox.PAPERS_PATH, "{\"account_id\": \"sandbox-7000000000000000001-1002002\", \"paper_list\": "
                    + "[{\"id\": \"p1\", \"name\": \"Go\"}]}", token), "sandbox-7000000000000000001-1002002 refuses every push");
        }
        assertThat(hire.papersOf("sandbox-7000000000000000001-1002002")).isEmpty();
    }

    @Test
    void theEndpointsSitBehindTheTenantTokenCheckAndRefuseNonJson() throws Exception {
        HttpResponse<String> anonymous = call(HireEcoSandbox.PAPERS_PATH, "{}", null);
        assertThat(JSON.readTree(anonymous.body()).path("code").asInt()).isEqualTo(99991661);
        HttpResponse<String> notJson = call(HireEcoSandbox.PAPERS_PATH, "account_id=a", token);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("code").asInt()).isEqualTo(9499);
    }

    private static void assertIllegal(HttpResponse<String> answer, String detail) throws Exception {
        assertThat(FeishuCalls.refusalCode(answer, 400)).isEqualTo(1002002);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("code").asInt()).isEqualTo(1002002);
        assertThat(body.path("msg").asText()).startsWith("Parameter illegal").contains(detail);
    }

    private HttpResponse<String> call(String path, String body, String bearer) throws Exception {
        return new FeishuCalls(simulator, "cli_test", "secret").call(path, bearer, body);
    }
}

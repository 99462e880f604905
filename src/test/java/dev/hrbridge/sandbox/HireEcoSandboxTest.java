package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulated Hire eco endpoints check bodies as Feishu documents them and answer in Feishu's shapes. */
class HireEcoSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PlatformSimulator simulator;
    private HireEcoSandbox hire;
    private String token;

    @BeforeEach
    void start() throws Exception {
        simulator = PlatformSimulator.start("cli_test", "secret");
        hire = new HireEcoSandbox();
        hire.serveOn(simulator.feishu());
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/open-apis/auth/v3/tenant_access_token/internal"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"app_id\":\"cli_test\",\"app_secret\":\"secret\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        token = JSON.readTree(answer.body()).path("tenant_access_token").asText();
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
    void theEndpointsSitBehindTheTenantTokenCheckAndRefuseNonJson() throws Exception {
        HttpResponse<String> anonymous = call(HireEcoSandbox.PAPERS_PATH, "{}", null);
        assertThat(JSON.readTree(anonymous.body()).path("code").asInt()).isEqualTo(99991661);
        HttpResponse<String> notJson = call(HireEcoSandbox.PAPERS_PATH, "account_id=a", token);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("code").asInt()).isEqualTo(9499);
    }

    private static void assertIllegal(HttpResponse<String> answer, String detail) throws Exception {
        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("code").asInt()).isEqualTo(1002002);
        assertThat(body.path("msg").asText()).startsWith("Parameter illegal").contains(detail);
    }

    private HttpResponse<String> call(String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

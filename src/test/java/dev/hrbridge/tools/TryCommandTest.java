package dev.hrbridge.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hr-bridge try}: an engineer sees what the real routes do with one event or request, in a throw-away sandbox. */
class TryCommandTest {

    private static final String ECO_EVENT = "src/test/resources/fixtures/event-eco-account-created.json";
    private static final String QR_EVENT = "src/test/resources/fixtures/event-onboarding-qr-code-inactive.json";
    private static final String REVOKE = "src/test/resources/fixtures/request-offboarding-revoke.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void anEcoAccountEventShowsItsStepsThePushToHireAndTheOutcome() {
        ToolRun run = ToolRun.of("try", "--event", ECO_EVENT);

        assertThat(run.status()).isZero();
        assertThat(run.out())
                .startsWith("Delivered POST /webhooks/feishu/events -> 200 {\"status\":\"stored\",\"event_id\":\"5e3702a84e847582be8db7fb73283c02\"}")
                .contains("eco-account-created  bean[ref:ecoAccountBinding method:bind]")
                .contains("classpath:routes/eco-account-binding.camel.yaml:22")
                .containsPattern("call POST http://127\\.0\\.0\\.1:\\d+/open-apis/hire/v1/eco_background_check_packages\n"
                        + "    request \\{\"account_id\":\"6931286400470354183\",\"package_list\":\\[\\{\"id\":\"pkg-basic\"")
                .contains("    answer  200 {\"code\":0,\"msg\":\"success\"")
                .contains("EVENT hire.eco_account.created_v1 5e3702a84e847582be8db7fb73283c02: SUCCEEDED, outcome pushed, "
                        + "attempts 1, platform code 0 (success)")
                .contains("dead letters: none")
                .doesNotContain(" INFO ");
    }

    @Test
    void anUnmanagedQrCodeGoingInactiveIsRecordedWithoutAnyCall() {
        ToolRun run = ToolRun.of("try", "--event", QR_EVENT);

        assertThat(run.status()).isZero();
        assertThat(run.out())
                .contains("onboarding-qr-code-inactive  bean[ref:qrCodeRotation method:onInactive]")
                .contains("No outbound call was made.")
                .contains("EVENT corehr.onboarding_qr_code.inactive_v2 5e3702a84e847582be8db7fb73283c02: SUCCEEDED, "
                        + "outcome recorded, attempts 1")
                .doesNotContain("call POST");
    }

    @Test
    void anApiRequestShowsTheRevokeCallFeishuAnswered() {
        ToolRun run = ToolRun.of("try", "--request", "POST", "/api/v1/offboardings/revoke", "--body", REVOKE);

        assertThat(run.status()).isZero();
        assertThat(run.out())
                .containsPattern("^Delivered POST /api/v1/offboardings/revoke -> 202 \\{\"request_id\":")
                .containsPattern("call POST http://127\\.0\\.0\\.1:\\d+/open-apis/corehr/v2/offboardings/revoke"
                        + "\\?user_id_type=people_corehr_id\n    request \\{\"offboarding_id\":\"7095671727698478604\","
                        + "\"operator_id\":\"6982509313466189341\"}\n    answer  200 \\{\"code\":0")
                .containsPattern("REQUEST offboarding-revoke \\S+: SUCCEEDED, outcome revoked, attempts 1, platform code 0");
    }

    @Test
    void jsonCarriesTheDeliveryRunsCallsAndMessages() throws Exception {
        ToolRun run = ToolRun.of("try", "--json", "--event", ECO_EVENT);

        assertThat(run.status()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("delivery").path("status").asInt()).isEqualTo(200);
        assertThat(report.path("settled").asBoolean()).isTrue();
        JsonNode flow = report.path("runs").get(1);
        assertThat(flow.path("trace_id").asText()).isEqualTo("5e3702a84e847582be8db7fb73283c02");
        assertThat(flow.path("steps").get(0).path("route").asText()).isEqualTo("event-router");
        JsonNode call = flow.path("calls").get(0);
        assertThat(call.path("method").asText()).isEqualTo("POST");
        assertThat(call.path("url").asText()).endsWith("/open-apis/hire/v1/eco_background_check_packages");
        assertThat(JSON.readTree(call.path("request").asText()).path("account_id").asText()).isEqualTo("6931286400470354183");
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(report.path("messages").get(0).path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(report.path("messages").get(0).path("outcome").asText()).isEqualTo("pushed");
        assertThat(report.path("dead_letters")).isEmpty();
    }

    @Test
    void aFlowChangedInTheRoutesDirectoryRunsInsteadOfThePackagedOne() throws Exception {
        Files.writeString(dir.resolve("eco-account-created.camel.yaml"), """
                - route:
                    id: eco-account-created
                    routeConfigurationId: failures-to-caller
                    from:
                      uri: direct:eco-account-created
                      steps:
                        - setHeader:
                            name: HrbOutcome
                            constant: looked_at_only
                """);

        ToolRun run = ToolRun.of("try", "--event", ECO_EVENT, "--routes", dir.toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("eco-account-created  setHeader[HrbOutcome]")
                .contains(dir.resolve("eco-account-created.camel.yaml").toString())
                .contains("No outbound call was made.")
                .contains("SUCCEEDED, outcome looked_at_only");
    }

    @Test
    void aRoutesDirectoryValidateRejectsIsReportedAndNothingRuns() throws Exception {
        Files.writeString(dir.resolve("typo.camel.yaml"), """
                - route:
                    id: eco-account-created
                    from:
                      uri: direct:eco-account-created
                      steps:
                        - bean:
                            ref: ecoAccountBindng
                            method: bind
                """);

        ToolRun run = ToolRun.of("try", "--event", ECO_EVENT, "--routes", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("The routes directory was refused; nothing was run:\n  "
                + dir.resolve("typo.camel.yaml") + ":6: no bean named 'ecoAccountBindng' (did you mean 'ecoAccountBinding'?)\n");
    }

    @Test
    void aRoutesDirectoryWhoseRouteCannotStartIsReportedAndNothingRuns() throws Exception {
        // passes the checks: a simple expression's syntax is Camel's to judge when the route starts
        Files.writeString(dir.resolve("unclosed.camel.yaml"), """
                - route:
                    id: eco-account-created
                    from:
                      uri: direct:eco-account-created
                      steps:
                        - filter:
                            simple: "${header.unclosed"
                            steps:
                              - log: never
                """);

        ToolRun run = ToolRun.of("try", "--event", ECO_EVENT, "--routes", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).startsWith("The routes directory was refused; nothing was run:\n  "
                + dir.resolve("unclosed.camel.yaml") + ": ").contains("${header.unclosed");
    }

    @Test
    void aCallToAHostOutsideTheMachineIsNotMadeAndATimeoutIsReported() throws Exception {
        Files.writeString(dir.resolve("outside.camel.yaml"), """
                - route:
                    id: eco-account-created
                    routeConfigurationId: failures-to-caller
                    from:
                      uri: direct:eco-account-created
                      steps:
                        - to: https://open.feishu.cn/open-apis/hire/v1/eco_exam_papers
                """);

        ToolRun run = ToolRun.of("try", "--event", ECO_EVENT, "--routes", dir.toString(), "--timeout", "8");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out())
                .contains("call POST https://open.feishu.cn/open-apis/hire/v1/eco_exam_papers")
                .contains("answer  none: java.io.IOException: try calls nothing outside this machine, so "
                        + "https://open.feishu.cn/open-apis/hire/v1/eco_exam_papers was not called")
                .contains("Result (not final after 8 s: the timeout ran out)")
                .contains("EVENT hire.eco_account.created_v1 5e3702a84e847582be8db7fb73283c02: PENDING");
    }

    @Test
    void badArgumentsAndFilesAreUsageErrorsBeforeAnythingStarts() throws Exception {
        Files.writeString(dir.resolve("array.json"), "[1,2]");
        Files.writeString(dir.resolve("cut.json"), "{\"schema\":\"2.0\",\"header\":{");

        assertThat(ToolRun.of("try").status()).isEqualTo(2);
        assertThat(ToolRun.of("try", "--event").err()).contains("--event needs a value");
        assertThat(ToolRun.of("try", "--event", dir.resolve("array.json").toString()).err()).contains("is not a JSON object");
        assertThat(ToolRun.of("try", "--event", dir.resolve("cut.json").toString()).err()).contains("is not JSON");
        assertThat(ToolRun.of("try", "--event", dir.resolve("none.json").toString()).err()).contains("cannot read it");
        assertThat(ToolRun.of("try", "--request", "POST", "api/v1/x").err()).contains("starting with /");
        assertThat(ToolRun.of("try", "--event", ECO_EVENT, "--timeout", "-5").err()).contains("--timeout takes whole seconds");
        assertThat(ToolRun.of("try", "--event", ECO_EVENT, "--routes", dir.resolve("none").toString()).status()).isEqualTo(2);
    }
}

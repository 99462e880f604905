package dev.hrbridge.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hr-bridge validate}: a route repository's CI finds a broken route, with file and line, before it ships. */
class ValidateCommandTest {

    private static final String BROKEN = "src/test/resources/validate/broken";
    private static final String GOOD = "src/test/resources/validate/good";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShippedRoutesValidateClean() {
        ToolRun run = ToolRun.of("validate");

        assertThat(run.out()).isEqualTo("OK: the packaged routes, no problem found\n");
        assertThat(run.status()).isZero();
    }

    @Test
    void eachKindOfMistakeIsFoundInItsFileAndLine() throws Exception {
        ToolRun run = ToolRun.of("validate", "--json", BROKEN);

        assertThat(run.status()).isEqualTo(1);
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("valid").asBoolean(true)).isFalse();
        List<String> found = new ArrayList<>();
        for (JsonNode problem : report.path("problems")) {
            found.add(Path.of(problem.path("file").asText()).getFileName() + ":" + problem.path("line").asInt() + " "
                    + problem.path("kind").asText());
            assertThat(problem.path("message").asText()).isNotBlank();
        }
        assertThat(found).containsExactly(
                "beans.camel.yaml:6 unknown_bean",
                "beans.camel.yaml:8 unknown_bean_method",
                "beans.camel.yaml:11 unknown_bean",
                "duplicates-a.camel.yaml:7 duplicate_route_id",
                "duplicates-b.camel.yaml:1 duplicate_route_id",
                "endpoints.camel.yaml:6 unknown_scheme",
                "endpoints.camel.yaml:7 invalid_endpoint_option",
                "endpoints.camel.yaml:11 unresolved_property",
                "kamelets.camel.yaml:6 unknown_kamelet_parameter",
                "kamelets.camel.yaml:6 missing_kamelet_parameter",
                "kamelets.camel.yaml:11 unknown_kamelet",
                "route-configuration.camel.yaml:1 unknown_route_configuration",
                "unconsumed-direct.camel.yaml:6 unconsumed_direct",
                "unknown-eip.camel.yaml:7 unknown_eip",
                "unknown-option.camel.yaml:7 unknown_option",
                "yaml-error.camel.yaml:6 yaml");
        assertThat(report.path("files")).hasSize(11);
    }

    @Test
    void theTextFormIsFileLineMessageAsCompilersWriteIt() {
        ToolRun run = ToolRun.of("validate", BROKEN + "/beans.camel.yaml", BROKEN + "/kamelets.camel.yaml",
                BROKEN + "/fixture-action.kamelet.yaml");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                BROKEN + "/beans.camel.yaml:6: no bean named 'apiTokenChek' (did you mean 'apiTokenCheck'?)",
                BROKEN + "/beans.camel.yaml:8: bean 'ecoAccountBinding' (EcoAccountBinding) has no method 'bnd' (did you mean 'bind'?)",
                BROKEN + "/beans.camel.yaml:11: no bean named 'evntHandlers' (did you mean 'eventHandlers'?)",
                BROKEN + "/kamelets.camel.yaml:6: Kamelet 'fixture-action' has no parameter 'pth' (its parameters: api, path, method)",
                BROKEN + "/kamelets.camel.yaml:6: Kamelet 'fixture-action' needs parameter 'path'",
                BROKEN + "/kamelets.camel.yaml:11: no Kamelet named 'no-such-kamelet'",
                "6 problem(s) in 3 file(s) with the packaged routes");
    }

    @Test
    void aFileReplacingAPackagedRouteAndAKameletCalledWithItsParametersAreFine() {
        ToolRun run = ToolRun.of("validate", GOOD);

        assertThat(run.out()).isEqualTo("OK: 3 file(s) with the packaged routes, no problem found\n");
        assertThat(run.status()).isZero();
    }

    @Test
    void aKameletNotGivenIsUnknownToTheRoutesCallingIt() {
        ToolRun run = ToolRun.of("validate", GOOD + "/greeting.camel.yaml");

        assertThat(run.out()).startsWith(GOOD + "/greeting.camel.yaml:8: no Kamelet named 'fixture-action'");
        assertThat(run.status()).isEqualTo(1);
    }

    @Test
    void aRouteSendingToAReplacedConsumerThatIsGoneIsFoundInThePackagedFile() throws Exception {
        // the packaged eco-account-created sends to direct:eco-account-push; a file that takes that id away breaks it
        Files.writeString(dir.resolve("push.camel.yaml"), """
                - route:
                    id: eco-account-push
                    from:
                      uri: direct:eco-account-pushed
                      steps:
                        - log: "renamed the endpoint"
                """);

        ToolRun run = ToolRun.of("validate", dir.toString());

        assertThat(run.out()).contains("classpath:routes/eco-account-binding.camel.yaml:28: nothing consumes "
                + "'direct:eco-account-push'");
        assertThat(run.status()).isEqualTo(1);
    }

    @Test
    void hostileFilesAreProblemsNeverACrash() throws Exception {
        Files.write(dir.resolve("binary.camel.yaml"), new byte[]{0, (byte) 0xff, (byte) 0xfe, 7, '-', ':', '['});
        Files.writeString(dir.resolve("empty.camel.yaml"), "");
        Files.writeString(dir.resolve("scalar.camel.yaml"), "just words");
        Files.writeString(dir.resolve("deep.camel.yaml"), "[".repeat(50_000) + "]".repeat(50_000));
        Files.writeString(dir.resolve("huge.camel.yaml"), "# " + "x".repeat(5 * 1024 * 1024) + "\n");
        Files.writeString(dir.resolve("long-id.camel.yaml"), "- route:\n    id: " + "x".repeat(100_000)
                + "\n    from:\n      uri: direct:long\n      steps:\n        - to: direct:" + "y".repeat(10_000) + "\n");

        ToolRun run = ToolRun.of("validate", "--json", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        JsonNode report = JSON.readTree(run.out());
        List<String> files = new ArrayList<>();
        report.path("problems").forEach(problem -> files.add(Path.of(problem.path("file").asText()).getFileName().toString()));
        // an empty file is refused by Camel's loader as well; a lone scalar holds no route and loads as nothing
        assertThat(files).contains("binary.camel.yaml", "empty.camel.yaml", "deep.camel.yaml", "huge.camel.yaml",
                        "long-id.camel.yaml")
                .doesNotContain("scalar.camel.yaml");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aPathThatDoesNotExistOrAnUnknownOptionIsAUsageError() {
        ToolRun missing = ToolRun.of("validate", "no/such/dir");
        ToolRun option = ToolRun.of("validate", "--strict");

        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no/such/dir: no such file or directory");
        assertThat(option.status()).isEqualTo(2);
        assertThat(option.err()).contains("unknown option '--strict'").contains("usage: hr-bridge validate");
        assertThat(missing.out()).isEmpty();
    }

    @Test
    void anEmptyDirectoryLeavesThePackagedRoutes() {
        ToolRun run = ToolRun.of("validate", dir.toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("OK: the packaged routes, no problem found\n");
    }
}

package dev.hrbridge.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The tools as a route repository's CI runs them: {@code bin/hr-bridge validate|try} on the packaged jar. */
class RouteToolsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void validateFindsTheBrokenRoutesAndPassesTheShippedOnes() throws Exception {
        Result broken = launch("validate", Path.of("src/test/resources/validate/broken").toAbsolutePath().toString());
        Result shipped = launch("validate");

        assertThat(broken.status()).isEqualTo(1);
        assertThat(broken.out()).contains("/beans.camel.yaml:6: no bean named 'apiTokenChek' (did you mean 'apiTokenCheck'?)")
                .contains("/yaml-error.camel.yaml:6: ").endsWith("16 problem(s) in 11 file(s) with the packaged routes\n");
        assertThat(shipped.status()).isZero();
        assertThat(shipped.out()).isEqualTo("OK: the packaged routes, no problem found\n");
        // the runtime's log goes to standard error, and holds nothing a configured start would not
        assertThat(shipped.err()).doesNotContain("ERROR");
    }

    @Test
    void tryRunsARevokeRequestAndPrintsJson() throws Exception {
        Result run = launch("try", "--json", "--request", "POST", "/api/v1/offboardings/revoke", "--body",
                Path.of("src/test/resources/fixtures/request-offboarding-revoke.json").toAbsolutePath().toString());

        assertThat(run.status()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("delivery").path("status").asInt()).isEqualTo(202);
        JsonNode call = report.path("runs").get(1).path("calls").get(0);
        assertThat(call.path("url").asText()).endsWith("/open-apis/corehr/v2/offboardings/revoke?user_id_type=people_corehr_id");
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(report.path("messages").get(0).path("outcome").asText()).isEqualTo("revoked");
    }

    private record Result(int status, String out, String err) {
    }

    /** {@code bin/hr-bridge args...} in a scratch directory, with none of HR Bridge's variables from this shell. */
    private Result launch(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JarProcess.launcher().toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HRB_") || k.startsWith("FEISHU_")
                || k.startsWith("IOT_") || k.startsWith("QR_") || k.startsWith("CAMEL_"));
        builder.environment().put("HRB_JAR", JarProcess.jar().toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/hr-bridge " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}

package dev.hrbridge.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hrbridge.ConfiguredContext;
import dev.hrbridge.HrBridge;
import dev.hrbridge.routes.RouteFiles;
import dev.hrbridge.routes.RouteProblem;
import dev.hrbridge.routes.RouteValidator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code validate [--json] [DIR|FILE...]}: checks route files (every {@code *.camel.yaml} and {@code *.kamelet.yaml} of
 * a directory, or the files named) together with the packaged routes and Kamelets, against the beans and routes HR
 * Bridge really configures, without starting it. Exit status 0 when nothing is wrong, 1 with the problems listed, 2
 * when it cannot run (a path that does not exist, an unknown option).
 */
final class ValidateCommand {

    static final String USAGE = """
            usage: hr-bridge validate [--json] [DIR|FILE...]
              checks the given route files (a directory: its *.camel.yaml and *.kamelet.yaml) with the packaged
              routes; without arguments, the packaged routes alone""";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ValidateCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<Path> paths = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.startsWith("--")) {
                err.println("validate: unknown option '" + arg + "'");
                err.println(USAGE);
                return 2;
            } else {
                Path path = Path.of(arg);
                if (!Files.exists(path)) {
                    err.println("validate: " + arg + ": no such file or directory");
                    return 2;
                }
                paths.add(path);
            }
        }
        RouteFiles files;
        try {
            files = RouteFiles.of(paths);
        } catch (IOException e) {
            err.println("validate: cannot list " + e.getMessage());
            return 2;
        }
        List<RouteProblem> problems;
        try (ConfiguredContext platform = HrBridge.configureOnly(Map.of())) {
            problems = new RouteValidator(platform.context(), true).validate(files.routes(), files.kamelets());
        } catch (Exception e) {
            err.println("validate: HR Bridge's own configuration cannot be built: " + e.getMessage());
            return 2;
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("valid", problems.isEmpty());
            report.put("files", files.all().stream().map(path -> path.normalize().toString()).toList());
            report.put("problems", problems.stream().map(RouteProblem::asJson).toList());
            try {
                out.println(JSON.writeValueAsString(report));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            problems.forEach(problem -> out.println(problem.describe()));
            int checked = files.all().size();
            String what = checked == 0 ? "the packaged routes" : checked + " file(s) with the packaged routes";
            out.println(problems.isEmpty() ? "OK: " + what + ", no problem found"
                    : problems.size() + " problem(s) in " + what);
        }
        return problems.isEmpty() ? 0 : 1;
    }
}

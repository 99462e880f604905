package dev.hrbridge.sandbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator is a separate world: production code does not know its classes, and it judges HR Bridge's calls
 * with its own reading of the platforms' documents, never with the client's code (which would agree by construction).
 */
class SandboxIsolationTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/hrbridge");
    private static final Path SANDBOX = SOURCES.resolve("sandbox");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.hrbridge\\.[\\w.]+);", Pattern.MULTILINE);

    @Test
    void noProductionClassNamesTheSandbox() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<Path> naming = files.filter(file -> file.toString().endsWith(".java") && !file.startsWith(SANDBOX))
                    .filter(file -> read(file).contains("dev.hrbridge.sandbox")).toList();
            assertThat(naming).isEmpty();
        }
    }

    @Test
    void theSimulatorUsesNoClassOfHrBridgeButTheHookThatStartsIt() throws IOException {
        try (Stream<Path> files = Files.list(SANDBOX)) {
            List<String> imports = files.flatMap(file -> {
                Matcher matcher = IMPORT.matcher(read(file));
                return matcher.results().map(match -> file.getFileName() + ": " + match.group(1));
            }).filter(use -> !use.contains(": dev.hrbridge.sandbox.")).toList();
            assertThat(imports).isSubsetOf("Sandbox.java: dev.hrbridge.config.SimulatedPlatforms",
                    "Sandbox.java: dev.hrbridge.config.Settings");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

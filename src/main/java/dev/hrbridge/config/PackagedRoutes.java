package dev.hrbridge.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Expands {@code classpath:} wildcards of {@code camel.main.routesIncludePattern} into the list of route files.
 * Camel resolves a wildcard by reading every entry of the runnable jar (tens of megabytes, twice at start); the
 * jar's own directory answers the same question in milliseconds. Patterns without a wildcard, or not on the
 * classpath, are left to Camel.
 */
public final class PackagedRoutes {

    private PackagedRoutes() {
    }

    /** {@code patterns} (comma-separated) with each {@code classpath:dir/*.ext} replaced by the files it matches. */
    public static String expand(String patterns, Class<?> anchor) {
        List<String> expanded = new ArrayList<>();
        for (String pattern : patterns.split(",")) {
            String trimmed = pattern.trim();
            List<String> files = trimmed.startsWith("classpath:") && trimmed.contains("*")
                    ? matches(trimmed.substring("classpath:".length()), anchor) : List.of();
            if (files.isEmpty()) {
                expanded.add(trimmed);
            } else {
                files.forEach(file -> expanded.add("classpath:" + file));
            }
        }
        return String.join(",", expanded);
    }

    /** The classpath entries below {@code anchor}'s code source matching {@code glob}; empty when unsure. */
    private static List<String> matches(String glob, Class<?> anchor) {
        try {
            Path source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                return list(source, glob);
            }
            try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + source.toUri()), Map.of())) {
                return list(jar.getPath("/"), glob);
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return List.of();
        }
    }

    private static List<String> list(Path root, String glob) throws IOException {
        PathMatcher matcher = root.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> root.relativize(file).toString().replace('\\', '/'))
                    .filter(name -> matcher.matches(root.getFileSystem().getPath(name)))
                    .sorted()
                    .toList();
        }
    }
}

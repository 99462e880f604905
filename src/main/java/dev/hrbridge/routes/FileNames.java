package dev.hrbridge.routes;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How a problem names its file: as the user gave it (a relative path stays relative), another operator file by its
 * path, a packaged route by its {@code classpath:} location. Route definitions know only their resource location
 * ({@code file:/abs/path}).
 */
final class FileNames {

    private final Map<String, String> byLocation = new HashMap<>();

    /** {@code file}'s name in problems; registers it for {@link #ofLocation}. */
    String of(Path file) {
        String shown = file.normalize().toString();
        byLocation.put(location(file), shown);
        return shown;
    }

    /** The resource location the validator gives {@code file} when it parses it. */
    static String location(Path file) {
        return "file:" + file.toAbsolutePath().normalize();
    }

    String ofLocation(String location) {
        if (location == null) {
            return "(Java route)";
        }
        String shown = byLocation.get(location);
        if (shown != null) {
            return shown;
        }
        return location.startsWith("file:") ? location.substring("file:".length()) : location;
    }
}

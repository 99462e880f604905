package dev.hrbridge.routes;

import dev.hrbridge.config.PackagedRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Kamelets a route may call ({@code kamelet:<name>?<parameter>=...}): every {@code kamelets/*.kamelet.yaml} on the
 * classpath, where the kamelet component looks by default, and the {@code *.kamelet.yaml} files given beside route
 * files. Of each, what its {@code spec.definition} declares: the parameters, which are required, which have a default.
 */
final class Kamelets {

    static final String SUFFIX = ".kamelet.yaml";
    private static final String PACKAGED = "classpath:kamelets/*" + SUFFIX;

    /** One Kamelet's declared parameters; {@code file} is where it was read. */
    record Kamelet(String name, String file, Map<String, Boolean> parametersWithDefault, List<String> required) {

        Set<String> parameters() {
            return parametersWithDefault.keySet();
        }

        boolean hasDefault(String parameter) {
            return parametersWithDefault.getOrDefault(parameter, false);
        }
    }

    private final Map<String, Kamelet> byName = new LinkedHashMap<>();
    private final List<RouteProblem> problems = new ArrayList<>();

    /** The packaged Kamelets, then {@code files} (a given file replaces a packaged Kamelet of its name). */
    Kamelets(CamelContext context, List<Path> files, FileNames names) {
        for (String location : packaged()) {
            try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, location)) {
                read(location, new String(in.readAllBytes(), StandardCharsets.UTF_8), location);
            } catch (IOException e) {
                problems.add(new RouteProblem(location, 0, RouteProblem.Kind.UNREADABLE_FILE, "cannot read: " + e.getMessage()));
            }
        }
        for (Path file : files) {
            try {
                read(names.of(file), Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
            } catch (IOException e) {
                problems.add(new RouteProblem(names.of(file), 0, RouteProblem.Kind.UNREADABLE_FILE, "cannot read: " + e.getMessage()));
            }
        }
    }

    private static List<String> packaged() {
        String expanded = PackagedRoutes.expand(PACKAGED, Kamelets.class);
        return expanded.equals(PACKAGED) ? List.of() : List.of(expanded.split(","));
    }

    Optional<Kamelet> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Set<String> names() {
        return byName.keySet();
    }

    /** What could not be read: such a Kamelet is unknown to the routes that call it. */
    List<RouteProblem> problems() {
        return problems;
    }

    private void read(String file, String yaml, String fileName) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(file).build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            problems.add(YamlProblems.of(file, e));
            return;
        }
        Map<?, ?> kamelet = document instanceof Map<?, ?> map ? map : Map.of();
        Map<?, ?> metadata = child(kamelet, "metadata");
        Map<?, ?> definition = child(child(kamelet, "spec"), "definition");
        Object declaredName = metadata.get("name");
        String name = declaredName != null ? declaredName.toString()
                : fileName.substring(0, fileName.length() - Math.min(fileName.length(), SUFFIX.length()));
        if (!"Kamelet".equals(kamelet.get("kind"))) {
            problems.add(new RouteProblem(file, 1, RouteProblem.Kind.YAML, "not a Kamelet: kind must be Kamelet"));
            return;
        }
        Map<String, Boolean> parameters = new LinkedHashMap<>();
        child(definition, "properties").forEach((parameter, spec) ->
                parameters.put(parameter.toString(), spec instanceof Map<?, ?> s && s.get("default") != null));
        Set<String> required = new LinkedHashSet<>();
        if (definition.get("required") instanceof List<?> list) {
            list.forEach(parameter -> required.add(String.valueOf(parameter)));
        }
        byName.put(name, new Kamelet(name, file, parameters, List.copyOf(required)));
    }

    private static Map<?, ?> child(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> map ? map : Map.of();
    }
}

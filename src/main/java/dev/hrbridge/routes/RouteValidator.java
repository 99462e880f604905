package dev.hrbridge.routes;

import dev.hrbridge.config.PlatformRouteBuilder;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.KameletDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.TryDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PatternHelper;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.tooling.model.BaseOptionModel;
import org.apache.camel.tooling.model.ComponentModel;
import org.apache.camel.util.URISupport;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds what would break a route file before it runs, with file and line: YAML the DSL cannot read, unknown EIPs and
 * options, endpoints of no component or with options the component does not have, properties nobody set, beans, bean
 * methods, route configurations and Kamelets (or their parameters) that do not exist, a route id used twice, and
 * {@code direct:} endpoints that no route consumes.
 * <p>
 * It checks the files against a {@code platform}: a Camel context holding the routes, route configurations and beans of
 * HR Bridge, either running (a reload of the route directory) or configured without being started ({@code validate}).
 * A given file may replace a packaged YAML flow by using its id; that is how packaged flows are changed, not a duplicate.
 * A platform route (Java, group {@value PlatformRouteBuilder#GROUP}) is never replaced from a file.
 * Two given files, or one file, with one id are. The files are parsed on the side: nothing is added to the platform.
 */
public final class RouteValidator {

    private static final Pattern SIMPLE_BEAN = Pattern.compile("\\$\\{bean:([\\w-]+)");
    private static final Pattern PROPERTY_KEY = Pattern.compile("\\[([^\\]]+)]");
    /** Far above any route file; a larger one is refused before it is read into memory. */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final CamelContext platform;
    private final boolean checkPlatformRoutes;
    private final DefaultRuntimeCamelCatalog catalog = new DefaultRuntimeCamelCatalog();

    /**
     * A validator against {@code platform}. With {@code checkPlatformRoutes} the platform's own routes are checked as
     * thoroughly as the given files ({@code validate}); otherwise only where the given files change what they rely on
     * (a reload, whose platform ran already).
     */
    public RouteValidator(CamelContext platform, boolean checkPlatformRoutes) {
        this.platform = platform;
        this.checkPlatformRoutes = checkPlatformRoutes;
        catalog.setCamelContext(platform);
        catalog.setSuggestionStrategy((names, unknown) ->
                names.stream().filter(name -> distance(name, unknown) <= 2).toArray(String[]::new));
        catalog.start();
    }

    /** The problems of {@code routeFiles}, with the Kamelets of {@code kameletFiles} callable beside the packaged ones. */
    public List<RouteProblem> validate(List<Path> routeFiles, List<Path> kameletFiles) {
        FileNames names = new FileNames();
        Check check = new Check(names, new Kamelets(platform, kameletFiles, names));
        check.problems.addAll(check.kamelets.problems());
        Set<String> givenLocations = new LinkedHashSet<>();
        List<RouteDefinition> given = new ArrayList<>();
        List<RouteConfigurationDefinition> givenConfigurations = new ArrayList<>();
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        try {
            scratch.setSourceLocationEnabled(true);
            scratch.build();
            for (Path file : routeFiles) {
                givenLocations.add(FileNames.location(file));
                parse(file, names, scratch, given, givenConfigurations, check.problems);
            }
        } finally {
            scratch.stop();
        }

        Model model = platform.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> platformRoutes = model.getRouteDefinitions().stream()
                .filter(route -> !givenLocations.contains(location(route.getResource()))).toList();
        List<RouteDefinition> effective = effectiveRoutes(platformRoutes, given, check);
        Set<String> configurationIds = new TreeSet<>();
        model.getRouteConfigurationDefinitions().stream()
                .filter(configuration -> !givenLocations.contains(location(configuration.getResource())))
                .forEach(configuration -> {
                    configurationIds.add(configuration.getId());
                    if (checkPlatformRoutes) {
                        check.configuration(configuration);
                    }
                });
        givenConfigurations.forEach(configuration -> {
            configurationIds.add(configuration.getId());
            check.configuration(configuration);
        });
        Set<RouteDefinition> givenRoutes = Collections.newSetFromMap(new IdentityHashMap<>());
        givenRoutes.addAll(given);
        for (RouteDefinition route : effective) {
            check.route(route, configurationIds, checkPlatformRoutes || givenRoutes.contains(route));
        }
        check.unconsumedDirects();
        return check.problems.stream().distinct().sorted(RouteProblem.BY_PLACE).toList();
    }

    /** Reads {@code file}'s routes and route configurations into the lists, or its YAML problem into {@code problems}. */
    private static void parse(Path file, FileNames names, DefaultCamelContext scratch, List<RouteDefinition> routes,
                              List<RouteConfigurationDefinition> configurations, List<RouteProblem> problems) {
        String shown = names.of(file);
        String yaml;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                problems.add(new RouteProblem(shown, 0, RouteProblem.Kind.UNREADABLE_FILE,
                        "larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB: not a route file"));
                return;
            }
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(new RouteProblem(shown, 0, RouteProblem.Kind.UNREADABLE_FILE, "cannot read: " + e));
            return;
        }
        Resource resource = ResourceHelper.fromString(FileNames.location(file), yaml);
        Model scratchModel = scratch.getCamelContextExtension().getContextPlugin(Model.class);
        try {
            List<RouteDefinition> read = new ArrayList<>();
            List<RouteConfigurationDefinition> readConfigurations = new ArrayList<>();
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(resource)) {
                if (builder instanceof RouteBuilder routeBuilder) {
                    read.addAll(routeBuilder.configureRoutes(scratch).getRoutes());
                }
                if (builder instanceof RouteConfigurationBuilder configurationBuilder) {
                    List<RouteConfigurationDefinition> before = new ArrayList<>(scratchModel.getRouteConfigurationDefinitions());
                    configurationBuilder.addRouteConfigurationsToCamelContext(scratch);
                    scratchModel.getRouteConfigurationDefinitions().stream()
                            .filter(definition -> before.stream().noneMatch(old -> old == definition))
                            .forEach(readConfigurations::add);
                }
            }
            routes.addAll(read);
            configurations.addAll(readConfigurations);
        } catch (Exception e) {
            problems.add(YamlProblems.of(shown, e));
        } catch (StackOverflowError e) {
            // the YAML parser descends once per nesting level; a file of thousands of [ is no route
            problems.add(new RouteProblem(shown, 0, RouteProblem.Kind.YAML, "nested too deeply to read"));
        }
    }

    /**
     * The routes that would run: the platform's, less those a given file replaces, and the given ones. A given route
     * may take a packaged route's id; an id given twice, or one that another operator file uses already, is a problem.
     */
    private static List<RouteDefinition> effectiveRoutes(List<RouteDefinition> platformRoutes, List<RouteDefinition> given,
                                                         Check check) {
        Map<String, RouteDefinition> givenById = new LinkedHashMap<>();
        List<RouteDefinition> effective = new ArrayList<>();
        for (RouteDefinition route : given) {
            String id = route.getRouteId();
            RouteDefinition first = id == null ? null : givenById.putIfAbsent(id, route);
            if (first != null) {
                check.problem(route, route.getLineNumber(), RouteProblem.Kind.DUPLICATE_ROUTE_ID,
                        "route id '" + id + "' is used twice: first at " + check.place(first, first.getLineNumber()));
            } else {
                effective.add(route);
            }
        }
        for (RouteDefinition route : platformRoutes) {
            RouteDefinition replacement = route.getRouteId() == null ? null : givenById.get(route.getRouteId());
            if (replacement == null) {
                effective.add(route);
            } else if (PlatformRouteBuilder.GROUP.equals(route.getGroup())) {
                check.problem(replacement, replacement.getLineNumber(), RouteProblem.Kind.PLATFORM_ROUTE,
                        "route id '" + route.getRouteId() + "' is HR Bridge's own platform route (Java, not replaced from a file);"
                                + " give the route another id");
                effective.add(route);
            } else if (!packaged(route)) {
                check.problem(replacement, replacement.getLineNumber(), RouteProblem.Kind.DUPLICATE_ROUTE_ID,
                        "route id '" + route.getRouteId() + "' is used twice: also at " + check.place(route, route.getLineNumber()));
            }
        }
        return effective;
    }

    /** Routes HR Bridge ships (YAML flows in the jar): a given file may replace them. */
    private static boolean packaged(RouteDefinition route) {
        String location = location(route.getResource());
        return location == null || location.startsWith("classpath:");
    }

    private static String location(Resource resource) {
        return resource == null ? null : resource.getLocation();
    }

    /** One run of the checks: the problems found and what the direct: check collects on the way. */
    private final class Check {
        final FileNames names;
        final Kamelets kamelets;
        final List<RouteProblem> problems = new ArrayList<>();
        final Set<String> directConsumers = new TreeSet<>();
        final List<DirectCall> directCalls = new ArrayList<>();
        private ComponentModel kameletComponent;

        Check(FileNames names, Kamelets kamelets) {
            this.names = names;
            this.kamelets = kamelets;
        }

        record DirectCall(String file, int line, String name) {
        }

        void problem(RouteDefinition route, int line, RouteProblem.Kind kind, String message) {
            problems.add(new RouteProblem(file(route), line, kind, message));
        }

        String file(RouteDefinition route) {
            return names.ofLocation(location(route.getResource()));
        }

        String place(RouteDefinition route, int line) {
            return file(route) + (line > 0 ? ":" + line : "");
        }

        void route(RouteDefinition route, Set<String> configurationIds, boolean thoroughly) {
            String file = file(route);
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            int fromLine = route.getInput() == null ? route.getLineNumber() : line(route.getInput().getLineNumber(), route);
            String resolvedFrom = from == null ? null : resolve(from, file, fromLine, thoroughly);
            if (resolvedFrom != null && "direct".equals(schemeOf(resolvedFrom))) {
                directConsumers.add(directName(resolvedFrom));
            }
            List<ProcessorDefinition<?>> nodes = nodes(route.getOutputs());
            for (ProcessorDefinition<?> node : nodes) {
                if (node instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
                    String uri = resolve(send.getEndpointUri(), file, line(node.getLineNumber(), route), false);
                    if (uri != null && "direct".equals(schemeOf(uri))) {
                        directCalls.add(new DirectCall(file, line(node.getLineNumber(), route), directName(uri)));
                    }
                }
            }
            if (!thoroughly) {
                return;
            }
            if (route.getRouteConfigurationId() != null) {
                for (String id : route.getRouteConfigurationId().split(",")) {
                    String wanted = id.trim();
                    if (!wanted.isEmpty() && configurationIds.stream().noneMatch(known -> PatternHelper.matchPattern(known, wanted))) {
                        problem(route, route.getLineNumber(), RouteProblem.Kind.UNKNOWN_ROUTE_CONFIGURATION,
                                "route '" + route.getRouteId() + "' names route configuration '" + wanted
                                        + "', which does not exist (known: " + String.join(", ", configurationIds) + ")");
                    }
                }
            }
            if (resolvedFrom != null) {
                endpoint(resolvedFrom, file, fromLine, true);
            }
            for (ProcessorDefinition<?> node : nodes) {
                node(node, file, line(node.getLineNumber(), route));
            }
        }

        void configuration(RouteConfigurationDefinition configuration) {
            String file = names.ofLocation(location(configuration.getResource()));
            for (OnExceptionDefinition onException : configuration.getOnExceptions()) {
                int line = Math.max(onException.getLineNumber(), 0);
                if (onException.getRedeliveryPolicyRef() != null) {
                    bean(onException.getRedeliveryPolicyRef(), null, file, line);
                }
                nodes(onException.getOutputs()).forEach(node -> node(node, file, Math.max(node.getLineNumber(), line)));
            }
        }

        private void node(ProcessorDefinition<?> node, String file, int line) {
            if (node instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
                String uri = resolve(send.getEndpointUri(), file, line, true);
                if (uri != null) {
                    endpoint(uri, file, line, false);
                }
            } else if (node instanceof ToDynamicDefinition dynamic && dynamic.getUri() != null) {
                String uri = resolve(dynamic.getUri(), file, line, true);
                String fixed = uri == null ? null : uri.split("\\$\\{", 2)[0];
                if (fixed != null && fixed.contains(":")) {
                    scheme(fixed, file, line);
                }
            } else if (node instanceof ProcessDefinition process && process.getRef() != null) {
                bean(process.getRef(), null, file, line);
            } else if (node instanceof BeanDefinition bean && bean.getRef() != null) {
                bean(bean.getRef(), bean.getMethod(), file, line);
            } else if (node instanceof KameletDefinition kamelet && kamelet.getName() != null) {
                kamelet("kamelet:" + kamelet.getName(), file, line);
            } else if (node instanceof OnExceptionDefinition onException && onException.getRedeliveryPolicyRef() != null) {
                bean(onException.getRedeliveryPolicyRef(), null, file, line);
            }
            if (node instanceof ExpressionNode expressionNode && expressionNode.getExpression() != null) {
                expression(expressionNode.getExpression(), file, line);
            }
        }

        private void expression(ExpressionDefinition expression, String file, int line) {
            if (expression instanceof MethodCallExpression method && method.getRef() != null) {
                bean(method.getRef(), method.getMethod(), file, line);
            }
            if (expression.getExpression() != null) {
                Matcher bean = SIMPLE_BEAN.matcher(expression.getExpression());
                while (bean.find()) {
                    bean(bean.group(1), null, file, line);
                }
            }
        }

        /** {@code uri} with its {@code {{property}}} placeholders resolved; null (and a problem, if told) when one is unset. */
        private String resolve(String uri, String file, int line, boolean report) {
            try {
                return platform.resolvePropertyPlaceholders(uri);
            } catch (RuntimeException e) {
                if (report) {
                    Matcher key = PROPERTY_KEY.matcher(String.valueOf(e.getMessage()));
                    problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNRESOLVED_PROPERTY, "property "
                            + (key.find() ? "'" + key.group(1) + "'" : "placeholder") + " in '" + uri + "' is not set"));
                }
                return null;
            }
        }

        private void endpoint(String uri, String file, int line, boolean consumer) {
            String scheme = scheme(uri, file, line);
            if (scheme == null) {
                return;
            }
            if ("kamelet".equals(scheme)) {
                kamelet(uri, file, line);
                return;
            }
            if ("bean".equals(scheme)) {
                String rest = uri.substring("bean:".length());
                String name = rest.split("\\?", 2)[0];
                Map<String, Object> query = query(uri);
                bean(name, query.get("method") == null ? null : query.get("method").toString(), file, line);
            }
            query(uri).forEach((option, value) -> {
                if (value instanceof String text && text.startsWith("#") && !text.startsWith("#class:")
                        && !text.startsWith("#type:")) {
                    bean(text.startsWith("#bean:") ? text.substring(6) : text.substring(1), null, file, line);
                }
            });
            if (catalog.componentJSonSchema(scheme) == null) {
                return; // a component without metadata (ours): its options are checked when it starts
            }
            EndpointValidationResult result = catalog.validateEndpointProperties(uri, true, consumer, !consumer);
            if (!result.isSuccess()) {
                problems.add(new RouteProblem(file, line, RouteProblem.Kind.INVALID_ENDPOINT_OPTION,
                        "endpoint '" + URISupport.sanitizeUri(uri) + "': " + summary(result)));
            }
        }

        /** The component name of {@code uri}, or null with a problem when no component of that name exists. */
        private String scheme(String uri, String file, int line) {
            String scheme = schemeOf(uri);
            if (scheme == null) {
                problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_SCHEME,
                        "'" + uri + "' is not an endpoint URI (scheme:path)"));
                return null;
            }
            if ("kamelet".equals(scheme) || componentExists(scheme)) {
                return scheme;
            }
            problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_SCHEME,
                    "unknown endpoint scheme '" + scheme + "' in '" + URISupport.sanitizeUri(uri)
                            + "': HR Bridge has no such component"));
            return null;
        }

        private boolean componentExists(String scheme) {
            if (platform.hasComponent(scheme) != null) {
                return true;
            }
            try {
                return PluginHelper.getComponentResolver(platform).resolveComponent(scheme, platform) != null;
            } catch (Exception e) {
                return false;
            }
        }

        private void bean(String name, String method, String file, int line) {
            Object bean = platform.getRegistry().lookupByName(name);
            if (bean == null) {
                problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_BEAN,
                        "no bean named '" + name + "'" + similar(name, beanNames())));
                return;
            }
            if (method == null || method.isBlank()) {
                return;
            }
            String methodName = method.split("\\(", 2)[0].trim();
            Set<String> methods = Arrays.stream(bean.getClass().getMethods()).map(Method::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!methods.contains(methodName)) {
                problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_BEAN_METHOD,
                        "bean '" + name + "' (" + bean.getClass().getSimpleName() + ") has no method '" + methodName + "'"
                                + similar(methodName, methods)));
            }
        }

        private Set<String> beanNames() {
            return new TreeSet<>(platform.getRegistry().findByTypeWithName(Object.class).keySet());
        }

        private void kamelet(String uri, String file, int line) {
            String path = uri.substring("kamelet:".length()).split("\\?", 2)[0];
            String name = path.split("/", 2)[0];
            if (name.equals("source") || name.equals("sink")) {
                return; // the template's own ends, inside a Kamelet
            }
            Kamelets.Kamelet kamelet = kamelets.find(name).orElse(null);
            if (kamelet == null) {
                problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_KAMELET, "no Kamelet named '" + name
                        + "'" + similar(name, kamelets.names())));
                return;
            }
            Map<String, Object> given = query(uri);
            Set<String> endpointOptions = kameletEndpointOptions();
            for (String parameter : given.keySet()) {
                if (!kamelet.parameters().contains(parameter) && !endpointOptions.contains(parameter)) {
                    problems.add(new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_KAMELET_PARAMETER,
                            "Kamelet '" + name + "' has no parameter '" + parameter + "' (its parameters: "
                                    + String.join(", ", kamelet.parameters()) + ")"));
                }
            }
            for (String parameter : kamelet.required()) {
                if (!given.containsKey(parameter) && !kamelet.hasDefault(parameter) && !configured(name, parameter)) {
                    problems.add(new RouteProblem(file, line, RouteProblem.Kind.MISSING_KAMELET_PARAMETER,
                            "Kamelet '" + name + "' needs parameter '" + parameter + "'"));
                }
            }
        }

        /** A parameter set for every use of the Kamelet in the properties ({@code camel.kamelet.<name>.<parameter>}). */
        private boolean configured(String kamelet, String parameter) {
            return platform.getPropertiesComponent().resolveProperty("camel.kamelet." + kamelet + "." + parameter).isPresent();
        }

        private Set<String> kameletEndpointOptions() {
            if (kameletComponent == null) {
                kameletComponent = catalog.componentModel("kamelet");
            }
            return kameletComponent == null ? Set.of() : kameletComponent.getEndpointOptions().stream()
                    .map(BaseOptionModel::getName).collect(Collectors.toSet());
        }

        void unconsumedDirects() {
            for (DirectCall call : directCalls) {
                if (!directConsumers.contains(call.name())) {
                    problems.add(new RouteProblem(call.file(), call.line(), RouteProblem.Kind.UNCONSUMED_DIRECT,
                            "nothing consumes 'direct:" + call.name() + "': no route has 'from: direct:" + call.name() + "'"
                                    + similar(call.name(), directConsumers)));
                }
            }
        }
    }

    /** Every step below {@code outputs}, the branches of choice and doTry included. */
    private static List<ProcessorDefinition<?>> nodes(List<ProcessorDefinition<?>> outputs) {
        Set<ProcessorDefinition<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ProcessorDefinition<?>> nodes = new ArrayList<>();
        collect(outputs, seen, nodes);
        return nodes;
    }

    private static void collect(List<?> outputs, Set<ProcessorDefinition<?>> seen, List<ProcessorDefinition<?>> nodes) {
        if (outputs == null) {
            return;
        }
        for (Object output : outputs) {
            if (!(output instanceof ProcessorDefinition<?> node) || !seen.add(node)) {
                continue;
            }
            nodes.add(node);
            if (node instanceof ChoiceDefinition choice) {
                collect(choice.getWhenClauses(), seen, nodes);
                if (choice.getOtherwise() != null) {
                    collect(List.of(choice.getOtherwise()), seen, nodes);
                }
            }
            if (node instanceof TryDefinition doTry) {
                collect(doTry.getCatchClauses(), seen, nodes);
            }
            collect(node.getOutputs(), seen, nodes);
        }
    }

    private static int line(int line, RouteDefinition route) {
        return line > 0 ? line : Math.max(route.getLineNumber(), 0);
    }

    private static String schemeOf(String uri) {
        int colon = uri.indexOf(':');
        return colon <= 0 ? null : uri.substring(0, colon);
    }

    private static String directName(String uri) {
        String name = uri.substring("direct:".length()).split("\\?", 2)[0];
        return name.startsWith("//") ? name.substring(2) : name;
    }

    private static Map<String, Object> query(String uri) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return Map.of();
        }
        try {
            return URISupport.parseQuery(uri.substring(question + 1), true);
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** What the catalog found wrong with an endpoint's options, in a sentence. */
    private static String summary(EndpointValidationResult result) {
        List<String> parts = new ArrayList<>();
        if (result.getSyntaxError() != null) {
            parts.add(result.getSyntaxError());
        }
        if (result.getUnknown() != null) {
            for (Object option : result.getUnknown()) {
                String[] suggestions = result.getUnknownSuggestions() == null ? null
                        : (String[]) result.getUnknownSuggestions().get(option);
                parts.add("unknown option '" + option + "'" + (suggestions == null || suggestions.length == 0 ? ""
                        : " (did you mean " + String.join(" or ", suggestions) + "?)"));
            }
        }
        if (result.getRequired() != null) {
            result.getRequired().forEach(option -> parts.add("missing required option '" + option + "'"));
        }
        addInvalid(parts, result.getInvalidBoolean(), "a boolean");
        addInvalid(parts, result.getInvalidInteger(), "an integer");
        addInvalid(parts, result.getInvalidNumber(), "a number");
        addInvalid(parts, result.getInvalidDuration(), "a duration");
        addInvalid(parts, result.getInvalidEnum(), "one of its choices");
        addInvalid(parts, result.getInvalidReference(), "a #bean reference");
        if (result.getIncapable() != null) {
            parts.add("the component cannot be used this way (" + result.getIncapable() + ")");
        }
        if (parts.isEmpty()) {
            parts.add(result.summaryErrorMessage(false));
        }
        return String.join("; ", parts);
    }

    private static void addInvalid(List<String> parts, Map<?, ?> invalid, String what) {
        if (invalid != null) {
            invalid.forEach((option, value) -> parts.add("option '" + option + "' must be " + what + ", not '" + value + "'"));
        }
    }

    /** " (did you mean x?)" when a known name is one or two edits away from {@code name}. */
    private static String similar(String name, Set<String> known) {
        return known.stream().filter(candidate -> distance(candidate, name) <= 2).findFirst()
                .map(candidate -> " (did you mean '" + candidate + "'?)").orElse("");
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

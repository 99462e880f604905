package dev.hrbridge.ops;

import dev.hrbridge.routes.RouteFiles;
import dev.hrbridge.routes.RouteProblem;
import dev.hrbridge.routes.RouteValidator;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Routes from an operator's directory ({@code hrb.routes.dir}): each {@code *.camel.yaml} there adds routes, or
 * replaces a packaged YAML flow with the same id, without a rebuild (a platform route, Java such as the webhook ingress or
 * the inbox poller, is never replaced: a file naming one is refused). With {@code hrb.routes.reload=true} a changed
 * file is loaded again while HR Bridge runs. A file is first checked by the {@link RouteValidator} that
 * {@code hr-bridge validate} runs, against the running routes and beans; what it finds refuses the file with the same
 * message {@code validate} prints, and the routes that ran before keep running. So does a file whose routes then
 * do not start.
 * Changed files are loaded once the directory has seen no change for {@link #QUIET}: an editor or a copy writes a
 * file in several steps (truncate, then one or more writes), and loading it half-written would report a mistake
 * nobody made.
 */
public class ExternalRoutes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalRoutes.class);
    private static final String SUFFIX = RouteFiles.ROUTE_SUFFIX;
    /** How long the directory must see no further change before the files changed in it are loaded. */
    static final Duration QUIET = Duration.ofMillis(300);

    private final CamelContext camelContext;
    private final Path directory;
    private final Map<Path, List<RouteProblem>> refused = new ConcurrentHashMap<>();
    private RouteValidator validator;
    private WatchService watcher;
    private Thread watchThread;

    public ExternalRoutes(CamelContext camelContext, Path directory) {
        this.camelContext = camelContext;
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** Loads every route file of the directory, in name order. */
    public void loadAll() throws IOException {
        RouteFiles.in(directory, "*" + SUFFIX).forEach(this::load);
    }

    /** Loads or reloads one file; true when its routes run now. */
    public synchronized boolean load(Path file) {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> before = new ArrayList<>(model.getRouteDefinitions());
        List<RouteProblem> problems = check(file);
        if (!problems.isEmpty()) {
            refused.put(file, problems);
            LOG.error("Route file {} was not loaded, the routes running before stay: {}", file,
                    problems.stream().map(RouteProblem::describe).collect(java.util.stream.Collectors.joining("; ")));
            return false;
        }
        refused.remove(file);
        try {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            Resource resource = ResourceHelper.fromString("file:" + file, yaml);
            RoutesLoader loader = PluginHelper.getRoutesLoader(camelContext);
            Set<String> ids = loader.updateRoutes(resource);
            LOG.info("Loaded routes {} from {}", ids, file);
            return true;
        } catch (Exception e) {
            refused.put(file, List.of(new RouteProblem(file.toString(), 0, RouteProblem.Kind.NOT_STARTED, describe(e))));
            LOG.error("Route file {} was not loaded, the routes running before stay: {}", file, describe(e));
            restore(model, before);
            return false;
        }
    }

    /** What {@code validate} finds in {@code file}, with the directory's Kamelets, against the running routes. */
    private List<RouteProblem> check(Path file) {
        if (validator == null) {
            validator = new RouteValidator(camelContext, false);
        }
        try {
            return validator.validate(List.of(file), RouteFiles.in(directory, "*.kamelet.yaml"));
        } catch (IOException e) {
            return List.of(new RouteProblem(file.toString(), 0, RouteProblem.Kind.UNREADABLE_FILE, "cannot list " + directory));
        }
    }

    /** Why the files refused at their last load were refused: validate's problems, or their routes not starting. */
    public List<RouteProblem> refused() {
        return refused.values().stream().flatMap(List::stream).toList();
    }

    /** Puts back any route that the failed update removed. */
    private void restore(Model model, List<RouteDefinition> before) {
        for (RouteDefinition definition : before) {
            if (camelContext.getRoute(definition.getRouteId()) == null) {
                try {
                    model.addRouteDefinition(definition);
                    LOG.warn("Restored route {} after the failed update", definition.getRouteId());
                } catch (Exception e) {
                    LOG.error("Could not restore route {}: {}", definition.getRouteId(), describe(e));
                }
            }
        }
    }

    /** Reloads a file whenever it is created or changed, until {@link #close()}. */
    public void watch() throws IOException {
        watcher = directory.getFileSystem().newWatchService();
        directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        watchThread = new Thread(this::watchLoop, "hrb-routes-reload");
        watchThread.setDaemon(true);
        watchThread.start();
        LOG.info("Watching {} for route changes", directory);
    }

    private void watchLoop() {
        try {
            while (true) {
                Set<Path> changed = new TreeSet<>();
                WatchKey key = watcher.take();
                while (key != null) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.context() instanceof Path name && name.toString().endsWith(SUFFIX)) {
                            changed.add(directory.resolve(name));
                        }
                    }
                    key.reset();
                    key = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
                }
                changed.stream().filter(Files::isRegularFile).forEach(this::load);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = e; cause != null && text.length() < 1500; cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(text.length() == 0 ? "" : " <- ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
        }
        if (watchThread != null) {
            watchThread.interrupt();
        }
    }
}

package dev.hrbridge.ops;

import dev.hrbridge.config.PlatformRouteBuilder;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Routes from an operator's directory ({@code hrb.routes.dir}): each {@code *.camel.yaml} there adds routes, or
 * replaces a packaged YAML route with the same id, without a rebuild. A file naming a platform route (Java, such as the
 * webhook ingress or the inbox poller) is refused whole, with a log line naming the id. With {@code hrb.routes.reload=true} a changed
 * file is loaded again while HR Bridge runs. A file that does not parse or whose routes do not start is
 * reported with its name (and the line, when the YAML parser names one); the routes that ran before keep running.
 * Changed files are loaded once the directory has seen no change for {@link #QUIET}: an editor or a copy writes a
 * file in several steps (truncate, then one or more writes), and loading it half-written would report a mistake
 * nobody made.
 */
public class ExternalRoutes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalRoutes.class);
    private static final String SUFFIX = ".camel.yaml";
    /** How long the directory must see no further change before the files changed in it are loaded. */
    static final Duration QUIET = Duration.ofMillis(300);

    private final CamelContext camelContext;
    private final Path directory;
    private WatchService watcher;
    private Thread watchThread;

    public ExternalRoutes(CamelContext camelContext, Path directory) {
        this.camelContext = camelContext;
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** Loads every route file of the directory, in name order. */
    public void loadAll() throws IOException {
        Set<Path> files = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            stream.forEach(files::add);
        }
        files.forEach(this::load);
    }

    /** Loads or reloads one file; true when its routes run now. */
    public synchronized boolean load(Path file) {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> before = new ArrayList<>(model.getRouteDefinitions());
        try {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            Resource resource = ResourceHelper.fromString("file:" + file, yaml);
            RoutesLoader loader = PluginHelper.getRoutesLoader(camelContext);
            Set<String> platform = platformRoutesNamedIn(loader, resource);
            if (!platform.isEmpty()) {
                LOG.error("Route file {} was not loaded: {} is HR Bridge's own platform route (Java, not replaced from a "
                        + "file); give the route another id. The routes running before stay", file, String.join(", ", platform));
                return false;
            }
            Set<String> ids = loader.updateRoutes(resource);
            LOG.info("Loaded routes {} from {}", ids, file);
            return true;
        } catch (Exception e) {
            LOG.error("Route file {} was not loaded, the routes running before stay: {}", file, describe(e));
            restore(model, before);
            return false;
        }
    }

    /** The ids of the file's routes that are platform routes ({@link PlatformRouteBuilder}), read without loading it. */
    private Set<String> platformRoutesNamedIn(RoutesLoader loader, Resource resource) throws Exception {
        Set<String> platform = new TreeSet<>();
        camelContext.getRoutes().stream().filter(route -> PlatformRouteBuilder.GROUP.equals(route.getGroup()))
                .forEach(route -> platform.add(route.getRouteId()));
        Set<String> named = new TreeSet<>();
        for (RoutesBuilder builder : loader.findRoutesBuilders(resource)) {
            if (builder instanceof RouteBuilder routes) {
                for (RouteDefinition route : routes.configureRoutes(camelContext).getRoutes()) {
                    if (platform.contains(route.getRouteId())) {
                        named.add(route.getRouteId());
                    }
                }
            }
        }
        return named;
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

package dev.hrbridge.routes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The route files and Kamelet files named on a command line: a directory stands for its {@code *.camel.yaml} and
 * {@code *.kamelet.yaml} (not its subdirectories, as for {@code hrb.routes.dir}); a file named {@code *.kamelet.yaml}
 * is a Kamelet, any other file a route file.
 */
public record RouteFiles(List<Path> routes, List<Path> kamelets) {

    public static final String ROUTE_SUFFIX = ".camel.yaml";

    public static RouteFiles of(List<Path> paths) throws IOException {
        List<Path> routes = new ArrayList<>();
        List<Path> kamelets = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                routes.addAll(in(path, "*" + ROUTE_SUFFIX));
                kamelets.addAll(in(path, "*" + Kamelets.SUFFIX));
            } else if (path.getFileName().toString().endsWith(Kamelets.SUFFIX)) {
                kamelets.add(path);
            } else {
                routes.add(path);
            }
        }
        return new RouteFiles(List.copyOf(routes), List.copyOf(kamelets));
    }

    /** The files of {@code directory} matching {@code glob}, in name order. */
    public static List<Path> in(Path directory, String glob) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
            stream.forEach(files::add);
        }
        return List.copyOf(files);
    }

    public List<Path> all() {
        List<Path> all = new ArrayList<>(routes);
        all.addAll(kamelets);
        return all;
    }
}

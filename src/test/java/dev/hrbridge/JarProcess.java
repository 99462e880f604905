package dev.hrbridge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HR Bridge as an operator runs it: {@code bin/hr-bridge} (which runs {@code target/hr-bridge.jar}) in its own
 * process and working directory, so tests can stop it politely (SIGTERM) or kill it (SIGKILL) and start it again.
 */
public final class JarProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int serverPort;
    private final int managementPort;

    private JarProcess(Process process, Path log, int serverPort, int managementPort) {
        this.process = process;
        this.log = log;
        this.serverPort = serverPort;
        this.managementPort = managementPort;
    }

    public static Path jar() {
        String jar = System.getProperty("hrb.jar", "target/hr-bridge.jar");
        Path path = Path.of(jar);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("run 'mvn package' first: " + path + " is missing");
        }
        return path.toAbsolutePath();
    }

    /** Starts the jar in {@code workDir} with {@code env} on top of a clean HR Bridge environment. */
    public static JarProcess start(Path workDir, Map<String, String> env, int serverPort, int managementPort)
            throws IOException {
        return start(List.of(launcher().toString()), workDir, env, serverPort, managementPort);
    }

    /** Starts the jar as {@link #start(Path, Map)} does, from a shell that first runs {@code ulimit} with {@code limits}. */
    public static JarProcess startUnderLimits(String limits, Path workDir, Map<String, String> env) throws IOException {
        return start(List.of("bash", "-c", "ulimit " + limits + " && exec \"$0\"", launcher().toString()), workDir, env,
                TestBridge.freePort(), TestBridge.freePort());
    }

    private static JarProcess start(List<String> command, Path workDir, Map<String, String> env, int serverPort,
                                    int managementPort) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve("hr-bridge-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("HRB_") || k.startsWith("FEISHU_") || k.startsWith("IOT_")
                || k.startsWith("QR_") || k.startsWith("CAMEL_"));
        environment.put("HRB_JAR", jar().toString());
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("JAVA_OPTS", "-Xmx256m");
        environment.put("CAMEL_SERVER_PORT", String.valueOf(serverPort));
        environment.put("HRB_MANAGEMENT_PORT", String.valueOf(managementPort));
        environment.putAll(env);
        return new JarProcess(builder.start(), log, serverPort, managementPort);
    }

    public static JarProcess start(Path workDir, Map<String, String> env) throws IOException {
        return start(workDir, env, TestBridge.freePort(), TestBridge.freePort());
    }

    /** The launcher operators start HR Bridge with; it runs the jar with this JVM. */
    public static Path launcher() {
        return Path.of("bin", "hr-bridge").toAbsolutePath();
    }

    /** Waits until {@code /observe/health} answers UP; returns how long that took. */
    public Duration awaitHealthy(Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("HR Bridge exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> health = get(management("/observe/health"));
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("HR Bridge not healthy within " + limit + ":\n" + output());
    }

    public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return get(HttpRequest.newBuilder(uri));
    }

    public HttpResponse<String> get(HttpRequest.Builder request) throws IOException, InterruptedException {
        return TestBridge.HTTP.send(request.timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public URI api(String path) {
        return URI.create("http://127.0.0.1:" + serverPort + path);
    }

    public URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public int serverPort() {
        return serverPort;
    }

    public Process process() {
        return process;
    }

    /** Exit code once the process ended by itself within {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("HR Bridge still running after " + limit);
        }
        return process.exitValue();
    }

    /** SIGTERM, as an operator or a container runtime stops it; waits for the graceful shutdown. */
    public int stop() throws InterruptedException {
        process.destroy();
        return awaitExit(Duration.ofSeconds(30));
    }

    /** SIGKILL: no shutdown hook, no flush, as when the machine or the container dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    public static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }
}

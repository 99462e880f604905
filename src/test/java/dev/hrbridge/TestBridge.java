package dev.hrbridge;

import dev.hrbridge.sandbox.PlatformSimulator;
import dev.hrbridge.sandbox.Sandbox;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts a real HR Bridge instance in this JVM on free ports and a database under a test folder, and offers
 * the HTTP calls the specifications make.
 */
public final class TestBridge implements AutoCloseable {

    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HrBridge bridge;
    private final int serverPort;
    private final int managementPort;

    private TestBridge(HrBridge bridge, int serverPort, int managementPort) {
        this.bridge = bridge;
        this.serverPort = serverPort;
        this.managementPort = managementPort;
    }

    /** An instance with its H2 database in {@code dataDir}, plus {@code extra} settings. */
    public static TestBridge start(Path dataDir, Map<String, String> extra) throws Exception {
        return start(dataDir, extra, () -> { });
    }

    /** As {@link #start(Path, Map)}; {@code onUnexpectedStop} stands in for the launcher's exit (code 3). */
    public static TestBridge start(Path dataDir, Map<String, String> extra, Runnable onUnexpectedStop) throws Exception {
        Map<String, String> settings = new HashMap<>();
        int server = freePort();
        int management = freePort();
        settings.put("camel.server.port", String.valueOf(server));
        settings.put("hrb.management.port", String.valueOf(management));
        settings.put("hrb.db.url", "jdbc:h2:file:" + dataDir.resolve("hrb").toAbsolutePath());
        settings.put("camel.main.jmxManagementNamePattern", "#name#-" + server);
        settings.putAll(extra);
        return new TestBridge(HrBridge.start(settings, onUnexpectedStop), server, management);
    }

    public static TestBridge start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    public HrBridge bridge() {
        return bridge;
    }

    /** The sandbox's simulator (faults, what the simulated platforms hold); sandbox mode only. */
    public PlatformSimulator simulator() {
        return ((Sandbox) bridge.sandbox()).simulator();
    }

    public URI api(String path) {
        return URI.create("http://127.0.0.1:" + serverPort + path);
    }

    public URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        bridge.close();
    }
}

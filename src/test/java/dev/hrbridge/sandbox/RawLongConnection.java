package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.ws.pb.Pbbp2;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-connection client written for the tests on the JDK's WebSocket and the frame class generated for Feishu's
 * Java SDK (not the simulator's codec), with every step under the test's control: it acknowledges only when told.
 */
final class RawLongConnection implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final WebSocket socket;
    final BlockingQueue<Pbbp2.Frame> frames;
    /** The status the connection closed with: the server's close frame, or 1006 when it ended without one. */
    final CompletableFuture<Integer> closed;
    /** A message that was no frame, or the client's own error. */
    final CompletableFuture<Throwable> failed;
    final String deviceId;
    final int serviceId;

    private RawLongConnection(WebSocket socket, Collector collector, String url) {
        this.socket = socket;
        this.frames = collector.frames;
        this.closed = collector.closed;
        this.failed = collector.failed;
        URI uri = URI.create(url);
        this.deviceId = query(uri, "device_id");
        this.serviceId = Integer.parseInt(query(uri, "service_id"));
    }

    /** {@code POST /callback/ws/endpoint} as the SDKs send it. */
    static HttpResponse<String> endpoint(PlatformSimulator simulator, String appId, String appSecret) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("AppID", appId, "AppSecret", appSecret));
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + LongConnectionSandbox.ENDPOINT_PATH))
                .timeout(Duration.ofSeconds(10)).header("locale", "zh").header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The WebSocket URL of a successful endpoint answer. */
    static String url(PlatformSimulator simulator, String appId, String appSecret) throws Exception {
        JsonNode answer = JSON.readTree(endpoint(simulator, appId, appSecret).body());
        if (answer.path("code").asInt(-1) != 0) {
            throw new AssertionError("endpoint refused: " + answer);
        }
        return answer.path("data").path("URL").asText();
    }

    static RawLongConnection open(PlatformSimulator simulator, String appId, String appSecret) throws Exception {
        return connect(url(simulator, appId, appSecret)).get(10, TimeUnit.SECONDS);
    }

    static CompletableFuture<RawLongConnection> connect(String url) {
        Collector collector = new Collector();
        return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(URI.create(url), collector)
                .thenApply(socket -> new RawLongConnection(socket, collector, url));
    }

    /** The next frame the server sends, failing after 5 s. */
    Pbbp2.Frame next() throws InterruptedException {
        Pbbp2.Frame frame = frames.poll(5, TimeUnit.SECONDS);
        if (failed.isDone()) {
            throw new AssertionError("the connection failed", failed.join());
        }
        if (frame == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return frame;
    }

    void ping() {
        send(Pbbp2.Frame.newBuilder().setSeqID(0).setLogID(0).setService(serviceId).setMethod(0)
                .addHeaders(header("type", "ping")).build());
    }

    /** Answers {@code frame} as Feishu's SDKs do: the same frame, a {@code biz_rt} header, the response as payload. */
    void ack(Pbbp2.Frame frame, int code) {
        send(frame.toBuilder().addHeaders(header("biz_rt", "7"))
                .setPayload(ByteString.copyFromUtf8("{\"code\":" + code + ",\"headers\":null,\"data\":null}")).build());
    }

    void send(Pbbp2.Frame frame) {
        socket.sendBinary(ByteBuffer.wrap(frame.toByteArray()), true).join();
    }

    static String header(Pbbp2.Frame frame, String key) {
        return frame.getHeadersList().stream().filter(header -> header.getKey().equals(key)).map(Pbbp2.Header::getValue)
                .findFirst().orElse(null);
    }

    static Pbbp2.Header header(String key, String value) {
        return Pbbp2.Header.newBuilder().setKey(key).setValue(value).build();
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        socket.abort();
    }

    private static final class Collector implements WebSocket.Listener {
        final BlockingQueue<Pbbp2.Frame> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            message.writeBytes(bytes);
            if (last) {
                try {
                    frames.add(Pbbp2.Frame.parseFrom(message.toByteArray()));
                } catch (Exception e) {
                    failed.complete(e);
                }
                message.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failed.complete(error);
        }
    }
}

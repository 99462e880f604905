package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stand-in for HR Bridge's store-app webhook: a loopback JDK server that keeps every POST it gets and answers 200
 * (or, first, the statuses it is told to), or whatever a handler says. It opens Feishu's encrypted events with the
 * documented recipe, written here apart from the simulator's, so the two must agree.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived: headers (any letter case) and the raw body. */
    record Received(Map<String, List<String>> headers, byte[] body) {

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The event inside, after checking {@code X-Lark-Signature} and decrypting the body with {@code encryptKey}. */
        JsonNode event(String encryptKey) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((header("X-Lark-Request-Timestamp") + header("X-Lark-Request-Nonce") + encryptKey)
                    .getBytes(StandardCharsets.UTF_8));
            sha256.update(body);
            assertThat(header("X-Lark-Signature")).as("X-Lark-Signature").isEqualTo(HexFormat.of().formatHex(sha256.digest()));
            byte[] sealed = Base64.getDecoder().decode(JSON.readTree(body).path("encrypt").asText());
            byte[] key = MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8));
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(Arrays.copyOf(sealed, 16)));
            return JSON.readTree(cipher.doFinal(sealed, 16, sealed.length - 16));
        }
    }

    private final HttpServer server;
    private final String path;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();

    private WebhookReceiver(HttpServer server, String path) {
        this.server = server;
        this.path = path;
    }

    /** Listens on {@code port} (0: any free one) and keeps what is POSTed to {@code path}. */
    static WebhookReceiver start(int port, String path) throws IOException {
        return start(port, path, null);
    }

    /** As {@link #start(int, String)}, {@code answer} deciding each answer's status and body. */
    static WebhookReceiver start(int port, String path, Function<Received, Map.Entry<Integer, byte[]>> answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        WebhookReceiver receiver = new WebhookReceiver(server, path);
        server.createContext(path, exchange -> receiver.receive(exchange, answer));
        server.start();
        return receiver;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The next answers, in order, before the receiver answers 200 again. */
    void answerFirst(Integer... codes) {
        statuses.addAll(List.of(codes));
    }

    /** The next POST, waiting up to 10 s for it. */
    Received next() throws InterruptedException {
        Received next = received.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a push within 10 s").isNotNull();
        return next;
    }

    /** Whether a POST came within {@code millis}, taking it. */
    boolean anotherWithin(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS) != null;
    }

    private void receive(HttpExchange exchange, Function<Received, Map.Entry<Integer, byte[]>> answer) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(exchange.getRequestHeaders());
            Received request = new Received(headers, in.readAllBytes());
            received.add(request);
            Integer status = statuses.poll();
            Map.Entry<Integer, byte[]> reply = answer != null ? answer.apply(request)
                    : Map.entry(status == null ? 200 : status, "{}".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.getKey(), reply.getValue().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.getValue());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

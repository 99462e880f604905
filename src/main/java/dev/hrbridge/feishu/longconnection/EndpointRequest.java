package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The first step of every connection: {@code POST {baseUrl}/callback/ws/endpoint} with the app's credentials,
 * answered with a one-time WebSocket URL. Codes 1 (system busy) and 1000040343 (internal error) are Feishu's
 * trouble and retried; any other non-zero code is about the app (wrong secret, long connection not enabled) and
 * ends in {@link ConnectionRefused}.
 */
final class EndpointRequest {

    static final String PATH = "/callback/ws/endpoint";
    static final int SYSTEM_BUSY = 1;
    static final int INTERNAL_ERROR = 1_000_040_343;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The answer is a few hundred bytes; anything much larger is not Feishu's. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final HttpClient http;
    private final LongConnectionApp app;
    private final Duration timeout;

    EndpointRequest(HttpClient http, LongConnectionApp app, Duration timeout) {
        this.http = http;
        this.app = app;
        this.timeout = timeout;
    }

    /**
     * A fresh ticket; fails with {@link ConnectionRefused} for a client error, with an {@link IOException} (or a
     * timeout after the connect timeout) for anything worth retrying.
     */
    CompletableFuture<ConnectionTicket> fetch() {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("AppID", app.appId(), "AppSecret", app.appSecret()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.baseUrl().toString().replaceAll("/+$", "") + PATH))
                .timeout(timeout)
                .header("locale", "zh")
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.sendAsync(request, info -> new BoundedBody())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(response -> {
                    try {
                        return CompletableFuture.completedFuture(ticket(response));
                    } catch (IOException | ConnectionRefused e) {
                        return CompletableFuture.failedFuture(e);
                    }
                });
    }

    private static ConnectionTicket ticket(HttpResponse<byte[]> response) throws IOException, ConnectionRefused {
        if (response.statusCode() != 200) {
            throw new IOException("endpoint request answered HTTP " + response.statusCode());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("endpoint answer is not JSON");
        }
        JsonNode code = answer == null ? null : answer.get("code");
        if (code == null || !code.canConvertToInt()) {
            throw new IOException("endpoint answer without a code");
        }
        String msg = answer.path("msg").asText("");
        if (code.asInt() == SYSTEM_BUSY || code.asInt() == INTERNAL_ERROR) {
            throw new IOException("endpoint request failed on Feishu's side: code " + code.asInt() + " " + msg);
        }
        if (code.asInt() != 0) {
            throw new ConnectionRefused(code.asInt(), msg);
        }
        JsonNode data = answer.path("data");
        String url = data.path("URL").asText("");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IOException("endpoint answer's URL is not a URL");
        }
        if ((!"ws".equalsIgnoreCase(uri.getScheme()) && !"wss".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
            throw new IOException("endpoint answer's URL is not a WebSocket URL");
        }
        String serviceId = queryParameter(uri, "service_id");
        try {
            return new ConnectionTicket(uri, queryParameter(uri, "device_id"),
                    serviceId == null ? 0 : Integer.parseInt(serviceId), data.get("ClientConfig"));
        } catch (NumberFormatException e) {
            throw new IOException("endpoint answer's URL has a service_id that is not a number");
        }
    }

    private static String queryParameter(URI uri, String name) {
        if (uri.getRawQuery() == null) {
            return null;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The answer's bytes, refused beyond {@link #MAX_ANSWER_BYTES}. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > MAX_ANSWER_BYTES) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("endpoint answer over " + MAX_ANSWER_BYTES + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end latency at a steady rate: plays Feishu's OpenAPI (tenant token and the background-check package
 * endpoint) on STUB_PORT, sends signed, encrypted hire.eco_account.created_v1 events to HR Bridge at RATE per
 * second for SECONDS (on 16 keep-alive connections, each event sent at its scheduled time unless its connection is still busy), and measures, per event, the time from
 * HR Bridge's 200 to the package call arriving here. HR Bridge must run live against http://127.0.0.1:STUB_PORT.
 * java bench/EndToEnd.java WEBHOOK_URL STUB_PORT RATE SECONDS ENCRYPT_KEY TOKEN
 */
public class EndToEnd {

    private static final int CONNECTIONS = 16;
    private static final Pattern ACCOUNT = Pattern.compile("\"account_id\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        URI webhook = URI.create(args[0]);
        int stubPort = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        String encryptKey = args[4];
        String token = args[5];
        int total = rate * seconds;

        Map<String, Long> calledAt = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", stubPort), 512);
        stub.setExecutor(Executors.newFixedThreadPool(8));
        stub.createContext("/open-apis/auth/v3/tenant_access_token/internal", exchange ->
                answer(exchange, "{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"t-bench\",\"expire\":7200}"));
        stub.createContext("/open-apis/hire/v1/eco_background_check_packages", exchange -> {
            long now = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher account = ACCOUNT.matcher(body);
            if (account.find()) {
                calledAt.putIfAbsent(account.group(1), now);
            }
            calls.incrementAndGet();
            answer(exchange, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
        });
        stub.start();

        String run = UUID.randomUUID().toString().substring(0, 8);
        List<byte[]> bodies = new ArrayList<>(total);
        List<String[]> headers = new ArrayList<>(total);
        byte[] key = MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8));
        SecureRandom random = new SecureRandom();
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        for (int i = 0; i < total; i++) {
            String event = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e2e-" + run + "-" + i + "\","
                    + "\"event_type\":\"hire.eco_account.created_v1\",\"create_time\":\"1608725989000\",\"token\":\""
                    + token + "\",\"app_id\":\"cli_bench\",\"tenant_key\":\"2ca1d211f64f6438\"},\"event\":{\"scope\":1,"
                    + "\"account_id\":\"" + account(run, i) + "\",\"account_name\":\"bench\",\"usage_list\":[1],"
                    + "\"custom_field_list\":[{\"key\":\"ord_id\",\"value\":\"7233333\"}]}}";
            byte[] iv = new byte[16];
            random.nextBytes(iv);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            byte[] sealed = cipher.doFinal(event.getBytes(StandardCharsets.UTF_8));
            byte[] all = new byte[16 + sealed.length];
            System.arraycopy(iv, 0, all, 0, 16);
            System.arraycopy(sealed, 0, all, 16, sealed.length);
            byte[] body = ("{\"encrypt\":\"" + Base64.getEncoder().encodeToString(all) + "\"}").getBytes(StandardCharsets.UTF_8);
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            String nonce = Long.toHexString(random.nextLong());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
            String signature = HexFormat.of().formatHex(sha.digest(body));
            bodies.add(body);
            headers.add(new String[] {"Content-Type", "application/json", "X-Lark-Request-Timestamp", timestamp,
                    "X-Lark-Request-Nonce", nonce, "X-Lark-Signature", signature});
        }

        // a few persistent connections writing prepared requests: the sender must not take the CPU it measures
        long[] ackedAt = new long[total];
        long[] sentAt = new long[total];
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (int c = 0; c < CONNECTIONS; c++) {
            int first = c;
            Thread sender = new Thread(() -> {
                Connection connection = null;
                for (int i = first; i < total; i += CONNECTIONS) {
                    long due = start + i * periodNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    sentAt[i] = System.nanoTime();
                    try {
                        if (connection == null) {
                            connection = new Connection(webhook);
                        }
                        if (connection.post(webhook, headers.get(i), bodies.get(i)) == 200) {
                            ackedAt[i] = System.nanoTime();
                            acked.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        refused.incrementAndGet();
                        connection = null;
                    }
                }
            }, "sender-" + c);
            sender.setDaemon(true);
            sender.start();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 30L);
        while ((acked.get() + refused.get() < total || calledAt.size() < acked.get()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        stub.stop(0);

        List<Long> endToEnd = new ArrayList<>();
        List<Long> ack = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Long called = calledAt.get(account(run, i));
            if (ackedAt[i] != 0) {
                ack.add(ackedAt[i] - sentAt[i]);
                if (called != null) {
                    endToEnd.add(called - ackedAt[i]);
                }
            }
        }
        endToEnd.sort(null);
        ack.sort(null);
        System.out.printf("RESULT events=%d rate=%d/s acked=%d refused=%d called=%d ack_p50_ms=%.2f ack_p99_ms=%.2f "
                        + "e2e_p50_ms=%.2f e2e_p99_ms=%.2f e2e_max_ms=%.2f%n", total, rate, acked.get(), refused.get(),
                calledAt.size(), ms(ack, 0.50), ms(ack, 0.99), ms(endToEnd, 0.50), ms(endToEnd, 0.99), ms(endToEnd, 1.0));
        System.exit(0);
    }

    /** One keep-alive HTTP/1.1 connection: writes a request, reads the status line, headers and body. */
    private static final class Connection {
        private final java.net.Socket socket;
        private final java.io.BufferedInputStream in;
        private final java.io.OutputStream out;

        Connection(URI uri) throws IOException {
            socket = new java.net.Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        int post(URI uri, String[] headers, byte[] body) throws IOException {
            StringBuilder request = new StringBuilder("POST ").append(uri.getPath()).append(" HTTP/1.1\r\nHost: ")
                    .append(uri.getHost()).append(':').append(uri.getPort()).append("\r\nContent-Length: ")
                    .append(body.length).append("\r\n");
            for (int h = 0; h < headers.length; h += 2) {
                request.append(headers[h]).append(": ").append(headers[h + 1]).append("\r\n");
            }
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            int length = 0;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(header.substring(15).trim());
                } else if (header.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
                    chunked = header.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                }
            }
            if (!chunked) {
                in.readNBytes(length);
            } else {
                for (int chunk = Integer.parseInt(line().split(";")[0].trim(), 16); chunk > 0;
                     chunk = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    in.readNBytes(chunk);
                    line();
                }
                line();
            }
            String[] parts = status.split(" ");
            if (parts.length < 2) {
                throw new IOException("not an HTTP answer: " + status);
            }
            return Integer.parseInt(parts[1]);
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    private static String account(String run, int i) {
        return "e2e" + run + i;
    }

    private static double ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}

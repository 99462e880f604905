package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuCrypto;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The largest event Feishu documents (seed 000: {@code corehr.onboarding_qr_code.inactive_v2} with up to 10,000 codes,
 * each with ids, png and url as long as in the seed's example) is received: four of them at once, signed and encrypted,
 * against the packaged jar with a 256 MB heap, are each answered 200 inside Feishu's 3 s, stored once, and every code in
 * them is handled — the managed ones rotated, the others recorded.
 */
class LargestEventIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "largest-event-encrypt-key";
    private static final String TOKEN = "largest-event-verification-token";
    private static final String API_TOKEN = "largest-event-api-token";
    private static final int CODES = 10_000;
    private static final int EVENTS = 4;
    private static final int MANAGED_PER_EVENT = 2;
    private static final String TYPE = "corehr.onboarding_qr_code.inactive_v2";

    @TempDir
    Path work;

    @Test
    void fourEventsOfTenThousandCodesAtOnceAreAcknowledgedInTimeStoredOnceAndEveryCodeHandled() throws Exception {
        try (JarProcess jar = JarProcess.start(work, JarProcess.env("FEISHU_ENCRYPT_KEY", KEY,
                "FEISHU_VERIFICATION_TOKEN", TOKEN, "HRB_API_TOKEN", API_TOKEN))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            List<JsonNode> managed = new ArrayList<>();
            for (int i = 0; i < EVENTS * MANAGED_PER_EVENT; i++) {
                managed.add(createCode(jar));
            }
            FeishuPush feishu = new FeishuPush(jar.api("/webhooks/feishu/events"), KEY);
            List<String> plain = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (int e = 0; e < EVENTS; e++) {
                plain.add(event(e, managed.subList(e * MANAGED_PER_EVENT, (e + 1) * MANAGED_PER_EVENT)));
                bodies.add(feishu.encryptedBody(plain.get(e)));
            }
            System.out.printf("largest event: %,d codes, %,d bytes plain, %,d bytes encrypted%n", CODES,
                    plain.get(0).getBytes(StandardCharsets.UTF_8).length, bodies.get(0).length);

            ExecutorService senders = Executors.newFixedThreadPool(EVENTS);
            List<Future<long[]>> answers = new ArrayList<>();
            try {
                for (byte[] body : bodies) {
                    answers.add(senders.submit(() -> {
                        long begin = System.nanoTime();
                        HttpResponse<String> answer = signed(feishu, body);
                        return new long[]{answer.statusCode(), (System.nanoTime() - begin) / 1_000_000};
                    }));
                }
                for (Future<long[]> answer : answers) {
                    long[] result = answer.get();
                    System.out.printf("largest event answered %d in %d ms%n", result[0], result[1]);
                    assertThat(result[0]).isEqualTo(200);
                    assertThat(result[1]).as("ms to the answer; Feishu waits 3 s").isLessThan(3000);
                }
            } finally {
                senders.shutdownNow();
            }
            // Feishu redelivers it: stored once
            HttpResponse<String> again = signed(feishu, bodies.get(0));
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(again.body()).path("status").asText()).isEqualTo("duplicate");

            // every code handled: one line per event (its managed codes rotated, the rest recorded), each event SUCCEEDED
            Pattern handled = Pattern.compile("QR codes inactive \\(event large-(\\d)\\): 10000 named, 2 managed, 2 rotation\\(s\\) "
                    + "newly scheduled, 9998 unmanaged recorded");
            await().atMost(Duration.ofSeconds(120)).until(() -> count(handled, jar.output()) == EVENTS);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (int e = 0; e < EVENTS; e++) {
                    assertThat(eventState(jar, "large-" + e)).as("large-" + e).isEqualTo("SUCCEEDED");
                }
            });
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                JsonNode codes = get(jar, "/api/v1/onboarding-qr-codes?limit=1000");
                for (JsonNode code : managed) {
                    String id = code.path("id").asText();
                    assertThat(codes.path("items")).as(id).anySatisfy(listed -> {
                        assertThat(listed.path("id").asText()).isEqualTo(id);
                        assertThat(listed.path("status").asText()).isEqualTo("replaced");
                    });
                }
            });
            assertThat(count(Pattern.compile("OutOfMemoryError"), jar.output())).isZero();
            JsonNode heap = JSON.readTree(jar.get(jar.management("/observe/jolokia/read/java.lang:type=Memory/HeapMemoryUsage"))
                    .body()).path("value");
            System.out.printf("largest events: heap used %,d of max %,d bytes after; peak resident %s%n",
                    heap.path("used").asLong(), heap.path("max").asLong(), peakResident(jar.process().pid()));
        }
    }

    /** A code Feishu reported inactive, shaped like seed 000's example: 19-digit id, png and url with a 64-character key. */
    private static String code(String id, String key) {
        return "{\"id\":\"" + id + "\",\"png\":\"https://open.feishu.cn/people/api/onboarding/scan_code/png?scan_code=" + key
                + "\",\"url\":\"https://open.feishu.cn/people/welcome/scan?signKey=" + key + "\"}";
    }

    private static String event(int number, List<JsonNode> managed) {
        List<String> codes = new ArrayList<>(CODES);
        for (JsonNode code : managed) {
            codes.add("{\"id\":\"" + code.path("id").asText() + "\",\"png\":\"" + code.path("png").asText() + "\",\"url\":\""
                    + code.path("url").asText() + "\"}");
        }
        for (int i = codes.size(); i < CODES; i++) {
            String key = String.format("%d%063d", number, i);
            codes.add(code(String.format("68%d%016d", number, i), key));
        }
        return FeishuPush.v2Event(TYPE, "large-" + number, TOKEN, "{\"code_lists\":[" + String.join(",", codes) + "]}");
    }

    private static HttpResponse<String> signed(FeishuPush feishu, byte[] body) throws Exception {
        String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
        return feishu.sendWithHeaders(body, "Content-Type", "application/json", "X-Lark-Request-Timestamp", timestamp,
                "X-Lark-Request-Nonce", "n", "X-Lark-Signature", new FeishuCrypto(KEY).signature(timestamp, "n", body));
    }

    private static JsonNode createCode(JarProcess jar) throws Exception {
        HttpResponse<String> created = TestBridge.HTTP.send(HttpRequest.newBuilder(jar.api("/api/v1/onboarding-qr-codes"))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + API_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dimension_value_list\":" + OnboardingQrCodeFlowTest.DIMENSIONS + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body());
    }

    private static String eventState(JarProcess jar, String eventId) throws Exception {
        JsonNode events = get(jar, "/api/v1/events?limit=100");
        for (JsonNode event : events.path("items")) {
            if (event.path("event_id").asText().equals(eventId)) {
                return event.path("state").asText();
            }
        }
        return null;
    }

    private static JsonNode get(JarProcess jar, String path) throws Exception {
        HttpResponse<String> answer = jar.get(HttpRequest.newBuilder(jar.api(path)).header("Authorization", "Bearer " + API_TOKEN));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }

    /** The process's peak resident memory (VmHWM) as Linux reports it. */
    private static String peakResident(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("VmHWM"))
                    .findFirst().map(line -> line.substring("VmHWM:".length()).trim()).orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}

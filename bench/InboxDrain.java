import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inbox's processing rate: posts N plain v2 events with unique ids (32 at a time) to a running HR Bridge in sandbox
 * mode, then times from the last acknowledgement until the Inbox MBean counts nothing pending, processing or in the
 * journal. A burst above hrb.inbox.journal.hold-above holds processing until it ends, so the figure is the rate at which
 * a backlog is worked off: storing each result, its attempt history, and the flow behind it. Run with the JDK alone:
 * java bench/InboxDrain.java SERVER_PORT MANAGEMENT_PORT N [EVENT_TYPE]
 */
public class InboxDrain {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int management = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        String eventType = args.length > 3 ? args[3] : "bench.unrouted_v1";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI webhook = URI.create("http://127.0.0.1:" + port + "/webhooks/feishu/events");
        ExecutorService senders = Executors.newFixedThreadPool(32);
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch sent = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            senders.submit(() -> {
                String id = UUID.randomUUID().toString().replace("-", "");
                String body = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"" + id + "\",\"event_type\":\"" + eventType
                        + "\",\"create_time\":\"1608725989000\",\"token\":\"t\",\"app_id\":\"cli_9f5343c580712544\","
                        + "\"tenant_key\":\"2ca1d211f64f6438\"},\"event\":{\"scope\":1,\"account_id\":\"" + id
                        + "\",\"account_name\":\"bench\",\"usage_list\":[1],"
                        + "\"custom_field_list\":[{\"key\":\"ord_id\",\"value\":\"7233333\"}]}}";
                try {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(webhook)
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() != 200) {
                        refused.incrementAndGet();
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                } finally {
                    sent.countDown();
                }
            });
        }
        sent.await();
        long acknowledged = System.nanoTime();
        senders.shutdown();
        URI inbox = URI.create("http://127.0.0.1:" + management
                + "/observe/jolokia/read/dev.hrbridge:context=hr-bridge,type=Inbox");
        while (true) {
            String attributes = http.send(HttpRequest.newBuilder(inbox).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (value(attributes, "Pending") + value(attributes, "Processing") + value(attributes, "JournalBacklog") == 0) {
                break;
            }
            Thread.sleep(100);
        }
        long drained = System.nanoTime();
        double acking = (acknowledged - start) / 1e9;
        double working = (drained - acknowledged) / 1e9;
        System.out.printf("%d %s events, %d not answered 200; acknowledged in %.1f s (%.0f/s); processed %.1f s after the "
                + "last acknowledgement: %.0f events/s%n", count, eventType, refused.get(), acking, count / acking, working,
                count / working);
    }

    private static long value(String json, String attribute) {
        Matcher matcher = Pattern.compile("\"" + attribute + "\":(\\d+)").matcher(json);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}

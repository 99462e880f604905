import dev.hrbridge.sandbox.LongConnectionSandbox;
import dev.hrbridge.sandbox.PlatformSimulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feishu's side of the long connection for the benchmark: the sandbox's simulator in a process of its own, so that
 * what it costs is not HR Bridge's. Writes its base URL to URL_FILE, waits for HR Bridge to connect, pushes unique
 * v2 events keeping WINDOW of them unacknowledged (Feishu pushes without waiting for each ack), first for a warm-up,
 * then for SECONDS, and prints the acknowledged rate and the time from each push to its acknowledgement.
 * Run with the jar's classes: java -cp target/hr-bridge.jar bench/LongConnectionLoad.java URL_FILE SECONDS WINDOW [EVENT_TYPE]
 */
public class LongConnectionLoad {

    public static void main(String[] args) throws Exception {
        Path urlFile = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int window = Integer.parseInt(args[2]);
        String eventType = args.length > 3 ? args[3] : "hire.eco_account.created_v1";
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.hrbridge.sandbox"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        PlatformSimulator simulator = PlatformSimulator.start("cli_bench", "bench-secret");
        simulator.feishu().frequencyLimits(false);
        LongConnectionSandbox feishu = simulator.longConnection();
        Semaphore inFlight = new Semaphore(window);
        Map<String, Long> pushedAt = new ConcurrentHashMap<>();
        long[] latencies = new long[5_000_000];
        AtomicInteger acked = new AtomicInteger();
        feishu.onAcknowledged(delivery -> {
            Long at = pushedAt.remove(delivery.eventId());
            if (at != null) {
                int i = acked.getAndIncrement();
                if (i < latencies.length) {
                    latencies[i] = System.nanoTime() - at;
                }
                inFlight.release();
            }
        });
        Files.writeString(urlFile, simulator.baseUrl());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (feishu.openConnections() < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("HR Bridge did not connect within 120 s");
            }
            Thread.sleep(50);
        }
        String run = Long.toHexString(System.nanoTime());
        push(feishu, inFlight, pushedAt, run + "-warm", eventType, TimeUnit.SECONDS.toNanos(5));
        inFlight.acquire(window); // the warm-up's last events are acknowledged
        inFlight.release(window);
        acked.set(0);
        long start = System.nanoTime();
        int pushed = push(feishu, inFlight, pushedAt, run, eventType, TimeUnit.SECONDS.toNanos(seconds));
        inFlight.acquire(window);
        double elapsed = (System.nanoTime() - start) / 1e9;
        int count = Math.min(acked.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        System.out.printf("RESULT acks/s=%.0f events=%d window=%d p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms%n",
                pushed / elapsed, pushed, window, ms(sorted, 0.50), ms(sorted, 0.99), ms(sorted, 0.999),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        simulator.close();
    }

    private static int push(LongConnectionSandbox feishu, Semaphore inFlight, Map<String, Long> pushedAt, String run,
                            String eventType, long forNanos) throws InterruptedException {
        long end = System.nanoTime() + forNanos;
        int i = 0;
        while (System.nanoTime() < end) {
            inFlight.acquire();
            String eventId = "lc-" + run + "-" + i;
            pushedAt.put(eventId, System.nanoTime());
            feishu.push("{\"schema\":\"2.0\",\"header\":{\"event_id\":\"" + eventId + "\",\"event_type\":\"" + eventType
                    + "\",\"create_time\":\"1608725989000\",\"token\":\"\",\"app_id\":\"cli_bench\","
                    + "\"tenant_key\":\"2ca1d211f64f6438\"},\"event\":{\"scope\":1,\"account_id\":\"" + Math.abs(run.hashCode())
                    + Math.abs(i) + "\",\"account_name\":\"bench\",\"usage_list\":[1],"
                    + "\"custom_field_list\":[{\"key\":\"ord_id\",\"value\":\"7233333\"}]}}");
            i++;
        }
        return i;
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
    }
}

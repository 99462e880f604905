package dev.hrbridge.feishu.longconnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.awaitility.Awaitility.await;

/**
 * A measurement, not a check: events through one long connection into a route that does nothing, from the
 * scripted Feishu's send to its receipt of the acknowledgement, both in this JVM on loopback. Runs only when asked:
 * {@code mvn -o -q test -Dtest=LongConnectionThroughputProbeTest -Dprobe.n=10000 -Dprobe.rate=1000}
 * ({@code probe.rate} events per second, 0 = all at once); the figures are printed to the test's output file.
 */
@EnabledIfSystemProperty(named = "probe.n", matches = "\\d+")
class LongConnectionThroughputProbeTest {

    @Test
    void probe() throws Exception {
        String event = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"ev\",\"event_type\":\"x\"},\"event\":{\"pad\":\""
                + "x".repeat(800) + "\"}}";
        int n = Integer.getInteger("probe.n");
        long rate = Long.getLong("probe.rate", 0);
        try (ScriptedFeishu feishu = new ScriptedFeishu();
             LongConnectionBed bed = LongConnectionBed.start(feishu, "maxInFlight=16&pongTimeout=30000&pingInterval=5000")) {
            ScriptedFeishu.Connection connection = bed.connection(1);
            for (int round = 1; round <= 2; round++) {
                Map<String, Long> sent = new ConcurrentHashMap<>();
                int before = connection.acks().size();
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (rate > 0) {
                        long due = start + i * 1_000_000_000L / rate;
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait();
                        }
                    }
                    String id = "r" + round + "-" + i;
                    sent.put(id, System.nanoTime());
                    connection.sendEvent(id, event);
                }
                await().atMost(Duration.ofMinutes(2)).until(() -> connection.acks().size() >= before + n);
                double seconds = (System.nanoTime() - start) / 1e9;
                List<Long> latencies = new ArrayList<>();
                List<com.lark.oapi.ws.pb.Pbbp2.Frame> acks = connection.acks();
                List<Long> ackedAt = connection.ackNanos();
                for (int i = before; i < acks.size(); i++) {
                    latencies.add(ackedAt.get(i) - sent.get(ScriptedFeishu.value(acks.get(i), "message_id")));
                }
                Collections.sort(latencies);
                System.out.printf("PROBE round %d: %d events in %.2f s = %.0f/s; send to ack p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        round, n, seconds, n / seconds, latencies.get(n / 2) / 1e6, latencies.get(n * 99 / 100) / 1e6,
                        latencies.get(n - 1) / 1e6);
            }
        }
    }
}

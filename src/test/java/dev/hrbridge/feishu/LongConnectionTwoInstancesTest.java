package dev.hrbridge.feishu;

import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import dev.hrbridge.db.PostgresServer;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.sandbox.LongConnectionSandbox;
import dev.hrbridge.sandbox.PlatformSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of one deployment on one PostgreSQL database each hold their own long connection (Feishu allows 50
 * per app and gives each event to one of them). Events spread over both, and when one instance goes away what it had
 * not acknowledged reaches the other: every event is stored and processed once.
 */
class LongConnectionTwoInstancesTest {

    static final String SECRET = "two-instances-secret";

    @TempDir
    Path dir;
    PlatformSimulator simulator;
    final List<TestBridge> instances = new ArrayList<>();

    @AfterEach
    void stop() {
        instances.forEach(TestBridge::close);
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void eachInstanceHoldsAConnectionAndEveryEventIsProcessedOnceWhicheverGetsIt() throws Exception {
        simulator = PlatformSimulator.start(FeishuPush.APP_ID, SECRET);
        LongConnectionSandbox feishu = simulator.longConnection().ackTimeout(Duration.ofSeconds(1)).maxAttempts(50);
        Map<String, String> settings = JarProcess.env(
                "hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres",
                "feishu.base-url", simulator.baseUrl(), "feishu.app-id", FeishuPush.APP_ID, "feishu.app-secret", SECRET,
                "feishu.event-mode", "long-connection", "hrb.api.token", "two-instances-token",
                "qr.sweep.cron", "0 0 3 1 1 ?", "hrb.inbox.poll-interval-ms", "50",
                "feishu.long-connection.reconnect-max-backoff-ms", "300");
        instances.add(TestBridge.start(dir.resolve("a"), settings));
        instances.add(TestBridge.start(dir.resolve("b"), settings));
        await().atMost(Duration.ofSeconds(20)).until(() -> feishu.openConnections() == 2);

        List<String> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String eventId = "two-instances-" + i;
            feishu.push(FeishuPush.v2Event("contact.user.created_v3", eventId, "", "{}"));
            events.add(eventId);
            if (i == 100) {
                // one instance stops mid-stream; what it took and did not acknowledge comes again on the other
                instances.remove(0).close();
            }
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(id -> feishu.event(id).state().equals("acked")));
        Map<String, Long> byConnection = events.stream().map(id -> lastDelivery(feishu, id).connection())
                .collect(Collectors.groupingBy(connection -> connection, Collectors.counting()));
        assertThat(byConnection).as("events acknowledged per connection").hasSize(2);
        InboxRepository inbox = instances.get(0).bridge().context().getRegistry()
                .lookupByNameAndType("inboxRepository", InboxRepository.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> inbox.countByState().getOrDefault(InboxMessage.State.UNHANDLED, 0L) == 200);
        assertThat(inbox.list(InboxMessage.Kind.EVENT, null, null, 1000)).extracting(InboxMessage::traceId)
                .containsExactlyInAnyOrderElementsOf(events);
    }

    private static LongConnectionSandbox.Delivery lastDelivery(LongConnectionSandbox feishu, String eventId) {
        List<LongConnectionSandbox.Delivery> deliveries = feishu.event(eventId).deliveries();
        return deliveries.get(deliveries.size() - 1);
    }
}

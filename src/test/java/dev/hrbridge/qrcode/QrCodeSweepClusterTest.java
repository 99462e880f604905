package dev.hrbridge.qrcode;

import dev.hrbridge.TestBridge;
import dev.hrbridge.db.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances on one PostgreSQL share a clustered Quartz scheduler: each sweep tick runs on one of them. */
class QrCodeSweepClusterTest {

    @TempDir
    Path dir;

    @Test
    void eachSweepTickRunsOnOneInstanceOnly() throws Exception {
        String url = PostgresServer.newDatabase();
        Map<String, String> shared = Map.of(
                "hrb.db.url", url, "hrb.db.user", "postgres", "hrb.db.password", "postgres",
                // one deployment: the same context name on every instance (the sweep's trigger refers to it)
                "camel.main.name", "hr-bridge",
                "qr.sweep.cron", "0/1 * * * * ?");
        try (TestBridge first = TestBridge.start(dir.resolve("a"), shared);
             TestBridge second = TestBridge.start(dir.resolve("b"), shared)) {
            QrCodeSweep sweepA = sweep(first);
            QrCodeSweep sweepB = sweep(second);

            await().atMost(Duration.ofSeconds(25)).until(() -> sweepA.ticks().size() + sweepB.ticks().size() >= 8);

            List<Instant> ticksA = sweepA.ticks();
            List<Instant> ticksB = sweepB.ticks();
            Set<Instant> shared1 = new HashSet<>(ticksA);
            shared1.retainAll(ticksB);
            assertThat(shared1).as("ticks run on both instances").isEmpty();
            assertThat(new HashSet<>(ticksA)).hasSameSizeAs(ticksA);
            assertThat(new HashSet<>(ticksB)).hasSameSizeAs(ticksB);
        }
    }

    private static QrCodeSweep sweep(TestBridge bridge) {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("qrCodeSweep", QrCodeSweep.class);
    }
}

package dev.hrbridge.ops;

import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Camel stopping while nobody asked HR Bridge to stop (a JMX client, a failure inside Camel) is signalled, so the
 * launcher exits with code 3 and a supervisor restarts it; HR Bridge's own shutdown is not.
 */
class UnexpectedStopTest {

    @TempDir
    Path dir;

    @Test
    void camelStoppedBehindHrBridgesBackIsSignalledOnce() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        CompletableFuture<String> signal = new CompletableFuture<>();
        try (TestBridge bridge = TestBridge.start(dir, Map.of(), () -> {
            signals.incrementAndGet();
            signal.complete(Thread.currentThread().getName());
        })) {
            bridge.bridge().context().stop();
            assertThat(signal.get(10, TimeUnit.SECONDS)).isEqualTo("hrb-unexpected-stop");
        }
        assertThat(signals.get()).isEqualTo(1);
    }

    @Test
    void closingHrBridgeIsNotAnUnexpectedStop() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        TestBridge bridge = TestBridge.start(dir, Map.of(), signals::incrementAndGet);
        bridge.close();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> signals.get() == 0);
    }
}

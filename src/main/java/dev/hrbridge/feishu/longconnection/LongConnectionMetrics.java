package dev.hrbridge.feishu.longconnection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The long connection's meters on the registry Camel serves at /observe/metrics, all tagged with the app:
 * {@code hrb.feishu.long.connection.connected} (0/1), {@code .reconnects{reason}}, {@code .frames{kind,direction}},
 * {@code .acks{code}} and the histogram {@code .ack.latency} (complete payload received → acknowledgement written).
 * Without a registry (a plain CamelContext) nothing is recorded.
 */
final class LongConnectionMetrics {

    static final String PREFIX = "hrb.feishu.long.connection";

    private final String app;
    private final Supplier<MeterRegistry> registrySource;
    private final AtomicInteger connected = new AtomicInteger();
    private volatile MeterRegistry registry;
    private Gauge gauge;

    /** {@code registrySource} is asked until it has one: Camel binds its Prometheus registry while starting. */
    LongConnectionMetrics(String app, Supplier<MeterRegistry> registrySource) {
        this.app = app;
        this.registrySource = registrySource;
    }

    void connected(boolean isConnected) {
        connected.set(isConnected ? 1 : 0);
        registry();
    }

    void reconnect(String reason) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder(PREFIX + ".reconnects").description("Long connections lost or failed, then tried again")
                    .tag("app", app).tag("reason", reason).register(meters).increment();
        }
    }

    /** {@code kind}: event, card, ping, pong or other; {@code direction}: in or out. */
    void frame(String kind, String direction) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder(PREFIX + ".frames").description("Frames on the long connection")
                    .tag("app", app).tag("kind", kind).tag("direction", direction).register(meters).increment();
        }
    }

    void acknowledged(int code, Duration sinceReceipt) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder(PREFIX + ".acks").description("Acknowledgements written, by the code they carry")
                    .tag("app", app).tag("code", Integer.toString(code)).register(meters).increment();
            Timer.builder(PREFIX + ".ack.latency").description("From a complete payload received to its acknowledgement written")
                    .tag("app", app).publishPercentileHistogram().register(meters).record(sinceReceipt);
        }
    }

    /** Removes the gauge, which would otherwise report the stopped consumer. */
    synchronized void close() {
        connected.set(0);
        if (gauge != null) {
            registry.remove(gauge);
            gauge = null;
        }
    }

    private MeterRegistry registry() {
        MeterRegistry current = registry;
        if (current == null) {
            synchronized (this) {
                current = registry;
                if (current == null) {
                    current = registrySource.get();
                    if (current != null) {
                        gauge = Gauge.builder(PREFIX + ".connected", connected, AtomicInteger::get)
                                .description("1 while the long connection is open").tag("app", app).register(current);
                        registry = current;
                    }
                }
            }
        }
        return current;
    }
}

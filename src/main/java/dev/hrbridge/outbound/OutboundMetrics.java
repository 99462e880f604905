package dev.hrbridge.outbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Per outbound API: {@code hrb_outbound_calls_total{api,outcome}} and the latency histogram
 * {@code hrb_outbound_latency_seconds{api,outcome}}, on the registry Camel serves at /observe/metrics.
 * Outcomes: {@code success}, {@code retryable}, {@code permanent}, {@code deferred} (our throttle), {@code error}.
 */
public class OutboundMetrics {

    private final Supplier<MeterRegistry> registrySource;
    private volatile MeterRegistry registry;

    /** {@code registrySource} is asked on first use: Camel binds its Prometheus registry only while starting. */
    public OutboundMetrics(Supplier<MeterRegistry> registrySource) {
        this.registrySource = registrySource;
    }

    public void record(String api, String outcome, Duration took) {
        MeterRegistry meters = registry();
        Counter.builder("hrb.outbound.calls")
                .description("Outbound calls by logical API and outcome")
                .tag("api", api).tag("outcome", outcome)
                .register(meters).increment();
        Timer.builder("hrb.outbound.latency")
                .description("Outbound call latency by logical API and outcome")
                .tag("api", api).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(meters).record(took);
    }

    private MeterRegistry registry() {
        MeterRegistry current = registry;
        if (current == null) {
            MeterRegistry found = registrySource.get();
            // without Camel metrics (a plain CamelContext in a test) the meters go nowhere
            current = found != null ? found : new CompositeMeterRegistry();
            registry = current;
        }
        return current;
    }
}

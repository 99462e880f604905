package dev.hrbridge.feishu.longconnection;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * A Camel context with one route {@code from("feishu-events:default?...")} against a {@link ScriptedFeishu}, with
 * the small intervals that keep tests within seconds. The route records every exchange it completes.
 */
final class LongConnectionBed implements AutoCloseable {

    final ScriptedFeishu feishu;
    final DefaultCamelContext camel = new DefaultCamelContext();
    final FeishuEventsComponent component = new FeishuEventsComponent();
    final List<Exchange> completed = new CopyOnWriteArrayList<>();

    private LongConnectionBed(ScriptedFeishu feishu) {
        this.feishu = feishu;
    }

    /** Starts a route reading {@code feishu-events:default?<options>} into {@code steps}. */
    static LongConnectionBed start(ScriptedFeishu feishu, String options, Consumer<RouteDefinition> steps) throws Exception {
        LongConnectionBed bed = new LongConnectionBed(feishu);
        bed.component.addApp("default", feishu.app());
        // component-level defaults small enough for tests of seconds; a test's URI options override them
        bed.component.setConnectTimeout(800);
        bed.component.setPongTimeout(800);
        bed.component.setPingInterval(200);
        bed.component.setReconnectMaxBackoff(150);
        bed.component.setStopTimeout(3000);
        bed.component.setSplitPayloadTimeout(400);
        bed.camel.addComponent(FeishuEventsComponent.SCHEME, bed.component);
        bed.camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                RouteDefinition route = from("feishu-events:default" + (options.isEmpty() ? "" : "?" + options))
                        .routeId("long-connection");
                steps.accept(route);
                route.process(exchange -> bed.completed.add(exchange.copy()));
            }
        });
        bed.camel.start();
        return bed;
    }

    static LongConnectionBed start(ScriptedFeishu feishu, String options) throws Exception {
        return start(feishu, options, route -> { });
    }

    /** Waits for the client's {@code number}th connection (1-based) to be open on both sides. */
    ScriptedFeishu.Connection connection(int number) {
        await().atMost(Duration.ofSeconds(5)).until(() -> feishu.connections().size() >= number
                && status().state() == LongConnectionStatus.State.CONNECTED && status().connects() >= number);
        return feishu.connections().get(number - 1);
    }

    FeishuEventsConsumer consumer() {
        return component.consumers().get(0);
    }

    LongConnectionStatus status() {
        return consumer().status();
    }

    @Override
    public void close() {
        camel.stop();
    }
}

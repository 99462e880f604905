package dev.hrbridge.feishu.longconnection;

import dev.hrbridge.feishu.longconnection.LongConnectionStatus.State;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultConsumer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Turns each complete event payload of the app's long connection into an exchange: body = the payload bytes,
 * headers {@link FeishuEventsHeaders}. The route runs on a worker pool of {@code maxInFlight} threads (the socket
 * is never read on a route's time) and the acknowledgement goes back once the exchange is complete, never
 * before: code {@link FeishuEventsHeaders#ACK_CODE} when the route set it, else 500 when the exchange failed,
 * else 200. Feishu waits 3 s for it and delivers the event again without it.
 */
public class FeishuEventsConsumer extends DefaultConsumer {

    private final String appName;
    private ScheduledExecutorService scheduler;
    private ExecutorService httpThreads;
    private ExecutorService workers;
    private volatile LongConnectionClient client;
    private volatile LongConnectionStatus lastStatus;

    FeishuEventsConsumer(FeishuEventsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.appName = endpoint.getAppName();
        this.lastStatus = new LongConnectionStatus(appName, State.STOPPED, null, null, null, null, null, null,
                0, 0, 0, 0, 0, Map.of(), 0, 0);
    }

    @Override
    public FeishuEventsEndpoint getEndpoint() {
        return (FeishuEventsEndpoint) super.getEndpoint();
    }

    public String appName() {
        return appName;
    }

    /** The connection's state and counters now; after a stop, as they were at its end. */
    public LongConnectionStatus status() {
        LongConnectionClient running = client;
        return running != null ? running.status() : lastStatus;
    }

    /** Drops the current connection and connects again; after a refusal, tries again. */
    public void reconnect() {
        LongConnectionClient running = client;
        if (running != null) {
            running.reconnect();
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        FeishuEventsEndpoint endpoint = getEndpoint();
        LongConnectionApp app = endpoint.getComponent().app(appName);
        LongConnectionOptions options = endpoint.getOptions();
        options.validate();
        ExecutorServiceManager executors = endpoint.getCamelContext().getExecutorServiceManager();
        scheduler = executors.newSingleThreadScheduledExecutor(this, "FeishuEvents[" + appName + "]");
        httpThreads = executors.newCachedThreadPool(this, "FeishuEventsHttp[" + appName + "]");
        workers = executors.newFixedThreadPool(this, "FeishuEventsRoute[" + appName + "]", options.getMaxInFlight());
        Registry registry = endpoint.getCamelContext().getRegistry();
        LongConnectionMetrics metrics = new LongConnectionMetrics(appName,
                () -> registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class));
        client = new LongConnectionClient(appName, app, options, this::deliver, metrics, scheduler, httpThreads);
        client.start();
        endpoint.getComponent().started(this);
    }

    @Override
    protected void doStop() throws Exception {
        LongConnectionClient running = client;
        if (running != null) {
            running.stop();
            // the stopped client (its HTTP client with it) can go; its last status stays readable
            lastStatus = running.status();
            client = null;
        }
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        for (ExecutorService executor : new ExecutorService[] {scheduler, workers, httpThreads}) {
            if (executor != null) {
                executors.shutdownNow(executor);
            }
        }
        getEndpoint().getComponent().stopped(this);
        super.doStop();
    }

    private void deliver(EventDelivery delivery) {
        Exchange exchange = createExchange(false);
        Message message = exchange.getIn();
        message.setBody(delivery.payload());
        message.setHeader(FeishuEventsHeaders.MESSAGE_ID, delivery.messageId());
        message.setHeader(FeishuEventsHeaders.TRACE_ID, delivery.traceId());
        message.setHeader(FeishuEventsHeaders.TYPE, delivery.type());
        message.setHeader(FeishuEventsHeaders.CONNECTION_ID, delivery.connectionId());
        try {
            workers.execute(() -> process(exchange, delivery));
        } catch (RejectedExecutionException e) {
            releaseExchange(exchange, false);
            throw e;
        }
    }

    private void process(Exchange exchange, EventDelivery delivery) {
        try {
            getAsyncProcessor().process(exchange, doneSync -> completed(exchange, delivery));
        } catch (Throwable e) {
            exchange.setException(e);
            completed(exchange, delivery);
        }
    }

    private void completed(Exchange exchange, EventDelivery delivery) {
        try {
            delivery.acknowledge(ackCode(exchange), exchange.isFailed() ? null : answer(exchange, delivery.payload()));
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private static int ackCode(Exchange exchange) {
        try {
            Integer chosen = exchange.getMessage().getHeader(FeishuEventsHeaders.ACK_CODE, Integer.class);
            if (chosen != null) {
                return chosen;
            }
        } catch (RuntimeException e) {
            // not a number: as if not set
        }
        return exchange.isFailed() ? 500 : 200;
    }

    /**
     * The acknowledgement's data: the body the route answered with, when it is text or bytes. The event itself,
     * still the body of a route that did not answer, is not echoed back to Feishu.
     */
    private static byte[] answer(Exchange exchange, byte[] payload) {
        Object body = exchange.getMessage().getBody();
        byte[] bytes = body instanceof byte[] raw ? raw
                : body instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
        return bytes == null || Arrays.equals(bytes, payload) ? null : bytes;
    }
}

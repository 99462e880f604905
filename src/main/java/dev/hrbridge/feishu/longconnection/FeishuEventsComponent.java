package dev.hrbridge.feishu.longconnection;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code feishu-events:<appName>[?options]}: Feishu events received over the long connection (长连接) that the
 * app opens to Feishu, instead of webhooks Feishu posts to us. The apps, with their secrets, are configured here
 * with {@link #addApp}, never in a URI (URIs show up in JMX and logs). The options' defaults are set here too
 * and any of them can be overridden in a URI; see {@link LongConnectionOptions}.
 */
public class FeishuEventsComponent extends DefaultComponent {

    public static final String SCHEME = "feishu-events";

    private final Map<String, LongConnectionApp> apps = new ConcurrentHashMap<>();
    private final List<FeishuEventsConsumer> consumers = new CopyOnWriteArrayList<>();
    private final LongConnectionOptions defaults = new LongConnectionOptions();

    /** Makes {@code app} reachable as {@code feishu-events:<name>}. */
    public void addApp(String name, LongConnectionApp app) {
        apps.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(app, "app"));
    }

    LongConnectionApp app(String name) {
        LongConnectionApp app = apps.get(name);
        if (app == null) {
            throw new IllegalStateException("No Feishu app named '" + name + "' for " + SCHEME + ":" + name
                    + "; known: " + apps.keySet());
        }
        return app;
    }

    /** The consumers running now, one per route reading from this component. */
    public List<FeishuEventsConsumer> consumers() {
        return List.copyOf(consumers);
    }

    void started(FeishuEventsConsumer consumer) {
        consumers.add(consumer);
    }

    void stopped(FeishuEventsConsumer consumer) {
        consumers.remove(consumer);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException(SCHEME + ": needs an app name, as in " + SCHEME + ":default");
        }
        LongConnectionOptions options = defaults.copy();
        setProperties(options, parameters);
        options.validate();
        FeishuEventsEndpoint endpoint = new FeishuEventsEndpoint(uri, this, remaining, options);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The defaults every endpoint starts from. */
    public LongConnectionOptions getDefaults() {
        return defaults;
    }

    public void setConnectTimeout(long connectTimeout) {
        defaults.setConnectTimeout(connectTimeout);
    }

    public void setPongTimeout(long pongTimeout) {
        defaults.setPongTimeout(pongTimeout);
    }

    public void setPingInterval(long pingInterval) {
        defaults.setPingInterval(pingInterval);
    }

    public void setReconnectMaxBackoff(long reconnectMaxBackoff) {
        defaults.setReconnectMaxBackoff(reconnectMaxBackoff);
    }

    public void setMaxInFlight(int maxInFlight) {
        defaults.setMaxInFlight(maxInFlight);
    }

    public void setStopTimeout(long stopTimeout) {
        defaults.setStopTimeout(stopTimeout);
    }

    public void setProxy(String proxy) {
        defaults.setProxy(proxy);
    }

    public void setMaxFrameBytes(int maxFrameBytes) {
        defaults.setMaxFrameBytes(maxFrameBytes);
    }

    public void setMaxPayloadBytes(int maxPayloadBytes) {
        defaults.setMaxPayloadBytes(maxPayloadBytes);
    }

    public void setSplitPayloadTimeout(long splitPayloadTimeout) {
        defaults.setSplitPayloadTimeout(splitPayloadTimeout);
    }
}

package dev.hrbridge.feishu.longconnection;

import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.config.Settings;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuApps;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import java.net.URI;

/**
 * With {@code feishu.event-mode} {@code long-connection} or {@code both}: the {@code feishu-events} component with the
 * credentials of every self-built app (never in an endpoint URI, so never in JMX or a log line) and an ingress route
 * per app. Store apps have no long connection (Feishu offers it to self-built apps only): their events come by webhook.
 */
public class LongConnectionConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;
    @BeanInject
    private FeishuApps feishuApps;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        FeishuEventMode mode = FeishuEventMode.of(settings);
        if (!mode.longConnection()) {
            return;
        }
        FeishuEventsComponent component = new FeishuEventsComponent();
        // feishu.long-connection.* are the component's defaults, so any feishu-events: route gets them, an engineer's too
        component.setConnectTimeout(settings.getLong("feishu.long-connection.connect-timeout-ms", 1, 600_000));
        component.setPongTimeout(settings.getLong("feishu.long-connection.pong-timeout-ms", 100, 600_000));
        if (settings.isSet("feishu.long-connection.ping-interval-ms")) {
            component.setPingInterval(settings.getLong("feishu.long-connection.ping-interval-ms", 100, 3_600_000));
        }
        component.setReconnectMaxBackoff(settings.getLong("feishu.long-connection.reconnect-max-backoff-ms", 1, 86_400_000));
        component.setMaxInFlight(settings.getInt("feishu.long-connection.max-in-flight", 1, 10_000));
        component.setStopTimeout(settings.getLong("feishu.long-connection.stop-timeout-ms", 0, 600_000));
        if (FeishuEventMode.proxy(settings) != null) {
            component.setProxy(settings.get("feishu.long-connection.proxy"));
        }
        // the largest event Feishu documents, as for the webhook (8 MiB by default), whether sent whole or in parts
        component.setMaxPayloadBytes(settings.getInt("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26));
        camelContext.addComponent(FeishuEventsComponent.SCHEME, component);
        for (FeishuApp app : feishuApps.all()) {
            if (app.receivesByLongConnection(mode)) {
                component.addApp(app.name(), new LongConnectionApp(app.appId(), app.appSecret(),
                        URI.create(settings.require("feishu.base-url"))));
                camelContext.addRoutes(new LongConnectionRoutes(app.name()));
            }
        }
    }
}

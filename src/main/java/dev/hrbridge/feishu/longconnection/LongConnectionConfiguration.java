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
        if (!FeishuEventMode.of(settings).longConnection()) {
            return;
        }
        FeishuEventMode mode = FeishuEventMode.of(settings);
        FeishuEventsComponent component = new FeishuEventsComponent();
        // the largest event Feishu documents, as for the webhook (8 MiB by default), whether sent whole or in parts
        component.setMaxPayloadBytes(settings.getInt("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26));
        camelContext.addComponent(FeishuEventsComponent.SCHEME, component);
        for (FeishuApp app : feishuApps.all()) {
            if (app.receivesByLongConnection(mode)) {
                component.addApp(app.name(), new LongConnectionApp(app.appId(), app.appSecret(),
                        URI.create(settings.require("feishu.base-url"))));
                camelContext.addRoutes(new LongConnectionRoutes(settings, app.name()));
            }
        }
    }
}

package dev.hrbridge.feishu.longconnection;

import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.config.Settings;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import java.net.URI;

/**
 * With {@code feishu.event-mode} {@code long-connection} or {@code both}: the {@code feishu-events} component with the
 * configured app's credentials (never in an endpoint URI, so never in JMX or a log line) and the ingress route.
 */
public class LongConnectionConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        if (!FeishuEventMode.of(settings).longConnection()) {
            return;
        }
        FeishuEventsComponent component = new FeishuEventsComponent();
        component.addApp("default", new LongConnectionApp(settings.require("feishu.app-id"),
                settings.require("feishu.app-secret"), URI.create(settings.require("feishu.base-url"))));
        // the largest event Feishu documents, as for the webhook (8 MiB by default), whether sent whole or in parts
        component.setMaxPayloadBytes(settings.getInt("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26));
        camelContext.addComponent(FeishuEventsComponent.SCHEME, component);
        camelContext.addRoutes(new LongConnectionRoutes(settings));
    }
}

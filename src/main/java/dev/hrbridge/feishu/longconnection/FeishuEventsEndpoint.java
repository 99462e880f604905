package dev.hrbridge.feishu.longconnection;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code feishu-events:<appName>}: consume only; the app is looked up on the component when the consumer starts. */
public class FeishuEventsEndpoint extends DefaultEndpoint {

    private final String appName;
    private final LongConnectionOptions options;

    FeishuEventsEndpoint(String uri, FeishuEventsComponent component, String appName, LongConnectionOptions options) {
        super(uri, component);
        this.appName = appName;
        this.options = options;
    }

    @Override
    public FeishuEventsComponent getComponent() {
        return (FeishuEventsComponent) super.getComponent();
    }

    public String getAppName() {
        return appName;
    }

    /** This endpoint's options: the component's defaults with the URI's overrides. */
    public LongConnectionOptions getOptions() {
        return options;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        FeishuEventsConsumer consumer = new FeishuEventsConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException(FeishuEventsComponent.SCHEME + ": receives events; it cannot send");
    }
}

package dev.hrbridge.feishu;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * Lets integration engineers add a flow for a new Feishu event type in YAML only: a route with the id
 * {@code on-<event_type>} consuming {@code direct:on-<event_type>} (for example from the external routes
 * directory) receives every event of that type.
 */
public class EventHandlers implements CamelContextAware {

    private CamelContext camelContext;

    public boolean has(String eventType) {
        return eventType != null && camelContext.getRoute(routeId(eventType)) != null;
    }

    public static String routeId(String eventType) {
        return "on-" + eventType;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}

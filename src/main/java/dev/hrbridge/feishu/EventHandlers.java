package dev.hrbridge.feishu;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.Resource;
import org.apache.camel.CamelContextAware;

import java.util.Set;

/**
 * Lets integration engineers add a flow for a new Feishu event type in YAML only: a route with the id
 * {@code on-<event_type>} consuming {@code direct:on-<event_type>} (for example from the external routes
 * directory) receives every event of that type.
 */
public class EventHandlers implements CamelContextAware {

    /** The event types the event router's own branches send to a flow (routes/event-router.camel.yaml). */
    static final Set<String> ROUTER_TYPES = Set.of("corehr.onboarding_qr_code.inactive_v2", "hire.eco_account.created_v1");

    private static final String ROUTER_ID = "event-router";
    private static final String PACKAGED_ROUTER = "classpath:routes/event-router.camel.yaml";

    private CamelContext camelContext;

    /**
     * Whether the event router sends an event of {@code eventType} to a flow: one of its own branches or an
     * {@code on-<event_type>} route. Any other event it marks UNHANDLED, which the inbox then does at once.
     */
    public boolean routed(String eventType) {
        return eventType != null && (ROUTER_TYPES.contains(eventType) || has(eventType) || !packagedRouter());
    }

    /**
     * Whether the event router running is the packaged one, whose branches {@link #ROUTER_TYPES} lists. An engineer
     * may replace it from the routes directory with branches of their own, which only running it can tell.
     */
    private boolean packagedRouter() {
        Route router = camelContext.getRoute(ROUTER_ID);
        Resource source = router == null ? null : router.getSourceResource();
        return source != null && PACKAGED_ROUTER.equals(source.getLocation());
    }

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

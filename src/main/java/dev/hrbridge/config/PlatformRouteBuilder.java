package dev.hrbridge.config;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * The routes of the platform itself (ingress, inbox plumbing, heartbeat, the sweep trigger, the long connection):
 * Java, compiled beside the code they drive, not flows an engineer edits. Every route built here is in the route group
 * {@value #GROUP} (shown by JMX), and a route file of the operator's directory may not replace one
 * ({@code dev.hrbridge.ops.ExternalRoutes}): a typo there must never take the webhook or the inbox away.
 */
public abstract class PlatformRouteBuilder extends RouteBuilder {

    public static final String GROUP = "platform";

    /** Builds the routes, as {@link RouteBuilder#configure()} does. */
    protected abstract void routes() throws Exception;

    @Override
    public final void configure() throws Exception {
        routes();
        for (RouteDefinition route : getRouteCollection().getRoutes()) {
            route.group(GROUP);
        }
    }
}

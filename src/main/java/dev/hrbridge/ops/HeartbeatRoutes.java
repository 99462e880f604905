package dev.hrbridge.ops;

import dev.hrbridge.config.PlatformRouteBuilder;

/**
 * Each instance proves it is alive every few seconds; work claimed by an instance whose heartbeat stopped is taken over
 * by the others. The route starts first and beats at once: the only beat before it is the one from before Camel
 * started, and a start-up longer than hrb.inbox.stale-node-ms would otherwise let other instances take over the work
 * this one claims while it is still starting (a second upstream call).
 */
public class HeartbeatRoutes extends PlatformRouteBuilder {

    @Override
    protected void routes() {
        from("timer:runtime-heartbeat?period={{hrb.node.heartbeat-ms}}&delay=0").routeId("runtime-heartbeat")
                .startupOrder(1)
                .bean(NodeRegistry.class, "heartbeat");
    }
}

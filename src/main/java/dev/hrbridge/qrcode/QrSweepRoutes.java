package dev.hrbridge.qrcode;

import dev.hrbridge.config.PlatformRouteBuilder;

/**
 * The trigger of the expiry sweep on qr.sweep.cron. Clustered Quartz on PostgreSQL: each tick runs on one instance
 * ({@link SweepScheduler}); the trigger is stored with the context's name (usingFixedCamelContextName), the same on
 * every instance of a deployment.
 */
public class QrSweepRoutes extends PlatformRouteBuilder {

    @Override
    protected void routes() {
        from("quartz:hrb/qr-sweep?cron={{qr.sweep.cron}}&stateful=true&usingFixedCamelContextName=true").routeId("qr-sweep")
                .bean(QrCodeSweep.class, "tick");
    }
}
